/**
 * Fetches an edit job's reference images as the service would before generating: each URL must
 * answer 2xx with a PNG, JPEG or WebP (judged by its first bytes, not by what the server calls
 * it) of at most 50 MB. What it learns (size, format, dominant colour) is shown on the output
 * images and in the job's view.
 */
import sharp from 'sharp';
import type { ReferenceReport } from './types.js';

/** "≤ 50 MB each" [doc]: read as 50,000,000 bytes, the stricter of MB and MiB. */
export const MAX_REFERENCE_BYTES = 50_000_000;
const FETCH_TIMEOUT_MS = 10_000;

export interface ReferenceFetchOptions {
  fetch: typeof fetch;
  maxBytes: number;
  timeoutMs?: number;
}

/** PNG, JPEG or WebP by magic bytes; undefined for anything else. */
export function sniffImageFormat(head: Uint8Array): ReferenceReport['format'] {
  const starts = (bytes: number[], at = 0) => bytes.every((b, i) => head[at + i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (starts([0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  return undefined;
}

export async function fetchReference(url: string, index: number, options: ReferenceFetchOptions) {
  const report: ReferenceReport = { index, url, ok: false };
  const failed = (error: string): ReferenceReport => ({ ...report, error });
  let response: Response;
  try {
    response = await options.fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? FETCH_TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return failed(`Could not fetch the image (${cause})`);
  }
  report.httpStatus = response.status;
  const contentType = response.headers.get('content-type');
  if (contentType) report.contentType = contentType;
  if (!response.ok) {
    await response.body?.cancel();
    return failed(`Could not fetch the image: HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > options.maxBytes) {
    await response.body?.cancel();
    return failed(`The image is larger than ${options.maxBytes} bytes`);
  }
  const bytes = await readAtMost(response, options.maxBytes);
  if (bytes === 'too-large') return failed(`The image is larger than ${options.maxBytes} bytes`);
  if (bytes === 'broken') return failed('Could not fetch the image (the connection broke)');
  report.bytes = bytes.length;
  const format = sniffImageFormat(bytes.subarray(0, 12));
  if (!format) return failed('The file is not an image (PNG, JPEG or WebP)');
  report.format = format;
  try {
    const image = sharp(bytes, { limitInputPixels: 100_000_000 });
    const [metadata, stats] = await Promise.all([image.metadata(), image.stats()]);
    report.width = metadata.width;
    report.height = metadata.height;
    const { r, g, b } = stats.dominant;
    report.dominantColour = `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
  } catch {
    return failed(`The ${format.toUpperCase()} image cannot be decoded`);
  }
  return { ...report, ok: true };
}

async function readAtMost(response: Response, maxBytes: number): Promise<Buffer | 'too-large' | 'broken'> {
  if (!response.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      size += chunk.length;
      // Leaving the loop cancels the stream: the rest is never downloaded.
      if (size > maxBytes) return 'too-large';
      chunks.push(chunk);
    }
  } catch {
    return 'broken';
  }
  return Buffer.concat(chunks);
}
