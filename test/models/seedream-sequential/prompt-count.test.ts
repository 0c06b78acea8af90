import { describe, expect, it } from 'vitest';
import { AppError, InputError } from '../../../src/errors.js';
import { parseChineseNumeral } from '../../../src/models/seedream-sequential/chinese-numeral.js';
import {
  countPhrase,
  detectPromptLanguage,
  findCountMentions,
  normalizePrompt,
  type Reconciliation,
  reconcilePromptAndCount,
  SCRIPT_MARKERS,
  statedCounts,
} from '../../../src/models/seedream-sequential/prompt-count.js';

type Ok = Pick<Reconciliation, 'text' | 'count'> & Partial<Pick<Reconciliation, 'statedCount' | 'language'>>;
type Failure = { code: string; params?: Record<string, string | number> };

interface Row {
  name: string;
  prompt: string;
  count?: number | null;
  locale?: string;
  defaultCount?: number;
  ok?: Ok;
  error?: Failure;
}

const EN_PREFIX_3 = 'Generate 3 images: ';
const stated600 = `Generate 5 images: ${'a'.repeat(600 - 'Generate 5 images: '.length)}`;
const bare581 = 'a'.repeat(600 - EN_PREFIX_3.length);
const bare582 = 'a'.repeat(600 - EN_PREFIX_3.length + 1);

function expectInputError(run: () => unknown, code: string, params?: Record<string, string | number>): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InputError);
  expect((caught as InputError).code).toBe(code);
  if (params) expect((caught as InputError).params).toEqual(params);
}

