/**
 * Fits a set into Discord messages: at most 10 attachments (one media gallery of ≤ 10) a message,
 * each file within the per-file limit, each request within the per-request limit. An image
 * over the per-file limit is re-encoded (JPEG, lower quality, then smaller) to fit; only if
 * that fails is it linked instead. Deterministic: the same set packs the same way after a
 * restart, so a resumed delivery posts exactly the parts not yet posted.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { MAX_OUTPUT_PIXELS } from '../models/seedream-sequential/aspect-ratios.js';
import type { SpooledImage } from '../store/image-spool.js';
import { type Bytes, byteLength, joinBytes } from '../util/bytes.js';

export const DISCORD_LIMITS = {
  attachmentsPerMessage: 10,
  defaultFileBytes: 10 * 1024 * 1024,
  requestBytes: 25 * 1024 * 1024,
} as const;

/** Room left in a request for the JSON payload and multipart framing. */
const REQUEST_OVERHEAD_BYTES = 256 * 1024;

export interface PreparedImage {
  index: number;
  /** 1-based position in the set, as users count. */
  number: number;
  filename: string;
  contentType: string;
  /** The bytes to upload, or undefined when the image could not be made to fit (linked instead). */
  data: Bytes | undefined;
  reencoded: boolean;
}

export interface PackedPart {
  images: PreparedImage[];
}

const CONTENT_TYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
};

export async function prepareImages(
  images: SpooledImage[],
  options: { fileLimitBytes: number; baseName: string },
): Promise<PreparedImage[]> {
  // Files that fit are read side by side (the set is held in memory either way); the few that
  // must be re-encoded go one at a time, as each decodes a full frame.
  const reads = images.map((image) =>
    image.bytes <= options.fileLimitBytes ? (image.data ?? readFile(image.path)) : Promise.resolve(undefined),
  );
  // Every read is awaited before anything is thrown, so no rejection is left unhandled.
  const settled = await Promise.allSettled(reads);
  const prepared: PreparedImage[] = [];
  for (const [position, image] of images.entries()) {
    const number = image.index + 1;
    const read = settled[position]!;
    if (read.status === 'rejected') throw read.reason;
    if (read.value !== undefined) {
      prepared.push({
        index: image.index,
        number,
        filename: `${options.baseName}-${number}.${image.format === 'jpeg' ? 'jpg' : image.format}`,
        contentType: CONTENT_TYPES[image.format] ?? 'application/octet-stream',
        data: read.value,
        reencoded: false,
      });
      continue;
    }
    const data = await reencodeToFit(image.data ?? image.path, options.fileLimitBytes);
    prepared.push({
      index: image.index,
      number,
      filename: `${options.baseName}-${number}.jpg`,
      contentType: 'image/jpeg',
      data,
      reencoded: data !== undefined,
    });
  }
  return prepared;
}

/** JPEG at falling quality, then at shrinking size, until it fits; undefined if it never does. */
export async function reencodeToFit(bytesOrPath: Bytes | string, limitBytes: number): Promise<Buffer | undefined> {
  const source = typeof bytesOrPath === 'string' ? bytesOrPath : joinBytes(bytesOrPath);
  let metadata: sharp.Metadata;
  try {
    metadata = await sharp(source).metadata();
  } catch {
    return undefined; // not decodable: link it
  }
  const width = metadata.width ?? 0;
  const attempts: Array<{ quality: number; scale: number }> = [
    { quality: 90, scale: 1 },
    { quality: 80, scale: 1 },
    { quality: 70, scale: 1 },
    { quality: 80, scale: 0.75 },
    { quality: 75, scale: 0.5 },
    { quality: 70, scale: 0.35 },
  ];
  for (const { quality, scale } of attempts) {
    // A pixel bomb that got this far is refused by sharp before it decodes a frame.
    let pipeline = sharp(source, { limitInputPixels: MAX_OUTPUT_PIXELS }).rotate();
    if (scale < 1 && width > 0) pipeline = pipeline.resize({ width: Math.max(1, Math.round(width * scale)) });
    let data: Buffer;
    try {
      data = await pipeline.jpeg({ quality, mozjpeg: true }).toBuffer();
    } catch {
      return undefined; // too many pixels, or not decodable after all: link it
    }
    if (data.length <= limitBytes) return data;
  }
  return undefined;
}

/** Groups prepared images into parts within the per-message and per-request limits, in order. */
export function packParts(
  images: PreparedImage[],
  requestLimitBytes: number = DISCORD_LIMITS.requestBytes,
): PackedPart[] {
  const budget = requestLimitBytes - REQUEST_OVERHEAD_BYTES;
  const parts: PackedPart[] = [];
  let current: PreparedImage[] = [];
  let bytes = 0;
  for (const image of images) {
    const size = image.data ? byteLength(image.data) : 0;
    const full =
      current.length >= DISCORD_LIMITS.attachmentsPerMessage || (current.length > 0 && bytes + size > budget);
    if (full) {
      parts.push({ images: current });
      current = [];
      bytes = 0;
    }
    current.push(image);
    bytes += size;
  }
  if (current.length > 0) parts.push({ images: current });
  return parts;
}
