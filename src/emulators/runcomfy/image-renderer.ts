import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { wrapCaption } from './caption-layout.js';
import { LruCache } from './lru-cache.js';

export type ImageFormat = 'jpeg' | 'png';

export interface FrameSpec {
  width: number;
  height: number;
  /** 0-based position in the set. */
  index: number;
  count: number;
  prompt: string;
  format: ImageFormat;
  /** Edit jobs: the references it came from, shown as labelled swatches of their dominant colour. */
  references?: ReadonlyArray<{ label: string; colour: string }>;
}

/**
 * Renders real frames with sharp, lazily and cached by content (not by request id), so a
 * benchmark that repeats one prompt renders each frame once and memory stays bounded.
 */
export class ImageRenderer {
  private readonly cache: LruCache<string, Buffer>;
  private readonly pending = new Map<string, Promise<Buffer>>();

  constructor(cacheSize: number) {
    this.cache = new LruCache(cacheSize);
  }

  /**
   * The frame grown to `bytes` (padImage), cached like the frames: a CDN serves the same bytes
   * again without building them, and the benchmarks' 45 MB sets would otherwise be rebuilt,
   * and collected, in the emulator for every download.
   */
  async renderPadded(frame: FrameSpec, bytes: number): Promise<Buffer> {
    const image = await this.render(frame);
    const key = `${this.#key(frame)}|padded:${bytes}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const padded = padImage(image, frame.format, bytes);
    this.cache.set(key, padded);
    return padded;
  }

  #key(frame: FrameSpec): string {
    const references = (frame.references ?? []).map((r) => `${r.label}=${r.colour}`).join(',');
    return `${frame.width}x${frame.height}|${frame.index}/${frame.count}|${frame.format}|${references}|${captionLines(frame).join('\n')}`;
  }

  render(frame: FrameSpec): Promise<Buffer> {
    const key = this.#key(frame);
    const cached = this.cache.get(key);
    if (cached) return Promise.resolve(cached);
    let inFlight = this.pending.get(key);
    if (!inFlight) {
      inFlight = renderFrame(frame).then(
        (buffer) => {
          this.pending.delete(key);
          this.cache.set(key, buffer);
          return buffer;
        },
        (error: unknown) => {
          this.pending.delete(key);
          throw error;
        },
      );
      this.pending.set(key, inFlight);
    }
    return inFlight;
  }
}

async function renderFrame(frame: FrameSpec): Promise<Buffer> {
  const { width, height, index, count } = frame;
  const background = frameColour(index);
  const big = Math.round(Math.min(width, height) * 0.45);
  const small = captionFontSize(frame);
  const lineHeight = Math.round(small * 1.3);
  const lines = captionLines(frame);
  // The caption sits on the bottom edge and grows upwards; "k of N" stays just above it.
  const lastBaseline = height - small * 1.2;
  const caption = lines.map(
    (line, i) =>
      `<text x="${width / 2}" y="${lastBaseline - (lines.length - 1 - i) * lineHeight}" font-size="${small}">${escapeXml(line)}</text>`,
  );
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<g font-family="DejaVu Sans, sans-serif" fill="#ffffff" text-anchor="middle">
<text x="${width / 2}" y="${height / 2 + big / 3}" font-size="${big}" font-weight="bold">${index + 1}</text>
<text x="${width / 2}" y="${lastBaseline - lines.length * lineHeight - small * 0.3}" font-size="${small}">${escapeXml(`${index + 1} of ${count}`)}</text>
${caption.join('\n')}
</g></svg>`;
  const strip = referenceStrip(frame, small);
  const svgWithStrip = strip ? svg.replace('</svg>', `${strip}</svg>`) : svg;
  const image = sharp({ create: { width, height, channels: 3, background } }).composite([
    { input: Buffer.from(svgWithStrip), top: 0, left: 0 },
  ]);
  return frame.format === 'png'
    ? image.png({ compressionLevel: 6 }).toBuffer()
    : image.jpeg({ quality: 80 }).toBuffer();
}

/**
 * Where the swatch of reference `k` (0-based) of `n` sits: equal cells across the top band of
 * the frame, so a test can read its colour back from the pixels.
 */
export function referenceSwatch(frame: Pick<FrameSpec, 'width' | 'height'>, k: number, n: number) {
  const height = Math.round(frame.height * 0.12);
  const cell = frame.width / n;
  return { left: Math.round(k * cell), top: 0, width: Math.round(cell), height };
}

/** The top band of an edit job's frame: one swatch per reference, its label, and "from ref 1, ref 2" under it. */
function referenceStrip(frame: FrameSpec, fontSize: number): string {
  const references = frame.references ?? [];
  if (references.length === 0) return '';
  const parts = references.map((reference, k) => {
    const box = referenceSwatch(frame, k, references.length);
    const fill = /^#[0-9a-f]{6}$/i.test(reference.colour) ? reference.colour : '#000000';
    // The label sits in the lower quarter of the swatch; its centre stays the pure colour.
    return `<rect x="${box.left}" y="0" width="${box.width}" height="${box.height}" fill="${fill}"/>
<text x="${box.left + box.width / 2}" y="${box.height - fontSize * 0.3}" font-size="${fontSize * 0.8}" fill="#ffffff" stroke="#000000" stroke-width="${Math.max(1, fontSize / 20)}" text-anchor="middle">${escapeXml(reference.label)}</text>`;
  });
  const bandHeight = referenceSwatch(frame, 0, references.length).height;
  const from = `from ${references.map((r) => r.label).join(', ')}`;
  parts.push(
    `<text x="${frame.width / 2}" y="${bandHeight + fontSize * 1.3}" font-size="${fontSize}" fill="#ffffff" font-family="DejaVu Sans, sans-serif" text-anchor="middle">${escapeXml(from)}</text>`,
  );
  return `<g font-family="DejaVu Sans, sans-serif">${parts.join('\n')}</g>`;
}

/** With at most four lines the caption stays clear of the frame number on every size. */
export const MAX_CAPTION_LINES = 4;

function captionFontSize(frame: Pick<FrameSpec, 'width' | 'height'>): number {
  return Math.round(Math.min(frame.width, frame.height) * 0.04);
}

/** The prompt wrapped to the frame's width (90 % of it), cut with an ellipsis only if it does not fit. */
export function captionLines(frame: Pick<FrameSpec, 'width' | 'height' | 'prompt'>): string[] {
  // Control characters are not allowed in the SVG's XML; line breaks become spaces like the rest.
  const text = frame.prompt.replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, ' ').trim();
  return wrapCaption(text, (frame.width * 0.9) / captionFontSize(frame), MAX_CAPTION_LINES).lines;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Golden-angle hues give neighbouring frames clearly different colours. */
export function frameColour(index: number): { r: number; g: number; b: number } {
  const hue = (index * 137.508) % 360;
  return hslToRgb(hue, 0.55, 0.42);
}

function hslToRgb(h: number, s: number, l: number): { r: number; g: number; b: number } {
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const x = c * (1 - Math.abs(((h / 60) % 2) - 1));
  const m = l - c / 2;
  const [r, g, b] =
    h < 60
      ? [c, x, 0]
      : h < 120
        ? [x, c, 0]
        : h < 180
          ? [0, c, x]
          : h < 240
            ? [0, x, c]
            : h < 300
              ? [x, 0, c]
              : [c, 0, x];
  return { r: Math.round((r + m) * 255), g: Math.round((g + m) * 255), b: Math.round((b + m) * 255) };
}

/**
 * Grows a valid image to at least `bytes` with metadata decoders skip: JPEG comment (COM)
 * segments right after SOI, or one private ancillary PNG chunk ("emPd") before IEND.
 * Re-encoding the image drops the padding.
 */
export function padImage(image: Buffer, format: ImageFormat, bytes: number): Buffer {
  const missing = bytes - image.length;
  if (missing <= 0) return image;
  return format === 'png' ? padPng(image, missing) : padJpeg(image, missing);
}

function padJpeg(jpeg: Buffer, missing: number): Buffer {
  const maxPayload = 0xffff - 2;
  const segments: Buffer[] = [];
  let added = 0;
  while (added < missing) {
    const payload = Math.min(maxPayload, Math.max(1, missing - added - 4));
    const segment = Buffer.alloc(4 + payload, 0x20);
    segment[0] = 0xff;
    segment[1] = 0xfe;
    segment.writeUInt16BE(payload + 2, 2);
    segments.push(segment);
    added += segment.length;
  }
  return Buffer.concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)]);
}

