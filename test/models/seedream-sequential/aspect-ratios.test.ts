import { describe, expect, it } from 'vitest';
import {
  ASPECT_RATIO_KEYS,
  ASPECT_RATIOS,
  aspectRatioLabel,
  findAspectRatioByImageSize,
  getAspectRatio,
  parseAspectRatio,
} from '../../../src/models/seedream-sequential/aspect-ratios.js';
import { IMAGE_SIZES } from '../../../src/models/seedream-sequential/input.js';

describe('aspect ratio table', () => {
  it('covers exactly the eight image sizes of the model page, in order', () => {
    expect(ASPECT_RATIOS.map((a) => a.imageSize)).toEqual([...IMAGE_SIZES]);
    expect(ASPECT_RATIO_KEYS).toEqual(['1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3', '21:9']);
  });

  it.each(ASPECT_RATIOS.map((a) => [a.key, a] as const))('%s: size, ratio, orientation and labels agree', (key, a) => {
    expect(a.imageSize).toBe(`${a.width}:${a.height} (${key})`);
    const [w, h] = key.split(':').map(Number) as [number, number];
    expect(a.width * h).toBe(a.height * w);
    expect(a.orientation).toBe(w === h ? 'square' : w > h ? 'landscape' : 'portrait');
    for (const label of Object.values(a.labels)) expect(label.startsWith(`${key} `)).toBe(true);
    expect(a.labels['zh-TW']).not.toBe(a.labels['en-US']);
  });

  it('uses Traditional characters for zh-TW and Simplified for zh-CN', () => {
    expect(getAspectRatio('9:16')!.labels).toEqual({
      'en-US': '9:16 portrait (phone)',
      'zh-TW': '9:16 直式（手機）',
      'zh-CN': '9:16 竖版（手机）',
    });
    expect(getAspectRatio('16:9')!.labels['en-US']).toBe('16:9 landscape (widescreen)');
    expect(getAspectRatio('1:1')!.labels['en-US']).toBe('1:1 square');
    expect(getAspectRatio('21:9')!.labels['en-US']).toBe('21:9 cinematic');
  });

  it('looks up by key and by image size', () => {
    expect(getAspectRatio('21:9')?.imageSize).toBe('3024:1296 (21:9)');
    expect(getAspectRatio('5:4')).toBeUndefined();
    expect(findAspectRatioByImageSize('1440:2560 (9:16)')?.key).toBe('9:16');
    expect(findAspectRatioByImageSize('1440:2560')).toBeUndefined();
  });

  it('labels by any locale string', () => {
    const wide = getAspectRatio('16:9')!;
    expect(aspectRatioLabel(wide, 'zh-TW')).toBe('16:9 橫式（寬螢幕）');
    expect(aspectRatioLabel(wide, 'zh-HK')).toBe('16:9 橫式（寬螢幕）');
    expect(aspectRatioLabel(wide, 'zh-CN')).toBe('16:9 横版（宽屏）');
    expect(aspectRatioLabel(wide, 'fr')).toBe('16:9 landscape (widescreen)');
    expect(aspectRatioLabel(wide)).toBe('16:9 landscape (widescreen)');
  });
});

describe('parseAspectRatio', () => {
  it.each([
    ['16:9', '16:9'],
    ['16x9', '16:9'],
    ['16X9', '16:9'],
    ['16×9', '16:9'],
    ['16/9', '16:9'],
    [' 16 : 9 ', '16:9'],
    ['１６：９', '16:9'],
    ['2560:1440 (16:9)', '16:9'],
    ['2560x1440', '16:9'],
    ['1920x1080', '16:9'],
    ['9:16', '9:16'],
    ['21:9', '21:9'],
    ['7:3', '21:9'],
    ['3024:1296 (21:9)', '21:9'],
    ['2:3', '2:3'],
    ['3/2', '3:2'],
    ['4:3', '4:3'],
    ['3x4', '3:4'],
    ['1:1', '1:1'],
    ['Square', '1:1'],
  ])('%j → %s', (input, key) => {
    expect(parseAspectRatio(input)?.key).toBe(key);
  });

  it.each(['', '   ', '5:4', '16:', ':9', '16:9:1', 'abc', '0:0', '16:0', '2560:1440 (9:16)', 'landscape', '-16:9'])(
    '%j is unknown',
    (input) => {
      expect(parseAspectRatio(input)).toBeUndefined();
    },
  );
});
