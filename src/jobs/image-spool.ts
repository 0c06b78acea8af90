/**
 * Copies a finished set from RunComfy's CDN to local disk as soon as it is ready: the CDN
 * URLs' lifetime is unknown, so delivery (which may be retried, or resumed after a restart)
 * reads these files, never the URLs. Downloads stream with a byte cap and a timeout, and
 * the bytes are sniffed: the extension in the URL is not trusted.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Dispatcher, request } from 'undici';
import { AbortedError, AppError } from '../errors.js';
import { combineSignals, TimeoutSignalReason } from '../util/sleep.js';

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif';

export interface SpooledImage {
  /** Position in the set (0-based, as RunComfy listed it). */
  index: number;
  path: string;
  format: ImageFormat;
  bytes: number;
}

export interface SpoolOptions {
  directory: string;
  maxBytesPerImage: number;
  timeoutMs: number;
  dispatcher?: Dispatcher;
}

export class ImageDownloadError extends AppError {}

const SNIFFERS: Array<[ImageFormat, (b: Buffer) => boolean]> = [
  ['jpeg', (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  ['png', (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))],
  ['webp', (b) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP'],
  ['gif', (b) => b.toString('latin1', 0, 4) === 'GIF8'],
];

export function sniffImageFormat(head: Buffer): ImageFormat | undefined {
  return SNIFFERS.find(([, test]) => test(head))?.[0];
}

export class ImageSpool {
  constructor(readonly options: SpoolOptions) {}

  jobDirectory(jobId: string): string {
    return join(this.options.directory, jobId);
  }

  /**
   * Downloads every URL not yet on disk. Resolves with the images present, in order;
   * `missing` lists the indexes that could not be had (404, not an image, too large).
   */
  async fetchAll(
    jobId: string,
    urls: string[],
    signal?: AbortSignal,
  ): Promise<{ images: SpooledImage[]; missing: Array<{ index: number; reason: string }> }> {
    const dir = this.jobDirectory(jobId);
    await mkdir(dir, { recursive: true });
    // Files already there survived a restart: not downloaded again.
    const onDisk = new Map((await this.list(jobId)).map((image) => [image.index, image]));
    const images: SpooledImage[] = [];
    const missing: Array<{ index: number; reason: string }> = [];
    const results = await Promise.all(
      urls.map((url, index) =>
        (onDisk.has(index) ? Promise.resolve(onDisk.get(index)!) : this.#fetchOne(dir, index, url, signal)).then(
          (image) => ({ image }),
          (error: unknown) => ({ error }),
        ),
      ),
    );
    for (const [index, result] of results.entries()) {
      if ('image' in result) {
        images.push(result.image);
        continue;
      }
      const error = result.error;
      if (error instanceof AbortedError) throw error;
      if (error instanceof ImageDownloadError && error.code !== 'image_download_transient') {
        missing.push({ index, reason: error.code });
        continue;
      }
      throw error;
    }
    return { images, missing };
  }

  /** The images already on disk for a job, in order. */
  async list(jobId: string): Promise<SpooledImage[]> {
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

  async remove(jobId: string): Promise<void> {
    await rm(this.jobDirectory(jobId), { recursive: true, force: true });
  }

  async #fetchOne(dir: string, index: number, url: string, signal?: AbortSignal): Promise<SpooledImage> {
    const file = await downloadImageFile(url, {
      directory: dir,
      baseName: String(index),
      maxBytes: this.options.maxBytesPerImage,
      timeoutMs: this.options.timeoutMs,
      dispatcher: this.options.dispatcher,
      signal,
    });
    return { index, ...file };
  }
}

async function sniffFile(path: string): Promise<ImageFormat | undefined> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(16);
    await handle.read(head, 0, 16, 0);
    return sniffImageFormat(head);
  } finally {
    await handle.close();
  }
}

export interface DownloadImageOptions {
  directory: string;
  /** The file is `<baseName>.<extension>`, the extension chosen from the sniffed bytes, not the URL. */
  baseName: string;
  /** Default: the format's name ('jpeg', 'png'…). */
  extensionOf?: (format: ImageFormat) => string;
  maxBytes: number;
  timeoutMs: number;
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
}

/**
 * Downloads one image into `directory` with the same rules as the spool (byte cap, timeout,
 * sniffed format, `.part` file renamed only when complete). Errors: ImageDownloadError
 * (`image_gone`, `image_too_large`, `image_not_an_image`, `image_download_transient`), or
 * AbortedError when `signal` aborts.
 */
export async function downloadImageFile(
  url: string,
  options: DownloadImageOptions,
): Promise<{ path: string; format: ImageFormat; bytes: number }> {
  const { signal, dispose } = combineSignals([options.signal], options.timeoutMs);
  const partial = join(options.directory, `${options.baseName}.part`);
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
    let received = 0;
    const cap = options.maxBytes;
    const file = createWriteStream(partial);
    await pipeline(
      response.body,
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          received += chunk.length;
          if (received > cap) done(new ImageDownloadError('image_too_large', `Image exceeds ${cap} bytes`));
          else file.write(chunk, done);
        },
        final(done) {
          file.end(done);
        },
        destroy(error, done) {
          // Close the file on failure too, so the .part file can be removed.
          file.destroy();
          done(error);
        },
      }),
    );
    const format = await sniffFile(partial);
    if (!format) throw new ImageDownloadError('image_not_an_image', 'The file is not a known image format');
    const path = join(options.directory, `${options.baseName}.${options.extensionOf?.(format) ?? format}`);
    await rename(partial, path);
    return { path, format, bytes: received };
  } catch (error) {
    await rm(partial, { force: true });
    if (options.signal?.aborted) throw new AbortedError();
    if (error instanceof ImageDownloadError) throw error;
    if (signal.aborted && signal.reason instanceof TimeoutSignalReason) {
      throw new ImageDownloadError('image_download_transient', 'Image download timed out');
    }
    throw new ImageDownloadError('image_download_transient', 'Image download failed', { cause: error });
  } finally {
    dispose();
  }
}
