/**
 * The contact sheet of a set: one overview JPEG with every frame in order, each numbered as
 * people count (1…N), small enough (a few hundred KB) to be a gallery post's preview and the
 * first image of a result. Numbers are drawn from a built-in bitmap font as SVG rectangles, so
 * the sheet looks the same on every machine whatever fonts it has installed.
 */
import sharp from 'sharp';
import { MAX_OUTPUT_PIXELS } from '../../models/seedream-sequential/aspect-ratios.js';
import type { SpooledImage } from '../../store/image-spool.js';
import { joinBytes } from '../../util/bytes.js';
import type { PreparedImage } from '../pack-images.js';

export interface ContactSheetSource {
  /** A local file (the spool copy) or the bytes themselves. */
  path?: string;
  data?: Buffer;
}

export interface ContactSheetOptions {
  /** Largest side of the sheet, in pixels. */
  maxSide?: number;
  /** The JPEG must end up at most this large. */
  maxBytes?: number;
}

export interface ContactSheetTile {
  /** 1-based, as the badge shows it. */
  number: number;
  left: number;
  top: number;
  width: number;
  height: number;
  /** The dark plate that carries the number, inside the tile. */
  badge: { left: number; top: number; width: number; height: number };
}

export interface ContactSheet {
  data: Buffer;
  width: number;
  height: number;
  /** Where each frame landed, in order (tests check the order; callers may ignore it). */
  tiles: ContactSheetTile[];
}

/** Sets larger than this get a contact sheet. */
export const CONTACT_SHEET_MIN_IMAGES = 5;

const BACKGROUND = { r: 30, g: 31, b: 34 };
const GAP = 8;
const TARGET_ASPECT = 1.5;

/** A 5×7 pixel font for the digits (rows top to bottom, 1 = ink). */
const DIGITS: Record<string, readonly string[]> = {
  '0': ['01110', '10001', '10011', '10101', '11001', '10001', '01110'],
  '1': ['00100', '01100', '00100', '00100', '00100', '00100', '01110'],
  '2': ['01110', '10001', '00001', '00010', '00100', '01000', '11111'],
  '3': ['11111', '00010', '00100', '00010', '00001', '10001', '01110'],
  '4': ['00010', '00110', '01010', '10010', '11111', '00010', '00010'],
  '5': ['11111', '10000', '11110', '00001', '00001', '10001', '01110'],
  '6': ['00110', '01000', '10000', '11110', '10001', '10001', '01110'],
  '7': ['11111', '00001', '00010', '00100', '01000', '01000', '01000'],
  '8': ['01110', '10001', '10001', '01110', '10001', '10001', '01110'],
  '9': ['01110', '10001', '10001', '01111', '00001', '00010', '01100'],
};

/** Columns for `count` frames of aspect `tileAspect`: the grid nearest a 3:2 sheet, few empty cells. */
export function chooseColumns(count: number, tileAspect: number): number {
  if (count <= 4) return Math.max(1, count);
  let best = { columns: 1, score: Number.POSITIVE_INFINITY };
  for (let columns = 2; columns <= Math.min(6, count); columns++) {
    const rows = Math.ceil(count / columns);
    const empty = rows * columns - count;
    const score = Math.abs(Math.log((columns * tileAspect) / rows / TARGET_ASPECT)) + 0.15 * empty;
    if (score < best.score) best = { columns, score };
  }
  return best.columns;
}

export async function renderContactSheet(
  sources: readonly ContactSheetSource[],
  options: ContactSheetOptions = {},
): Promise<ContactSheet> {
  if (sources.length === 0) throw new Error('a contact sheet needs at least one image');
  const maxSide = options.maxSide ?? 1600;
  const maxBytes = options.maxBytes ?? 450 * 1024;
  const tileAspect = await aspectOf(sources);
  const columns = chooseColumns(sources.length, tileAspect);
  const rows = Math.ceil(sources.length / columns);
  // Fit the grid in maxSide × maxSide, keeping the frames' own shape.
  let tileWidth = Math.floor((maxSide - GAP * (columns + 1)) / columns);
  let tileHeight = Math.round(tileWidth / tileAspect);
  const heightNeeded = rows * tileHeight + GAP * (rows + 1);
  if (heightNeeded > maxSide) {
    tileHeight = Math.floor((maxSide - GAP * (rows + 1)) / rows);
    tileWidth = Math.round(tileHeight * tileAspect);
  }
  const width = columns * tileWidth + GAP * (columns + 1);
  const height = rows * tileHeight + GAP * (rows + 1);
  const tiles: ContactSheetTile[] = sources.map((_, index) => {
    const left = GAP + (index % columns) * (tileWidth + GAP);
    const top = GAP + Math.floor(index / columns) * (tileHeight + GAP);
    return {
      number: index + 1,
      left,
      top,
      width: tileWidth,
      height: tileHeight,
      badge: badgeBox(index + 1, left, top, tileWidth, tileHeight),
    };
  });

  // Decoding full-size frames is the slow part: let sharp's thread pool take them side by side.
  const pixels = await Promise.all(sources.map((source, index) => tilePixels(source, tiles[index]!)));
  const layers: sharp.OverlayOptions[] = [];
  for (const [index, tile] of tiles.entries()) {
    const input = pixels[index];
    if (input)
      layers.push({
        input,
        raw: { width: tile.width, height: tile.height, channels: 3 },
        left: tile.left,
        top: tile.top,
      });
  }
  layers.push({ input: Buffer.from(badgesSvg(width, height, tiles)), left: 0, top: 0 });
  const canvas = await sharp({ create: { width, height, channels: 3, background: BACKGROUND } })
    .composite(layers)
    .removeAlpha() // the SVG layer brings an alpha channel; the canvas is read back as RGB
    .raw()
    .toBuffer();

  // Lower the quality, then the size, until it fits the byte budget.
  for (const scale of [1, 0.75, 0.5]) {
    for (const quality of [82, 72, 60, 48]) {
      let pipeline = sharp(canvas, { raw: { width, height, channels: 3 } });
      if (scale < 1) pipeline = pipeline.resize({ width: Math.round(width * scale) });
      // Plain libjpeg: mozjpeg saves ~15% but takes 20× longer on a busy sheet.
      const data = await pipeline.jpeg({ quality, optimiseCoding: true }).toBuffer();
      if (data.length <= maxBytes) {
        return scale === 1 ? { data, width, height, tiles } : scaled(data, scale, width, height, tiles);
      }
    }
  }
  throw new Error(`the contact sheet could not be made smaller than ${maxBytes} bytes`);
}

