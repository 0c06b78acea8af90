/**
 * A spool that copies nothing. The engine hands every finished set to its spool before
 * delivery; in the poller benchmark that download would be the largest CPU cost of the engine
 * child while the baselines stop at the result, so by default the bench spool only records the
 * URLs it was given and lists that many placeholder images (the deliverer ignores them).
 * `--download` in the benchmark uses the real ImageSpool instead.
 */
import { ImageSpool, type SpooledImage } from '../src/store/image-spool.js';

export class NullSpool extends ImageSpool {
  readonly #sets = new Map<string, number>();

  constructor() {
    super({ directory: '/nonexistent', maxBytesPerImage: 1, timeoutMs: 1 });
  }

  override async fetchAll(
    jobId: string,
    urls: string[],
  ): Promise<{ images: SpooledImage[]; missing: Array<{ index: number; reason: string }> }> {
    this.#sets.set(jobId, urls.length);
    return { images: await this.list(jobId), missing: [] };
  }

  override async list(jobId: string): Promise<SpooledImage[]> {
    const count = this.#sets.get(jobId) ?? 0;
    return Array.from({ length: count }, (_, index) => ({ index, path: '', format: 'jpeg' as const, bytes: 0 }));
  }

  override async remove(jobId: string): Promise<void> {
    this.#sets.delete(jobId);
  }
}
