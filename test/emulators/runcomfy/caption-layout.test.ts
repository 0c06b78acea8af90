import { describe, expect, it } from 'vitest';
import { textWidthEm, wrapCaption } from '../../../src/emulators/runcomfy/caption-layout.js';
import { captionLines, MAX_CAPTION_LINES } from '../../../src/emulators/runcomfy/image-renderer.js';

const SUNSET = 'Generate 3 images of a beautiful sunset over a calm ocean.';
const LONG =
  'Generate 3 images of a beautiful sunset over a calm ocean, with gulls circling a lighthouse on the rocks ' +
  'and the last light turning the clouds pink and gold, seen from a small boat far out at sea, in the style ' +
  'of a watercolour painting with soft edges and visible paper texture, then the night falls slowly.';
const CHINESE = '生成3張圖片：黃昏時的燈塔，海鷗在岩石上盤旋，最後的光線把雲染成粉紅色和金色，水彩畫風格。';

const words = (text: string) => text.split(/\s+/).filter(Boolean);

describe('wrapCaption', () => {
  it('keeps a prompt that fits whole, on one line when it can', () => {
    expect(wrapCaption(SUNSET, 60, 3)).toEqual({ lines: [SUNSET], truncated: false });
  });

  it('wraps between words, every line within the width, losing no word', () => {
    const layout = wrapCaption(SUNSET, 14, 6);
    expect(layout.truncated).toBe(false);
    expect(layout.lines.length).toBeGreaterThan(2);
    for (const line of layout.lines) expect(textWidthEm(line), line).toBeLessThanOrEqual(14);
    expect(layout.lines.flatMap(words)).toEqual(words(SUNSET));
  });

  it('cuts only when it truly does not fit: after the last whole word that does, with an ellipsis', () => {
    const layout = wrapCaption(LONG, 30, 3);
    expect(layout.truncated).toBe(true);
    expect(layout.lines).toHaveLength(3);
    const last = layout.lines.at(-1)!;
    expect(last.endsWith('…')).toBe(true);
    for (const line of layout.lines) expect(textWidthEm(line), line).toBeLessThanOrEqual(30);
    // What is shown is the prompt's start, up to a word boundary: no word is cut in half.
    const shown = layout.lines.join(' ').slice(0, -1);
    expect(LONG.startsWith(shown)).toBe(true);
    expect([' ', ',']).toContain(LONG[shown.length]);
    // One more line would have taken the rest further: the ellipsis is not premature.
    expect(wrapCaption(LONG, 30, 20).truncated).toBe(false);
  });

  it('wraps CJK text per character, with no spaces added and no closing punctuation starting a line', () => {
    const layout = wrapCaption(CHINESE, 10, 8);
    expect(layout.truncated).toBe(false);
    expect(layout.lines.join('')).toBe(CHINESE);
    for (const line of layout.lines) {
      expect(textWidthEm(line), line).toBeLessThanOrEqual(10.0001);
      expect(line).not.toMatch(/^[，。：]/);
    }
    expect(layout.lines.length).toBeGreaterThan(4);
    // The comma would open the second line: it goes down with the character before it.
    expect(wrapCaption('一二三四五，六七', 5, 3).lines).toEqual(['一二三四', '五，六七']);
  });

  it('cuts CJK text at a character, with an ellipsis, when it does not fit', () => {
    const layout = wrapCaption(CHINESE, 10, 2);
    expect(layout.truncated).toBe(true);
    expect(layout.lines).toHaveLength(2);
    const shown = layout.lines.join('');
    expect(shown.endsWith('…')).toBe(true);
    expect(CHINESE.startsWith(shown.slice(0, -1).replace(/[，：]$/, ''))).toBe(true);
  });

  it('keeps Latin words whole inside Chinese text', () => {
    const layout = wrapCaption('一座燈塔 lighthouse 在海邊 watercolour', 8, 6);
    expect(layout.truncated).toBe(false);
    expect(layout.lines.some((line) => line.includes('lighthouse'))).toBe(true);
    expect(layout.lines.some((line) => line.includes('watercolour'))).toBe(true);
    // A CJK run is not a word: it fills the line it starts on rather than moving down whole.
    expect(wrapCaption('see 黃昏時的燈塔與海鷗', 6, 3).lines).toEqual(['see 黃昏時', '的燈塔與海鷗']);
  });

  it('splits a single word wider than a line (a URL) rather than dropping it', () => {
    const url = 'https://example.com/a/very/long/path/that/does/not/fit/on/one/line';
    const layout = wrapCaption(`see ${url}`, 12, 10);
    expect(layout.truncated).toBe(false);
    expect(layout.lines.join('')).toBe(`see${url}`);
    for (const line of layout.lines) expect(textWidthEm(line)).toBeLessThanOrEqual(12);
  });
});

describe('captionLines (the frame caption)', () => {
  it('shows the model page example whole on every size, where the old caption cut it at six words', () => {
    for (const [width, height] of [
      [2048, 2048],
      [1440, 2560],
      [3024, 1296],
    ] as const) {
      expect(captionLines({ width, height, prompt: SUNSET }).flatMap(words)).toEqual(words(SUNSET));
    }
  });

  it('turns line breaks and control characters into spaces and stays within the line budget', () => {
    const lines = captionLines({ width: 1440, height: 2560, prompt: `a\nb\tc\u0007d ${LONG.repeat(3)}` });
    expect(lines[0]!.startsWith('a b c d ')).toBe(true);
    expect(lines.length).toBe(MAX_CAPTION_LINES);
    expect(lines.at(-1)!.endsWith('…')).toBe(true);
  });
});