const rows: Row[] = [
  // English, no stated count
  {
    name: 'option given, prompt silent → prepended',
    prompt: 'a cat astronaut',
    count: 4,
    ok: { text: 'Generate 4 images: a cat astronaut', count: 4, statedCount: null, language: 'en' },
  },
  {
    name: 'neither → model default 3',
    prompt: 'a cat astronaut',
    ok: { text: 'Generate 3 images: a cat astronaut', count: 3, statedCount: null },
  },
  {
    name: 'neither → server default',
    prompt: 'a cat astronaut',
    defaultCount: 5,
    ok: { text: 'Generate 5 images: a cat astronaut', count: 5 },
  },
  {
    name: 'singular phrase for 1',
    prompt: 'a cat astronaut',
    count: 1,
    ok: { text: 'Generate 1 image: a cat astronaut', count: 1 },
  },
  {
    name: 'null count is absent',
    prompt: 'a cat astronaut',
    count: null,
    ok: { text: `${EN_PREFIX_3}a cat astronaut`, count: 3 },
  },
  // English, stated count
  {
    name: 'stated digits, no option',
    prompt: 'Generate 5 images of a lighthouse',
    ok: { text: 'Generate 5 images of a lighthouse', count: 5, statedCount: 5 },
  },
  {
    name: 'stated beats the server default',
    prompt: 'Generate 5 images of a lighthouse',
    defaultCount: 2,
    ok: { text: 'Generate 5 images of a lighthouse', count: 5 },
  },
  {
    name: 'stated and option agree',
    prompt: 'Generate 5 images of a lighthouse',
    count: 5,
    ok: { text: 'Generate 5 images of a lighthouse', count: 5 },
  },
  {
    name: 'stated and option disagree',
    prompt: 'Generate 5 images of a lighthouse',
    count: 3,
    error: { code: 'count_mismatch', params: { stated: 5, requested: 3 } },
  },
  {
    name: 'number word',
    prompt: 'five posters for a jazz festival',
    ok: { text: 'five posters for a jazz festival', count: 5 },
  },
  {
    name: 'case-insensitive',
    prompt: 'Twelve STICKERS of a shiba',
    ok: { text: 'Twelve STICKERS of a shiba', count: 12 },
  },
  { name: '"a set of N"', prompt: 'a set of 5 tarot cards', ok: { text: 'a set of 5 tarot cards', count: 5 } },
  {
    name: '"a series of four" + agreeing option',
    prompt: 'a series of four moody portraits',
    count: 4,
    ok: { text: 'a series of four moody portraits', count: 4 },
  },
  {
    name: '"N-panel"',
    prompt: 'a 6-panel comic about a robot',
    ok: { text: 'a 6-panel comic about a robot', count: 6 },
  },
  { name: '"N x noun"', prompt: '4 x stickers, kawaii style', ok: { text: '4 x stickers, kawaii style', count: 4 } },
  {
    name: 'adjectives between number and noun',
    prompt: '4 high-res, moody 16:9 posters',
    ok: { text: '4 high-res, moody 16:9 posters', count: 4 },
  },
  { name: '"an image" is one', prompt: 'an image of a red fox', ok: { text: 'an image of a red fox', count: 1 } },
  {
    name: '"an image" vs option 3',
    prompt: 'an image of a red fox',
    count: 3,
    error: { code: 'count_mismatch', params: { stated: 1, requested: 3 } },
  },
  {
    name: '"a single … photo"',
    prompt: 'a single high-res photo of a red fox',
    ok: { text: 'a single high-res photo of a red fox', count: 1 },
  },
  {
    name: '"a pair of" is two',
    prompt: 'a pair of portraits, before and after',
    ok: { text: 'a pair of portraits, before and after', count: 2 },
  },
  {
    name: '"half a dozen"',
    prompt: 'half a dozen emoji of a cat',
    ok: { text: 'half a dozen emoji of a cat', count: 6 },
  },
  {
    name: 'same count twice is fine',
    prompt: 'Generate 4 images: the 4 images share a palette',
    count: 4,
    ok: { text: 'Generate 4 images: the 4 images share a palette', count: 4 },
  },
  // English decoys: numbers that are not the size of the set
  {
    name: 'decoy: subjects',
    prompt: '3 cats playing in the snow',
    count: 2,
    ok: { text: 'Generate 2 images: 3 cats playing in the snow', count: 2, statedCount: null },
  },
  {
    name: 'decoy: 4k',
    prompt: 'a 4k wallpaper of the Alps',
    ok: { text: `${EN_PREFIX_3}a 4k wallpaper of the Alps`, count: 3 },
  },
  {
    name: 'decoy: decade',
    prompt: '1990s style poster of a diner',
    ok: { text: `${EN_PREFIX_3}1990s style poster of a diner`, count: 3 },
  },
  {
    name: 'decoy: people and a ratio',
    prompt: 'two people dancing, 16:9',
    count: 2,
    ok: { text: 'Generate 2 images: two people dancing, 16:9', count: 2 },
  },
  {
    name: 'decoy: version and seed',
    prompt: 'version 2 of the logo, seed 42',
    count: 4,
    ok: { text: 'Generate 4 images: version 2 of the logo, seed 42', count: 4 },
  },
  {
    name: 'decoy: a rate',
    prompt: '24 frames per second film still',
    ok: { text: `${EN_PREFIX_3}24 frames per second film still`, count: 3 },
  },
  {
    name: 'decoy: one per season',
    prompt: 'one image per season: spring, summer, autumn, winter',
    count: 4,
    ok: { text: 'Generate 4 images: one image per season: spring, summer, autumn, winter', count: 4 },
  },
  {
    name: 'decoy: plain "a photo"',
    prompt: 'a photo of a dog',
    count: 2,
    ok: { text: 'Generate 2 images: a photo of a dog', count: 2 },
  },
  {
    name: 'decoy: 4x upscale',
    prompt: '4x upscale of a vintage car',
    ok: { text: `${EN_PREFIX_3}4x upscale of a vintage car`, count: 3 },
  },
  // English errors
  {
    name: 'two different counts',
    prompt: '3 images of cats and 2 images of dogs',
    error: { code: 'ambiguous_count', params: { counts: '3, 2' } },
  },
  { name: 'a range', prompt: '3-4 images of a dog', error: { code: 'ambiguous_count', params: { counts: '3, 4' } } },
  {
    name: 'stated over 15',
    prompt: 'twenty images of a forest',
    error: { code: 'stated_count_out_of_range', params: { stated: 20, min: 1, max: 15 } },
  },
  {
    name: 'stated zero',
    prompt: '0 images',
    error: { code: 'stated_count_out_of_range', params: { stated: 0, min: 1, max: 15 } },
  },
  {
    name: 'option 16',
    prompt: 'a cat',
    count: 16,
    error: { code: 'count_out_of_range', params: { requested: 16, min: 1, max: 15 } },
  },
  {
    name: 'option 0',
    prompt: 'a cat',
    count: 0,
    error: { code: 'count_out_of_range', params: { requested: 0, min: 1, max: 15 } },
  },
  {
    name: 'option 2.5',
    prompt: 'a cat',
    count: 2.5,
    error: { code: 'count_out_of_range', params: { requested: 2.5, min: 1, max: 15 } },
  },
  { name: 'whitespace only', prompt: '   \n  ', error: { code: 'prompt_empty' } },
  { name: 'control characters only', prompt: '\u0000\u0007\t\r\n\u202E', error: { code: 'prompt_empty' } },
  // Lengths
  { name: 'stated count, exactly 600', prompt: stated600, ok: { text: stated600, count: 5 } },
  {
    name: 'stated count, 601',
    prompt: `${stated600}b`,
    error: { code: 'prompt_too_long', params: { length: 601, max: 600 } },
  },
  {
    name: 'no count, 600 minus the phrase → fits exactly',
    prompt: bare581,
    ok: { text: EN_PREFIX_3 + bare581, count: 3 },
  },
  {
    name: 'no count, one character too many for the phrase',
    prompt: bare582,
    error: { code: 'prompt_too_long_with_count', params: { length: 582, max: 600, needed: 1 } },
  },
  {
    name: 'two-digit phrase is one character longer',
    prompt: bare581,
    count: 12,
    error: { code: 'prompt_too_long_with_count', params: { length: 581, max: 600, needed: 1 } },
  },
  {
    name: 'no count, 600 without phrase',
    prompt: 'a'.repeat(600),
    error: { code: 'prompt_too_long_with_count', params: { length: 600, max: 600, needed: 19 } },
  },
  {
    name: 'control characters do not count towards the limit',
    prompt: `\u0000${bare581}\u0007\u0007\u0007\t`,
    ok: { text: EN_PREFIX_3 + bare581, count: 3 },
  },
  {
    name: 'Chinese phrase, 600 exactly',
    prompt: '貓'.repeat(593),
    ok: { text: `生成3張圖片：${'貓'.repeat(593)}`, count: 3, language: 'zh-Hant' },
  },
  {
    name: 'Chinese phrase, one too many',
    prompt: '猫'.repeat(594),
    count: 2,
    error: { code: 'prompt_too_long_with_count', params: { length: 594, max: 600, needed: 1 } },
  },
  // Control characters
  {
    name: 'controls collapse, newline kept',
    prompt: '  a\u0000cat\u0007 in\tspace\r\nwith\u202E stars\u200B  ',
    ok: { text: 'Generate 3 images: a cat in space\nwith stars', count: 3 },
  },
  // Chinese
  {
    name: 'Traditional, stated',
    prompt: '生成三張圖片，一隻貓在月球上',
    ok: { text: '生成三張圖片，一隻貓在月球上', count: 3, statedCount: 3, language: 'zh-Hant' },
  },
  {
    name: 'Traditional, agree',
    prompt: '生成三張圖片，一隻貓在月球上',
    count: 3,
    ok: { text: '生成三張圖片，一隻貓在月球上', count: 3 },
  },
  {
    name: 'Traditional, disagree',
    prompt: '生成三張圖片，一隻貓在月球上',
    count: 4,
    error: { code: 'count_mismatch', params: { stated: 3, requested: 4 } },
  },
  { name: '畫五張', prompt: '畫五張水彩風景', ok: { text: '畫五張水彩風景', count: 5 } },
  {
    name: 'Simplified 十二张',
    prompt: '十二张插画，主题是四季',
    ok: { text: '十二张插画，主题是四季', count: 12, language: 'zh-Hans' },
  },
  { name: '一組6張 is six', prompt: '一組6張貼圖，柴犬', ok: { text: '一組6張貼圖，柴犬', count: 6 } },
  { name: '一组6张 agrees with 6', prompt: '一组6张贴图', count: 6, ok: { text: '一组6张贴图', count: 6 } },
  { name: 'full-width digits', prompt: '４幅山水畫', ok: { text: '４幅山水畫', count: 4 } },
  { name: '四格漫畫', prompt: '四格漫畫：貓的一天', ok: { text: '四格漫畫：貓的一天', count: 4 } },
  {
    name: 'Traditional prompt, option → 張圖片',
    prompt: '一隻貓在月球上',
    count: 2,
    ok: { text: '生成2張圖片：一隻貓在月球上', count: 2, language: 'zh-Hant' },
  },
  {
    name: 'Simplified prompt → 张图片',
    prompt: '一只猫在月球上',
    ok: { text: '生成3张图片：一只猫在月球上', count: 3, language: 'zh-Hans' },
  },
  {
    name: 'script-neutral prompt, zh-TW locale',
    prompt: '月亮下的小狗',
    locale: 'zh-TW',
    ok: { text: '生成3張圖片：月亮下的小狗', count: 3, language: 'zh-Hant' },
  },
  {
    name: 'script-neutral prompt, zh-CN locale',
    prompt: '月亮下的小狗',
    locale: 'zh-CN',
    ok: { text: '生成3张图片：月亮下的小狗', count: 3, language: 'zh-Hans' },
  },
  {
    name: 'the prompt’s script beats the locale',
    prompt: '一只猫在月球上',
    locale: 'zh-TW',
    ok: { text: '生成3张图片：一只猫在月球上', count: 3, language: 'zh-Hans' },
  },
  {
    name: 'decoy: 三個人',
    prompt: '三個人在海邊散步',
    count: 2,
    ok: { text: '生成2張圖片：三個人在海邊散步', count: 2, statedCount: null },
  },
  { name: 'decoy: 一張臉', prompt: '一張臉的特寫', ok: { text: '生成3張圖片：一張臉的特寫', count: 3 } },
  { name: 'decoy: ordinal 第3張', prompt: '第3張要是夜景', ok: { text: '生成3張圖片：第3張要是夜景', count: 3 } },
  {
    name: 'colloquial range 兩三張',
    prompt: '兩三張海報',
    error: { code: 'ambiguous_count', params: { counts: '2, 3' } },
  },
  {
    name: '二十張 is out of range',
    prompt: '二十張圖片',
    error: { code: 'stated_count_out_of_range', params: { stated: 20, min: 1, max: 15 } },
  },
  // Mixed and other scripts
  {
    name: 'mostly English with Han words',
    prompt: 'cyberpunk 台北 101 at night',
    count: 2,
    ok: { text: 'Generate 2 images: cyberpunk 台北 101 at night', count: 2, language: 'en' },
  },
  {
    name: 'mostly Chinese with English words',
    prompt: '一隻貓 astronaut 在太空',
    ok: { text: '生成3張圖片：一隻貓 astronaut 在太空', count: 3, language: 'zh-Hant' },
  },
  {
    name: 'Japanese gets the English phrase',
    prompt: '猫の写真を描いて',
    ok: { text: `${EN_PREFIX_3}猫の写真を描いて`, count: 3, language: 'en' },
  },
  // Our own output reads back unchanged
  {
    name: 'idempotent (en)',
    prompt: 'Generate 4 images: a cat',
    count: 4,
    ok: { text: 'Generate 4 images: a cat', count: 4 },
  },
  {
    name: 'idempotent (zh-Hans)',
    prompt: '生成3张图片：一只猫',
    count: 3,
    ok: { text: '生成3张图片：一只猫', count: 3 },
  },
];

