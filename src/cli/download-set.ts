/**
 * Downloads a finished set to `<out>/<request_id>-<n>.<ext>` (n 1-based, the extension from
 * the sniffed bytes), all images at once, retrying the transient failures of each a few times.
 * An image that cannot be had (gone, too large, not an image) is reported, not fatal: the
 * others are still worth keeping.
 */
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import { outputDispatcher } from '../engine/output-dispatcher.js';
import { AbortedError, AppError, isAbortError } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { downloadImageFile } from '../store/download-image-file.js';
import { ImageDownloadError, type ImageFormat } from '../store/image-spool.js';
import { readImageDimensions } from '../util/image-dimensions.js';
import { backoffDelay } from '../util/retry.js';
import { sleep } from '../util/sleep.js';
import { UsageError } from './args.js';
import type { CliIo } from './cli-io.js';
import type { ProgressReporter } from './progress.js';
import type { Session } from './session.js';

export interface DownloadedImage {
  /** 1-based position in the set, as in the file name. */
  n: number;
  url: string;
  path: string;
  format: ImageFormat;
  bytes: number;
  width: number | null;
  height: number | null;
}

export interface MissingImage {
  n: number;
  url: string;
  /** ImageDownloadError code: image_gone, image_too_large, image_not_an_image, image_host_refused, image_download_transient. */
  reason: string;
}

export interface DownloadSetOptions {
  directory: string;
  requestId: string;
  signal: AbortSignal;
  timeoutMs?: number;
  maxBytesPerImage?: number;
  attempts?: number;
  onProgress?: (done: number, total: number) => void;
  log?: Logger;
  /** RUNCOMFY_OUTPUT_HOSTS: names resolving to internal addresses are refused (loopback if listed). */
  allowedHosts?: readonly string[];
}

const RETRY = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 4_000 };

/** Short, conventional extensions; the format itself is what the bytes said. */
const EXTENSIONS: Readonly<Record<ImageFormat, string>> = { jpeg: 'jpg', png: 'png', webp: 'webp', gif: 'gif' };

/** A request id as part of a file name: ids come from RunComfy or from the command line. */
export function fileStem(requestId: string, n: number): string {
  return `${safeName(requestId)}-${n}`;
}

function safeName(requestId: string): string {
  return requestId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[.]+/, '_');
}

/**
 * Where a set goes without --out: its own folder under the folder the command was run from,
 * named for the request (never loose files in whatever folder that happens to be).
 */
export function defaultOutputDirectory(cwd: string, requestId: string): string {
  return join(cwd, `seedream-${safeName(requestId)}`);
}

/** Without --out: fails before anything is sent when the default folder could not be made. */
export async function assertWritableFolder(directory: string, command: string): Promise<void> {
  try {
    await access(directory, constants.W_OK);
  } catch {
    throw new UsageError(
      `Cannot write to the current folder ${JSON.stringify(directory)}; choose one with --out <dir>`,
      command,
    );
  }
}

/** Fails before anything is sent when the images would have nowhere to go. */
export async function prepareOutputDirectory(directory: string, command: string): Promise<void> {
  try {
    await mkdir(directory, { recursive: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UsageError(
      `Cannot create the output folder ${JSON.stringify(directory)}${typeof code === 'string' ? ` (${code})` : ''}`,
      command,
    );
  }
}

/**
 * A command's download of a set: the session's output hosts and log, Ctrl-C, and the
 * command's progress line (switched to "downloading").
 */
export function downloadSetFor(
  urls: readonly string[],
  target: { directory: string; requestId: string },
  { io, session, progress }: { io: CliIo; session: Pick<Session, 'env' | 'log'>; progress: ProgressReporter },
): ReturnType<typeof downloadSet> {
  progress.update({ phase: 'downloading', downloaded: 0, total: urls.length });
  return downloadSet(urls, {
    ...target,
    signal: io.interrupt,
    log: session.log,
    allowedHosts: session.env.RUNCOMFY_OUTPUT_HOSTS,
    onProgress: (done, total) => progress.update({ downloaded: done, total }),
  });
}

export async function downloadSet(
  urls: readonly string[],
  options: DownloadSetOptions,
): Promise<{ images: DownloadedImage[]; missing: MissingImage[] }> {
  const log = options.log ?? silentLogger;
  await mkdir(options.directory, { recursive: true });
  let done = 0;
  options.onProgress?.(0, urls.length);
  // Our own connection pool, closed at the end, so no idle keep-alive socket holds the process open.
  const dispatcher = outputDispatcher({ allowedHosts: options.allowedHosts ?? [], connections: 16 });
  const outcomes = await Promise.all(
    urls.map(async (url, index) => {
      const n = index + 1;
      try {
        const image = await downloadWithRetry(url, n, options, dispatcher);
        return { image };
      } catch (error) {
        if (isAbortError(error) || options.signal.aborted) throw new AbortedError();
        const reason = error instanceof ImageDownloadError ? error.code : 'image_download_transient';
        log.warn({ n, reason, err: error instanceof Error ? error.message : String(error) }, 'image not downloaded');
        return { missing: { n, url, reason } };
      } finally {
        options.onProgress?.(++done, urls.length);
      }
    }),
  ).finally(() => dispatcher.close());
  const images: DownloadedImage[] = [];
  const missing: MissingImage[] = [];
  for (const outcome of outcomes) {
    if (outcome.image) images.push(outcome.image);
    else if (outcome.missing) missing.push(outcome.missing);
  }
  return { images, missing };
}

async function downloadWithRetry(
  url: string,
  n: number,
  options: DownloadSetOptions,
  dispatcher: Dispatcher,
): Promise<DownloadedImage> {
  const attempts = options.attempts ?? RETRY.maxAttempts;
  for (let attempt = 1; ; attempt++) {
    try {
      const file = await downloadImageFile(url, {
        directory: options.directory,
        baseName: fileStem(options.requestId, n),
        extensionOf: (format) => EXTENSIONS[format],
        maxBytes: options.maxBytesPerImage ?? 50 * 1024 * 1024,
        timeoutMs: options.timeoutMs ?? 120_000,
        signal: options.signal,
        dispatcher,
      });
      const size = await readImageDimensions(file.path, file.format);
      return { n, url, ...file, width: size?.width ?? null, height: size?.height ?? null };
    } catch (error) {
      const transient = error instanceof ImageDownloadError && error.code === 'image_download_transient';
      if (!transient || attempt >= attempts) throw error;
      await sleep(backoffDelay(attempt, RETRY), options.signal);
    }
  }
}

/** The error when not one image of a set could be downloaded. */
export function noImagesError(requestId: string, missing: MissingImage[]): AppError {
  // Every file gone (404/410) is an expired set; anything else is a failed download.
  const expired = missing.length > 0 && missing.every((m) => m.reason === 'image_gone');
  return expired
    ? new AppError('images_expired', 'None of the images could be downloaded: all gone', {
        requestId,
        params: { missing: missing.length },
      })
    : new AppError('images_download_failed', 'None of the images could be downloaded', {
        requestId,
        params: { missing: missing.length },
      });
}
