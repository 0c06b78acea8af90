/**
 * The eight aspect ratios of the model page as plain data, with labels for the three
 * locales the bot speaks, and a forgiving parser for what people type.
 */

import type { ImageSize } from './input.js';
import { type SeedreamLocale, toSeedreamLocale } from './locale.js';

export type AspectRatioKey = '1:1' | '4:3' | '3:4' | '16:9' | '9:16' | '3:2' | '2:3' | '21:9';
export type Orientation = 'square' | 'landscape' | 'portrait';

export interface AspectRatio {
  key: AspectRatioKey;
  /** The exact `image_size` value the API takes. */
  imageSize: ImageSize;
  width: number;
  height: number;
  orientation: Orientation;
  labels: Readonly<Record<SeedreamLocale, string>>;
}

// Taiwan says 橫式/直式 and 螢幕; the mainland says 横版/竖版 and 屏.
export const ASPECT_RATIOS: readonly AspectRatio[] = [
  {
    key: '1:1',
    imageSize: '2048:2048 (1:1)',
    width: 2048,
    height: 2048,
    orientation: 'square',
    labels: { 'en-US': '1:1 square', 'zh-TW': '1:1 正方形', 'zh-CN': '1:1 正方形' },
  },
  {
    key: '4:3',
    imageSize: '2304:1728 (4:3)',
    width: 2304,
    height: 1728,
    orientation: 'landscape',
    labels: { 'en-US': '4:3 landscape (classic)', 'zh-TW': '4:3 橫式（經典）', 'zh-CN': '4:3 横版（经典）' },
  },
  {
    key: '3:4',
    imageSize: '1728:2304 (3:4)',
    width: 1728,
    height: 2304,
    orientation: 'portrait',
    labels: { 'en-US': '3:4 portrait (classic)', 'zh-TW': '3:4 直式（經典）', 'zh-CN': '3:4 竖版（经典）' },
  },
  {
    key: '16:9',
    imageSize: '2560:1440 (16:9)',
    width: 2560,
    height: 1440,
    orientation: 'landscape',
    labels: { 'en-US': '16:9 landscape (widescreen)', 'zh-TW': '16:9 橫式（寬螢幕）', 'zh-CN': '16:9 横版（宽屏）' },
  },
  {
    key: '9:16',
    imageSize: '1440:2560 (9:16)',
    width: 1440,
    height: 2560,
    orientation: 'portrait',
    labels: { 'en-US': '9:16 portrait (phone)', 'zh-TW': '9:16 直式（手機）', 'zh-CN': '9:16 竖版（手机）' },
  },
  {
    key: '3:2',
    imageSize: '2496:1664 (3:2)',
    width: 2496,
    height: 1664,
    orientation: 'landscape',
    labels: { 'en-US': '3:2 landscape (photo)', 'zh-TW': '3:2 橫式（相片）', 'zh-CN': '3:2 横版（照片）' },
  },
  {
    key: '2:3',
    imageSize: '1664:2496 (2:3)',
    width: 1664,
    height: 2496,
    orientation: 'portrait',
    labels: { 'en-US': '2:3 portrait (photo)', 'zh-TW': '2:3 直式（相片）', 'zh-CN': '2:3 竖版（照片）' },
  },
  {
    key: '21:9',
    imageSize: '3024:1296 (21:9)',
    width: 3024,
    height: 1296,
    orientation: 'landscape',
    labels: { 'en-US': '21:9 cinematic', 'zh-TW': '21:9 電影寬螢幕', 'zh-CN': '21:9 电影宽银幕' },
  },
];

export const ASPECT_RATIO_KEYS: readonly AspectRatioKey[] = ASPECT_RATIOS.map((a) => a.key);

/** The most pixels of any frame the model makes: 2048×2048 = 4.2 MP (21:9 is 3024×1296 = 3.9 MP). */
export const LARGEST_FRAME_PIXELS = Math.max(...ASPECT_RATIOS.map((a) => a.width * a.height));

/**
 * The most pixels an image from RunComfy may have before it is refused undecoded (and sharp's
 * `limitInputPixels`): 4× the largest frame, 4096×4096 = 16.8 MP. The margin leaves room for a
 * model that doubles the side of its frames; a decoded frame at the limit is 67 MB of RGBA, while
 * a 776 KB 16,000×16,000 PNG (256 MP, 1 GB decoded) is far beyond it.
 */
export const MAX_OUTPUT_PIXELS = 4 * LARGEST_FRAME_PIXELS;

export function getAspectRatio(key: string): AspectRatio | undefined {
  return ASPECT_RATIOS.find((a) => a.key === key);
}

export function findAspectRatioByImageSize(imageSize: string): AspectRatio | undefined {
  return ASPECT_RATIOS.find((a) => a.imageSize === imageSize);
}

/** The label in `locale` (any locale string; unknown ones read English). */
export function aspectRatioLabel(aspect: AspectRatio, locale?: string): string {
  return aspect.labels[toSeedreamLocale(locale)];
}

/**
 * Reads what a person or a setting may hold: '16:9', '16x9', '16×9', '16/9', '16 : 9',
 * full-width '１６：９', the API's '2560:1440 (16:9)', bare pixels '2560x1440', and 'square'.
 * Ratios compare in lowest terms, so '7:3' and '3024:1296' are 21:9 and '1920x1080' is 16:9.
 * Anything else (including ratios the model does not offer) is `undefined`.
 */
export function parseAspectRatio(input: string): AspectRatio | undefined {
  const text = toHalfWidth(input).trim().toLowerCase();
  if (text === '') return undefined;
  const exact = ASPECT_RATIOS.find((a) => a.imageSize.toLowerCase() === text);
  if (exact) return exact;
  if (text === 'square') return getAspectRatio('1:1');
  const match = /^(\d{1,5})\s*[:x×/]\s*(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const reduced = reduceRatio(Number(match[1]), Number(match[2]));
  if (!reduced) return undefined;
  return ASPECT_RATIOS.find((a) => {
    const own = reduceRatio(a.width, a.height)!;
    return own.w === reduced.w && own.h === reduced.h;
  });
}

function reduceRatio(w: number, h: number): { w: number; h: number } | undefined {
  if (w <= 0 || h <= 0) return undefined;
  const divisor = gcd(w, h);
  return { w: w / divisor, h: h / divisor };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Full-width ASCII (as typed with a Chinese IME) to plain ASCII. */
function toHalfWidth(text: string): string {
  return text.replace(/[\uFF01-\uFF5E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0));
}
