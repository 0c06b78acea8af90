/**
 * Copies a finished set from RunComfy's CDN as soon as it is ready: the CDN URLs' lifetime is
 * unknown, so a delivery that is retried, or resumed after a restart, reads local files, never
 * the URLs. Downloads stream with a byte cap and a timeout, and the bytes are sniffed: the
 * extension in the URL is not trusted.
 *
 * The usual delivery posts the bytes still in memory a moment after the download and needs no
 * files; writing 45 MB would only compete with it for the CPU and for the thread pool that the
 * store's queries use (measured: it made a 140 ms delivery of 15 images 18 ms slower). So a
 * set's files are written once its delivery has taken longer than `writeDelayMs`, or has
 * failed (the retry lists the set), or the process stops cleanly; a delivery that ends first
 * never writes them. A crash inside that window leaves no files, and the resumed delivery
 * downloads the set again from URLs RunComfy listed seconds before (JobEngine #localCopies).
 *
 * The spool shares its disk with the store, and a store that cannot write cannot record what
 * was posted. So files are a convenience the spool gives up before it fills the disk: a set
 * is written only while the spool stays within its budget (`maxTotalBytes`) and the disk keeps
 * `minFreeBytes` free (spool-disk-budget.ts); otherwise it stays in memory and a retry
 * downloads it again.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Dispatcher, request } from 'undici';
import { AbortedError, AppError } from '../errors.js';
import { type Bytes, byteLength, headOf } from '../util/bytes.js';
import { type ImageDimensions, type ImageFormat, imageDimensionsOf } from '../util/image-dimensions.js';
import { mapLimit } from '../util/map-limit.js';
import { combineSignals, TimeoutSignalReason } from '../util/sleep.js';
import { sniffImageFormat } from './sniff-image-format.js';
import { SpoolDiskBudget, type SpoolDiskLimits } from './spool-disk-budget.js';
import { writeAtomically } from './write-atomically.js';

export type { ImageFormat };

export interface SpooledImage {
  /** Position in the set (0-based, as RunComfy listed it). */
  index: number;
  path: string;
  format: ImageFormat;
  bytes: number;
  /** The bytes, when they are still in memory from the download (else read `path`). */
  data?: Bytes;
  /** Pixel size read from the header at download (absent for files found on disk, or unreadable headers). */
  dimensions?: ImageDimensions;
}

/** The disk limits (`maxTotalBytes`, `minFreeBytes`…) are SpoolDiskLimits'. */
export interface SpoolOptions extends SpoolDiskLimits {
  directory: string;
  maxBytesPerImage: number;
  timeoutMs: number;
  dispatcher?: Dispatcher;
  /** How long a downloaded set stays only in memory before its files are written (default 5 s). */
  writeDelayMs?: number;
  /** Downloads of one set at once (default 4): a set is at most 15 images, never all at once. */
  concurrency?: number;
  /**
   * An image with more pixels than this (read from its header, nothing decoded) is refused as
   * `image_too_many_pixels`: a pixel bomb must not reach sharp. Default: no check.
   */
  maxPixelsPerImage?: number;
}

const DEFAULT_WRITE_DELAY_MS = 5_000;
const DEFAULT_CONCURRENCY = 4;

export class ImageDownloadError extends AppError {}

export class ImageSpool {
  /**
   * Bytes just downloaded, by job, until the delivery that follows takes them (`list`): the
   * usual path posts them without reading the files back. A retried or resumed delivery reads
   * the files.
   */
  readonly #fresh = new Map<string, SpooledImage[]>();
  /** Files of a job still being written (its last `fetchAll`'s). */
  readonly #writing = new Map<string, Promise<void>>();
  /** Downloaded images whose files are not written yet, and the timer that will write them. */
  readonly #unwritten = new Map<string, { images: SpooledImage[]; timer: NodeJS.Timeout }>();
  /** Bytes this process has put on disk, by job, against the disk limits. */
  readonly #budget: SpoolDiskBudget;

  constructor(readonly options: SpoolOptions) {
    this.#budget = new SpoolDiskBudget(options);
  }

  jobDirectory(jobId: string): string {
    return join(this.options.directory, jobId);
  }

