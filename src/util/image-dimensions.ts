/**
 * Pixel size of an image file read from its header: PNG IHDR, JPEG SOF (walking segment
 * headers, so megabytes of metadata before the frame cost a few small reads), GIF screen
 * descriptor, WebP VP8/VP8L/VP8X. Cheap enough to run on every downloaded file without
 * decoding anything; `undefined` when the header is not one we can read.
 */
import { open } from 'node:fs/promises';
import { type Bytes, sliceOf } from './bytes.js';

/** The image formats the bot accepts (and whose headers this reads). */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif';

export interface ImageDimensions {
  width: number;
  height: number;
}

type ReadAt = (position: number, length: number) => Promise<Buffer>;

export async function readImageDimensions(path: string, format: ImageFormat): Promise<ImageDimensions | undefined> {
  const handle = await open(path, 'r');
  try {
    const readAt: ReadAt = async (position, length) => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      return buffer.subarray(0, bytesRead);
    };
    return await dimensionsFrom(readAt, format);
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/** The same, from bytes in memory (a download not yet written). */
export async function imageDimensionsOf(data: Bytes, format: ImageFormat): Promise<ImageDimensions | undefined> {
  const readAt: ReadAt = async (position, length) => sliceOf(data, position, length);
  try {
    return await dimensionsFrom(readAt, format);
  } catch {
    return undefined;
  }
}

async function dimensionsFrom(readAt: ReadAt, format: ImageFormat): Promise<ImageDimensions | undefined> {
  switch (format) {
    case 'png':
      return pngDimensions(await readAt(0, 24));
    case 'gif':
      return gifDimensions(await readAt(0, 10));
    case 'webp':
      return webpDimensions(await readAt(0, 30));
    case 'jpeg':
      return jpegDimensions(readAt);
  }
}

export function pngDimensions(head: Buffer): ImageDimensions | undefined {
  if (head.length < 24 || head.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return valid(head.readUInt32BE(16), head.readUInt32BE(20));
}

export function gifDimensions(head: Buffer): ImageDimensions | undefined {
  if (head.length < 10 || head.toString('latin1', 0, 4) !== 'GIF8') return undefined;
  return valid(head.readUInt16LE(6), head.readUInt16LE(8));
}

export function webpDimensions(head: Buffer): ImageDimensions | undefined {
  if (head.length < 30 || head.toString('latin1', 8, 12) !== 'WEBP') return undefined;
  const chunk = head.toString('latin1', 12, 16);
  if (chunk === 'VP8X') return valid(head.readUIntLE(24, 3) + 1, head.readUIntLE(27, 3) + 1);
  if (chunk === 'VP8L') {
    const bits = head.readUInt32LE(21);
    return valid((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8 ') return valid(head.readUInt16LE(26) & 0x3fff, head.readUInt16LE(28) & 0x3fff);
  return undefined;
}

// Start-of-frame markers: C0–CF except DHT (C4), JPG (C8) and DAC (CC).
const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

export async function jpegDimensions(readAt: ReadAt): Promise<ImageDimensions | undefined> {
  const soi = await readAt(0, 2);
  if (soi.length < 2 || soi[0] !== 0xff || soi[1] !== 0xd8) return undefined;
  let position = 2;
  // A bounded walk: a real file reaches its frame header in a handful of segments.
  for (let segments = 0; segments < 10_000; segments++) {
    const header = await readAt(position, 9);
    if (header.length < 4 || header[0] !== 0xff) return undefined;
    const marker = header[1]!;
    if (marker === 0xff) {
      position += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      position += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image, or scan data before any frame
    if (SOF_MARKERS.has(marker)) {
      if (header.length < 9) return undefined;
      return valid(header.readUInt16BE(7), header.readUInt16BE(5));
    }
    const length = header.readUInt16BE(2);
    if (length < 2) return undefined;
    position += 2 + length;
  }
  return undefined;
}

function valid(width: number, height: number): ImageDimensions | undefined {
  return width > 0 && height > 0 ? { width, height } : undefined;
}