function padPng(png: Buffer, missing: number): Buffer {
  const payload = Math.max(0, missing - 12);
  const chunk = Buffer.alloc(12 + payload);
  chunk.writeUInt32BE(payload, 0);
  chunk.write('emPd', 4, 'latin1');
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + payload)), 8 + payload);
  const iendAt = png.length - 12;
  return Buffer.concat([png.subarray(0, iendAt), chunk, png.subarray(iendAt)]);
}

const bombs = new LruCache<string, Buffer>(2);

/**
 * A valid PNG of `width`×`height` black pixels that is tiny on the wire: 1-bit grayscale rows of
 * zeros deflate about 1000:1 (16,000² is 256 MP, about 32 KB). Decoded to RGB it is 768 MB.
 */
export function bombPng(width: number, height: number): Buffer {
  const key = `${width}x${height}`;
  const cached = bombs.get(key);
  if (cached) return cached;
  const row = 1 + Math.ceil(width / 8); // filter byte, then the packed bits
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // grayscale
  const data = deflateSync(Buffer.alloc(row * height), { level: 9 });
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', data),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
  bombs.set(key, png);
  return png;
}

function pngChunk(type: string, payload: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + payload.length);
  chunk.writeUInt32BE(payload.length, 0);
  chunk.write(type, 4, 'latin1');
  payload.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + payload.length)), 8 + payload.length);
  return chunk;
}