describe('reconcilePromptAndCount', () => {
  it('has a table of at least 40 prompts', () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
  });

  it.each(rows)('$name', (row) => {
    const run = () =>
      reconcilePromptAndCount(row.prompt, row.count, { locale: row.locale, defaultCount: row.defaultCount });
    if (row.error) {
      expectInputError(run, row.error.code, row.error.params);
      return;
    }
    const result = run();
    expect(result.text).toBe(row.ok!.text);
    expect(result.count).toBe(row.ok!.count);
    expect(result.text.length).toBeLessThanOrEqual(600);
    expect(result.prepended).toBe(result.text !== normalizePrompt(row.prompt));
    if (row.ok!.statedCount !== undefined) expect(result.statedCount).toBe(row.ok!.statedCount);
    if (row.ok!.language !== undefined) expect(result.language).toBe(row.ok!.language);
    // The text we send must state exactly the count we pay for, and reconcile to itself.
    expect(statedCounts(result.text)).toEqual([result.count]);
    expect(reconcilePromptAndCount(result.text, result.count, { locale: row.locale }).text).toBe(result.text);
  });

  it('reports the stated count and prepended=false when the prompt already says it', () => {
    expect(reconcilePromptAndCount('Draw 7 icons of fruit')).toEqual({
      text: 'Draw 7 icons of fruit',
      count: 7,
      statedCount: 7,
      language: 'en',
      prepended: false,
    });
  });

  it('treats an invalid server default as a bug, not as user input', () => {
    let caught: unknown;
    try {
      reconcilePromptAndCount('a cat', undefined, { defaultCount: 40 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).not.toBeInstanceOf(InputError);
    expect((caught as AppError).code).toBe('internal_input_invalid');
  });

  it('checks the count option before the prompt', () => {
    expectInputError(() => reconcilePromptAndCount('', 99), 'count_out_of_range');
  });

  it('stays fast on adversarial 600-character prompts', () => {
    const nasty = [
      `3 ${'very-long-adjective, '.repeat(40)}`.slice(0, 600),
      `${'1 2 3 4 5 6 7 8 9 '.repeat(40)}`.slice(0, 600),
      `${'一二三四五六七八九十'.repeat(60)}`,
      `${'3 x '.repeat(150)}`,
    ];
    for (const prompt of nasty) {
      const started = performance.now();
      try {
        reconcilePromptAndCount(prompt);
      } catch {
        // Only the time matters here.
      }
      expect(performance.now() - started).toBeLessThan(250);
    }
  });
});

describe('findCountMentions', () => {
  it.each([
    ['Generate 3 images of a sunset', [[3]]],
    ['three or four posters', [[3, 4]]],
    ['3 to 5 renders', [[3, 5]]],
    ['Two 4K wallpapers', [[2]]],
    ['2,000 images', [[2000]]],
    ['3 two-tone posters', [[3]]],
    ['a set of 3 4k wallpapers', [[3]]],
    ['a couple of images', []],
    ['3 cats playing in images', []],
    ['Image 1: a cat. Image 2: a dog.', []],
    ['one of the images', []],
    ['兩個版本', [[2]]],
    ['三组图片', [[3]]],
    ['一组图片', []],
    ['唯一一张图', [[1]]],
    ['3到5张', [[3, 5]]],
    ['零張', []],
    ['三隻貓', []],
    ['一张桌子上的猫', []],
  ])('%s → %j', (text, expected) => {
    expect(findCountMentions(text).map((m) => m.values)).toEqual(expected);
  });

  it('points at the mention in the original text', () => {
    const [mention] = findCountMentions('please make five posters');
    expect(mention).toEqual({ values: [5], index: 12, text: 'five posters' });
  });
});

describe('helpers', () => {
  it.each([
    ['十二', 12],
    ['十', 10],
    ['二十', 20],
    ['兩', 2],
    ['一百零五', 105],
    ['十五', 15],
  ])('parseChineseNumeral(%s) = %i', (run, value) => {
    expect(parseChineseNumeral(run)).toBe(value);
  });

  it.each(['零', '〇', '三四', '十十', ''])('parseChineseNumeral(%j) is undefined', (run) => {
    expect(parseChineseNumeral(run)).toBeUndefined();
  });

  it('keeps the Traditional and Simplified marker sets disjoint', () => {
    const shared = [...SCRIPT_MARKERS.traditional].filter((ch) => SCRIPT_MARKERS.simplified.has(ch));
    expect(shared).toEqual([]);
  });

  it('detects language and script', () => {
    expect(detectPromptLanguage('a cat')).toBe('en');
    expect(detectPromptLanguage('一隻貓')).toBe('zh-Hant');
    expect(detectPromptLanguage('一只猫')).toBe('zh-Hans');
    expect(detectPromptLanguage('小狗', 'zh-HK')).toBe('zh-Hant');
    expect(detectPromptLanguage('小狗', 'en-US')).toBe('zh-Hans');
    expect(detectPromptLanguage('강아지 사진 小狗')).toBe('en');
  });

  it('words the count phrase per language', () => {
    expect(countPhrase(1, 'en')).toBe('Generate 1 image: ');
    expect(countPhrase(15, 'en')).toBe('Generate 15 images: ');
    expect(countPhrase(3, 'zh-Hant')).toBe('生成3張圖片：');
    expect(countPhrase(3, 'zh-Hans')).toBe('生成3张图片：');
  });

  it('normalises what a Discord user may paste', () => {
    expect(normalizePrompt('a\r\nb\rc\u2028d')).toBe('a\nb\nc\nd');
    expect(normalizePrompt('a\n\n\n\nb')).toBe('a\n\nb');
    expect(normalizePrompt('x\uD800y')).toBe('xy');
    expect(normalizePrompt('👨‍👩‍👧 family')).toBe('👨‍👩‍👧 family');
    expect(normalizePrompt('a\u0085b\u009Bc')).toBe('a\nb c');
    expect(normalizePrompt('\uFEFFa\u3000\u3000b')).toBe('a b');
  });
});
