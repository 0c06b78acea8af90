/**
 * The bot checks what it receives: an image whose pixel size is not the one asked for (a square
 * image for a 16:9 request) is still delivered, but logged as a warning with the job id and
 * counted, so a drift on RunComfy's side is seen. Sizes come from the headers the spool read
 * at download (nothing is decoded); images without one (files found after a restart) are skipped.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../log.js';
import { setParameters } from '../models/registry.js';
import type { SpooledImage } from '../store/image-spool.js';
import type { JobRecord } from './job.js';

export interface SizeMismatch {
  jobId: string;
  /** 0-based, as RunComfy listed it. */
  index: number;
  expected: { width: number; height: number };
  actual: { width: number; height: number };
}

/** Counts mismatches (`mismatches`) and emits each as `'mismatch'` (for metrics). */
export class ImageSizeMonitor extends EventEmitter<{ mismatch: [SizeMismatch] }> {
  mismatches = 0;

  check(job: JobRecord, images: readonly SpooledImage[], log: Logger): SizeMismatch[] {
    const { width, height } = setParameters(job);
    const expected = { width, height };
    const found: SizeMismatch[] = [];
    for (const image of images) {
      const actual = image.dimensions;
      if (!actual || (actual.width === expected.width && actual.height === expected.height)) continue;
      const mismatch = { jobId: job.id, index: image.index, expected, actual };
      found.push(mismatch);
      this.mismatches++;
      log.warn(
        {
          jobId: job.id,
          image: image.index + 1,
          requested: `${expected.width}×${expected.height}`,
          actual: `${actual.width}×${actual.height}`,
        },
        'image is not the size asked for',
      );
      this.emit('mismatch', mismatch);
    }
    return found;
  }
}