function scaled(data: Buffer, scale: number, width: number, height: number, tiles: ContactSheetTile[]): ContactSheet {
  const newWidth = Math.round(width * scale);
  const factor = newWidth / width;
  return {
    data,
    width: newWidth,
    height: Math.round(height * factor),
    tiles: tiles.map((t) => ({
      number: t.number,
      ...scaleBox(t, factor),
      badge: scaleBox(t.badge, factor),
    })),
  };
}

function scaleBox(box: { left: number; top: number; width: number; height: number }, factor: number) {
  return {
    left: Math.round(box.left * factor),
    top: Math.round(box.top * factor),
    width: Math.round(box.width * factor),
    height: Math.round(box.height * factor),
  };
}

/** Size of one font pixel in a tile: the numbers grow with the tiles. */
function fontPixel(tileWidth: number, tileHeight: number): number {
  return Math.max(2, Math.round(Math.min(tileWidth, tileHeight) / 36));
}

function badgeBox(number: number, left: number, top: number, tileWidth: number, tileHeight: number) {
  const pixel = fontPixel(tileWidth, tileHeight);
  const padding = pixel * 2;
  return {
    left: left + pixel * 2,
    top: top + pixel * 2,
    width: String(number).length * 6 * pixel - pixel + padding * 2,
    height: 7 * pixel + padding * 2,
  };
}

/** The frames of a set share one size; the first readable one decides the tile shape. */
async function aspectOf(sources: readonly ContactSheetSource[]): Promise<number> {
  for (const source of sources) {
    try {
      const { width, height } = await sharp(source.data ?? source.path).metadata();
      if (width && height) return width / height;
    } catch {
      // not decodable: try the next one
    }
  }
  return 1;
}

/** The frame cropped to fill its tile, as raw RGB; undefined when it cannot be decoded (left blank). */
async function tilePixels(source: ContactSheetSource, tile: ContactSheetTile): Promise<Buffer | undefined> {
  try {
    return await sharp(source.data ?? source.path, { limitInputPixels: MAX_OUTPUT_PIXELS })
      .rotate()
      .resize(tile.width, tile.height, { fit: 'cover' })
      .flatten({ background: BACKGROUND })
      .removeAlpha()
      .raw()
      .toBuffer();
  } catch {
    return undefined;
  }
}

/** One SVG with a dark badge and the frame's number in the top-left corner of every tile. */
function badgesSvg(width: number, height: number, tiles: readonly ContactSheetTile[]): string {
  const parts: string[] = [];
  for (const tile of tiles) {
    const pixel = fontPixel(tile.width, tile.height);
    const padding = pixel * 2;
    const { left: x0, top: y0, width: badgeWidth, height: badgeHeight } = tile.badge;
    const digits = String(tile.number);
    parts.push(
      `<rect x="${x0}" y="${y0}" width="${badgeWidth}" height="${badgeHeight}" rx="${pixel * 2}" fill="#000" fill-opacity="0.72"/>`,
    );
    for (const [position, digit] of [...digits].entries()) {
      const glyph = DIGITS[digit]!;
      const gx = x0 + padding + position * 6 * pixel;
      for (const [row, bits] of glyph.entries()) {
        for (let column = 0; column < bits.length; column++) {
          if (bits[column] === '1') {
            parts.push(
              `<rect x="${gx + column * pixel}" y="${y0 + padding + row * pixel}" width="${pixel}" height="${pixel}" fill="#fff"/>`,
            );
          }
        }
      }
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** The sheet as the first file of a result or a gallery post (`<baseName>-sheet.jpg`). */
export async function contactSheetImage(
  images: readonly Pick<SpooledImage, 'path' | 'data'>[],
  baseName: string,
): Promise<PreparedImage> {
  // sharp reads one buffer: the frames' chunks are joined here, after the set's own upload.
  const sheet = await renderContactSheet(
    images.map((image) => ({ path: image.path, ...(image.data && { data: joinBytes(image.data) }) })),
  );
  return {
    index: -1,
    number: 0,
    filename: `${baseName}-sheet.jpg`,
    contentType: 'image/jpeg',
    data: sheet.data,
    reencoded: false,
  };
}