  /**
   * Downloads every URL (or only those of `only`, by index) whose file is not on disk yet.
   * Resolves once every image is in memory, with the images present, in order (their files
   * are still being written); `missing` lists the indexes that could not be had (404, not an
   * image, too large).
   */
  async fetchAll(
    jobId: string,
    urls: string[],
    signal?: AbortSignal,
    only?: ReadonlySet<number>,
  ): Promise<{ images: SpooledImage[]; missing: Array<{ index: number; reason: string }> }> {
    const dir = this.jobDirectory(jobId);
    this.#writeNow(jobId);
    await this.#writing.get(jobId);
    // Files already there survived a restart: not downloaded again.
    const onDisk = new Map((await this.#onDisk(jobId)).map((image) => [image.index, image]));
    const wanted = urls.map((url, index) => ({ url, index })).filter(({ index }) => !only || only.has(index));
    const results = await mapLimit(wanted, this.options.concurrency ?? DEFAULT_CONCURRENCY, ({ url, index }) => {
      const known = onDisk.get(index);
      const image: Promise<SpooledImage> = known
        ? Promise.resolve(known)
        : downloadImage(url, this.#downloadOptions(signal)).then(async ({ data, format }) => ({
            index,
            path: join(dir, `${index}.${format}`),
            format,
            bytes: byteLength(data),
            data,
            ...(await this.#checkPixels(data, format)),
          }));
      return image.then(
        (value) => ({ index, image: value }),
        (error: unknown) => ({ index, error }),
      );
    });
    const images = results.flatMap((result) => ('image' in result ? [result.image] : []));
    // Written later, if at all (see the top of this file). A failed write is seen as missing
    // files, which the engine downloads again. Kept even when another image failed for now,
    // so the retry downloads only what is still absent.
    const downloaded = images.filter((image) => image.data !== undefined);
    if (downloaded.length > 0) this.#writeLater(jobId, downloaded);
    const missing: Array<{ index: number; reason: string }> = [];
    for (const result of results) {
      if ('image' in result) continue;
      const error = result.error;
      if (error instanceof AbortedError) throw error;
      if (error instanceof ImageDownloadError && error.code !== 'image_download_transient') {
        missing.push({ index: result.index, reason: error.code });
        continue;
      }
      throw error;
    }
    // Every image the job now has, the files already there included (`only` may have left them out).
    const got = new Set(images.map((image) => image.index));
    const all = [...images, ...[...onDisk.values()].filter((image) => !got.has(image.index))].sort(
      (a, b) => a.index - b.index,
    );
    if (downloaded.length > 0) this.#fresh.set(jobId, all);
    return { images: all.map(({ data: _data, ...image }) => image), missing };
  }

  /**
   * The images of a job, in order: after `fetchAll` with their bytes, once (handed over, not
   * kept); otherwise the files on disk, once every write has landed.
   */
  async list(jobId: string): Promise<SpooledImage[]> {
    const fresh = this.#fresh.get(jobId);
    this.#fresh.delete(jobId);
    if (fresh) return fresh;
    // Asked again: the first delivery did not end, so the copies go to disk now.
    this.#writeNow(jobId);
    await this.#writing.get(jobId);
    return this.#onDisk(jobId);
  }

  /** Writes every set still only in memory and waits for all writes (a clean stop). */
  async close(): Promise<void> {
    for (const jobId of [...this.#unwritten.keys()]) this.#writeNow(jobId);
    await Promise.all(this.#writing.values());
  }

  async #onDisk(jobId: string): Promise<SpooledImage[]> {
    const dir = this.jobDirectory(jobId);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return [];
    }
    const images: SpooledImage[] = [];
    for (const name of names) {
      const match = /^(\d+)\.(jpeg|png|webp|gif)$/.exec(name);
      if (!match) continue;
      const path = join(dir, name);
      images.push({ index: Number(match[1]), path, format: match[2] as ImageFormat, bytes: (await stat(path)).size });
    }
    return images.sort((a, b) => a.index - b.index);
  }

  #writeLater(jobId: string, images: SpooledImage[]): void {
    this.#forget(jobId);
    const delay = this.options.writeDelayMs ?? DEFAULT_WRITE_DELAY_MS;
    const timer = setTimeout(() => this.#writeNow(jobId), delay);
    // A stop writes them itself (close); the timer alone must not keep the process alive.
    timer.unref();
    this.#unwritten.set(jobId, { images, timer });
  }

  /** Starts writing the job's unwritten images, if any. */
  #writeNow(jobId: string): void {
    const unwritten = this.#unwritten.get(jobId);
    if (!unwritten) return;
    this.#forget(jobId);
    this.#write(jobId, unwritten.images);
  }

  /** Drops the job's unwritten images (the job is over, or they are about to be written). */
  #forget(jobId: string): void {
    const unwritten = this.#unwritten.get(jobId);
    if (!unwritten) return;
    clearTimeout(unwritten.timer);
    this.#unwritten.delete(jobId);
  }

  /** Writes the files of `images` in the background; `#writing` lets others wait for them. */
  #write(jobId: string, images: SpooledImage[]): void {
    // One file at a time: one thread of the pool that the store's queries share, not all four.
    // One that fails is seen later as a missing file; the others are still written.
    const tracked = (async () => {
      const bytes = images.reduce((sum, image) => sum + image.bytes, 0);
      if (!(await this.#budget.reserve(jobId, bytes))) return;
      try {
        await mkdir(this.jobDirectory(jobId), { recursive: true });
      } catch {
        return;
      }
      for (const image of images) await writeAtomically(image.path, image.data!).catch(() => undefined);
    })();
    this.#writing.set(jobId, tracked);
    void tracked.then(() => {
      if (this.#writing.get(jobId) === tracked) this.#writing.delete(jobId);
    });
  }

  /** The jobs that have a folder in the spool (leftovers included). */
  async jobsOnDisk(): Promise<string[]> {
    try {
      const entries = await readdir(this.options.directory, { withFileTypes: true });
      return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** Deletes a job's files, once any still being written have landed. */
  async remove(jobId: string): Promise<void> {
    this.#fresh.delete(jobId);
    this.#forget(jobId);
    await this.#writing.get(jobId);
    await rm(this.jobDirectory(jobId), { recursive: true, force: true });
    this.#budget.release(jobId);
  }

  /** The image's pixel size from its header; too many pixels is an image we cannot use. */
  async #checkPixels(data: Bytes, format: ImageFormat): Promise<{ dimensions?: ImageDimensions }> {
    const dimensions = await imageDimensionsOf(data, format);
    if (!dimensions) return {}; // unreadable header: sharp's own pixel limit still stands
    const limit = this.options.maxPixelsPerImage;
    if (limit !== undefined && dimensions.width * dimensions.height > limit) {
      throw new ImageDownloadError(
        'image_too_many_pixels',
        `Image is ${dimensions.width}×${dimensions.height}, over ${limit} pixels`,
        { params: { width: dimensions.width, height: dimensions.height } },
      );
    }
    return { dimensions };
  }

  #downloadOptions(signal?: AbortSignal): DownloadOptions {
    return {
      maxBytes: this.options.maxBytesPerImage,
      timeoutMs: this.options.timeoutMs,
      dispatcher: this.options.dispatcher,
      signal,
    };
  }
}

export interface DownloadOptions {
  maxBytes: number;
  timeoutMs: number;
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
}

/**
 * Downloads one image into memory with the spool's rules: a byte cap, a timeout, the format
 * sniffed from the bytes (the URL's extension is not trusted). Errors: ImageDownloadError
 * (`image_gone`, `image_too_large`, `image_not_an_image`, `image_download_transient`), or
 * AbortedError when `signal` aborts.
 */
export async function downloadImage(
  url: string,
  options: DownloadOptions,
): Promise<{ data: Bytes; format: ImageFormat }> {
  const { signal, dispose } = combineSignals([options.signal], options.timeoutMs);
  try {
    const response = await request(url, { method: 'GET', signal, dispatcher: options.dispatcher });
    if (response.statusCode === 404 || response.statusCode === 410) {
      await response.body.dump();
      throw new ImageDownloadError('image_gone', `Image answered ${response.statusCode}`, {
        status: response.statusCode,
      });
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new ImageDownloadError('image_download_transient', `Image answered ${response.statusCode}`, {
        status: response.statusCode,
      });
    }
    const declared = Number(response.headers['content-length'] ?? Number.NaN);
    if (declared > options.maxBytes) {
      await response.body.dump();
      throw new ImageDownloadError('image_too_large', `Image is ${declared} bytes`);
    }
    // The chunks are kept as the socket delivered them (see util/bytes.ts); 'data' events
    // rather than an async iterator: no promise per chunk.
    const cap = options.maxBytes;
    const chunks: Buffer[] = [];
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      const body = response.body;
      body.on('data', (chunk: Buffer) => {
        if (received + chunk.length > cap) {
          body.destroy(new ImageDownloadError('image_too_large', `Image exceeds ${cap} bytes`));
          return;
        }
        chunks.push(chunk);
        received += chunk.length;
      });
      let ended = false;
      body.once('end', () => {
        ended = true;
        resolve();
      });
      body.once('error', reject);
      body.once('close', () => {
        if (!ended) reject(new Error('The image download ended early'));
      });
    });
    const data: Bytes = chunks.length === 1 ? chunks[0]! : chunks;
    const format = sniffImageFormat(headOf(data, 16));
    if (!format) throw new ImageDownloadError('image_not_an_image', 'The file is not a known image format');
    return { data, format };
  } catch (error) {
    if (options.signal?.aborted) throw new AbortedError();
    // The connection's own refusal (output-dispatcher.ts) may come wrapped by undici.
    const own = ownError(error);
    if (own) throw own;
    if (signal.aborted && signal.reason instanceof TimeoutSignalReason) {
      throw new ImageDownloadError('image_download_transient', 'Image download timed out');
    }
    throw new ImageDownloadError('image_download_transient', 'Image download failed', { cause: error });
  } finally {
    dispose();
  }
}

function ownError(error: unknown): ImageDownloadError | undefined {
  let current = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    if (current instanceof ImageDownloadError) return current;
    current = current.cause;
  }
  return undefined;
}
