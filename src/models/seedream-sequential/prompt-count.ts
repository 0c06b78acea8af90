/**
 * Prompt/count reconciliation. Seedream "sequential" wants the prompt itself to say how many
 * images to make, and `sequential_image_generation_options` to carry the same number (the
 * price is computed from the option). People type "a cat" and pick count 4, or type "five
 * posters" and pick nothing, or contradict themselves; this module turns that into one
 * consistent (text, count) pair or a precise InputError, without ever cutting the user's text.
 */
import { AppError, InputError } from '../../errors.js';
import { MAX_IMAGES, MAX_PROMPT_LENGTH, MIN_IMAGES, SEEDREAM_DEFAULTS } from './input.js';
import { type ChineseScript, chineseScriptOfLocale } from './locale.js';

export type PromptLanguage = 'en' | ChineseScript;

export interface ReconcileOptions {
  /** The requester's locale (e.g. Discord's 'zh-TW'); picks the script of a Chinese phrase when the prompt does not. */
  locale?: string | undefined;
  /** Count to use when neither the option nor the prompt gives one (server setting); model default 3 otherwise. */
  defaultCount?: number | undefined;
}

export interface Reconciliation {
  /** The text to send: normalised, with a count phrase prepended when the prompt had none. */
  text: string;
  count: number;
  /** The count the prompt itself stated, or null. */
  statedCount: number | null;
  language: PromptLanguage;
  prepended: boolean;
}

/** One place in the prompt that states a count; a range ("3-4 images") carries both ends. */
export interface CountMention {
  values: number[];
  index: number;
  text: string;
}

/**
 * Length as the limit is checked. We count UTF-16 code units (JavaScript's `length`; zod's
 * `.max()` counts code points, so model-input.ts checks units itself): never fewer than the code
 * points a Python server would count, so a prompt we accept cannot be rejected upstream for
 * length. Only astral characters (emoji) count double.
 */
export function promptLength(text: string): number {
  return text.length;
}

// ---------------------------------------------------------------------------------------------
// Normalisation
// ---------------------------------------------------------------------------------------------

/**
 * A Discord user may paste anything. Control characters never reach the API: CR/CRLF, NEL and
 * the Unicode line/paragraph separators become '\n'; every other C0/C1 control (tab included)
 * becomes a space; invisible characters that can hide or reorder text (bidi controls, zero-width
 * space, word joiner, BOM) and unpaired surrogates (invalid in JSON text) are dropped. ZWJ/ZWNJ
 * stay: emoji sequences and some scripts need them. Then runs of spaces collapse, lines lose
 * their edge spaces, at most one blank line is kept, and the whole is trimmed.
 */
export function normalizePrompt(raw: string): string {
  return raw
    .replace(/\r\n?|[\u0085\u2028\u2029]/g, '\n')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/[\u200B\u200E\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/g, '')
    .replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g, ' ')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// ---------------------------------------------------------------------------------------------
// English counts
// ---------------------------------------------------------------------------------------------

const UNIT_WORDS: Readonly<Record<string, number>> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TENS_WORDS: Readonly<Record<string, number>> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
/** Fixed phrases that are exact numbers. "a couple of", "a few", "several" are vague: not counts. */
const PHRASE_NUMBERS: Readonly<Record<string, number>> = {
  'half a dozen': 6,
  'a dozen': 12,
  dozen: 12,
  'a pair of': 2,
  'one hundred': 100,
  'a hundred': 100,
  hundred: 100,
};

/** What a count can count: things that are each one output image. */
const IMAGE_NOUNS = [
  'image',
  'picture',
  'pic',
  'photo',
  'photograph',
  'illustration',
  'frame',
  'panel',
  'shot',
  'variation',
  'version',
  'render',
  'rendering',
  'portrait',
  'scene',
  'drawing',
  'sketch',
  'icon',
  'sticker',
  'wallpaper',
  'poster',
  'logo',
  'design',
  'artwork',
  'painting',
  'graphic',
  'thumbnail',
  'avatar',
  'emoji',
  'page',
];
/** Singular nouns that take "an": "an image" states one image. */
const AN_NOUNS = IMAGE_NOUNS.filter((noun) => /^[aeiou]/.test(noun));

/** Words that end a run of adjectives: "3 cats playing in images" is not "3 images". */
const STOP_WORDS = [
  'a',
  'an',
  'the',
  'of',
  'in',
  'on',
  'at',
  'to',
  'for',
  'from',
  'with',
  'without',
  'by',
  'and',
  'or',
  'but',
  'nor',
  'as',
  'into',
  'onto',
  'over',
  'under',
  'about',
  'per',
  'each',
  'every',
  'is',
  'are',
  'was',
  'were',
  'be',
  'that',
  'which',
  'who',
  'this',
  'these',
  'those',
  'their',
  'his',
  'her',
  'its',
  'my',
  'your',
  'our',
  'them',
  'they',
  'it',
  'i',
  'you',
  'we',
  'he',
  'she',
  'than',
  'then',
  'if',
  'while',
  'where',
  'when',
  'not',
  'no',
];

const byLengthDesc = (a: string, b: string) => b.length - a.length;
const alternation = (words: string[]) => [...words].sort(byLengthDesc).join('|');

const NOUN = `(?:${IMAGE_NOUNS.map((n) => (n === 'sketch' ? 'sketch(?:es)?' : `${n}s?`)).join('|')})`;
const DIGIT_WORDS = Object.keys(UNIT_WORDS).filter((w) => UNIT_WORDS[w]! >= 1 && UNIT_WORDS[w]! <= 9);
/** "twenty-one", "thirty five", "twelve"… */
const NUMBER_WORD =
  `(?:(?:${alternation(Object.keys(TENS_WORDS))})(?:[-\\s]+(?:${alternation(DIGIT_WORDS)}))?` +
  `|${alternation(Object.keys(UNIT_WORDS))})`;
const PHRASE = alternation(Object.keys(PHRASE_NUMBERS)).replace(/ /g, '\\s+');

/** A number. The guards keep "4k", "16:9", "1.5", "$3", "#2", "1990s" from reading as one. */
function numberPattern(guardStart: boolean): string {
  const digitStart = guardStart ? `(?<![\\p{L}\\p{N}_.,:/#$@%'’-])` : '';
  const wordStart = guardStart ? `(?<![\\p{L}\\p{N}_'’-])` : '';
  return (
    `(?:${digitStart}(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?!\\p{N}|[.,:/]\\p{N})` +
    `|${wordStart}(?:${PHRASE}|${NUMBER_WORD})(?![\\p{L}\\p{N}]))`
  );
}
const NUM = numberPattern(true);
const NUM_AFTER_DASH = numberPattern(false);
/**
 * Up to three adjectives ("4 high-res, moody 16:9 posters"): never a stop word, never a bare
 * number word ("two-tone" is fine).
 */
const FILLER =
  `(?:(?!(?:${alternation(STOP_WORDS)}|${NUMBER_WORD})(?![\\p{L}\\p{N}-]))\\p{L}[\\p{L}\\p{N}'’]*(?:-[\\p{L}\\p{N}]+)*` +
  `|\\p{N}+(?:[:x×]\\p{N}+|\\p{L}+)(?:-[\\p{L}\\p{N}]+)*)`;
const FILLERS = `(?:${FILLER}(?:\\s*,\\s*|\\s+)){0,3}`;
/** "4 posters", "4 x posters", "4 moody posters", "5-panel". */
const NUMBER_TO_NOUN = `(?:-${NOUN}|(?:\\s*[x×*]\\s+|\\s+)${FILLERS}${NOUN})`;
/** "3 frames per second", "one image per season" are rates, not the size of the set. */
const NOUN_END = `(?![\\p{L}\\p{N}])(?!\\s+(?:per|apiece|for\\s+(?:each|every))(?![\\p{L}\\p{N}]))`;
const RANGE_JOIN = `\\s*(?:-|–|—|to|or)\\s*`;
const COLLECTION = `(?:set|series|sequence|collection|batch|pack)`;

/*
 * The English rule, in order of precedence at one position (all case-insensitive):
 *  - range:  NUMBER (- | to | or) NUMBER [adjectives] NOUN   "3-4 images", "three or four posters"
 *  - set:    set|series|sequence|collection|batch|pack of NUMBER [(- | to | or) NUMBER]   "a series of four"
 *  - count:  NUMBER [x] [up to 3 adjectives] NOUN, or NUMBER-NOUN   "5 images", "4 x stickers", "5-panel"
 *  - one:    "an" + vowel noun ("an image"), "a single" [adjectives] NOUN
 * NUMBER is digits (not part of 4k, 16:9, 1.5, 1990s…), one…nineteen, twenty…ninety[-one…nine],
 * hundred, "a dozen" (12), "half a dozen" (6), "a pair of" (2). NOUN is an image-like noun
 * (IMAGE_NOUNS, singular or plural), so subjects never count: "3 cats playing", "two people".
 * A number after the noun ("version 2", "seed 42") or a rate ("24 frames per second") is not a count.
 * Plain "a" ("a photo of…", "a 4k wallpaper") is style, not a count: counting it would turn every
 * "a photo of a cat" into a one-image request. Known limit: "2 shots of espresso" reads as 2.
 */
const ENGLISH_COUNT = new RegExp(
  [
    `(?<range1>${NUM})${RANGE_JOIN}(?<range2>${NUM_AFTER_DASH})${NUMBER_TO_NOUN}${NOUN_END}`,
    `(?<![\\p{L}\\p{N}])${COLLECTION}\\s+of\\s+(?<set1>${NUM})(?:${RANGE_JOIN}(?<set2>${NUM_AFTER_DASH}))?` +
      `(?![\\p{L}\\p{N}]|\\s*-\\s*\\p{L})`,
    `(?<count>${NUM})${NUMBER_TO_NOUN}${NOUN_END}`,
    `(?<![\\p{L}\\p{N}_'’-])(?<one>an\\s+(?:${alternation(AN_NOUNS)})|a\\s+single\\s+${FILLERS}${NOUN})${NOUN_END}`,
  ].join('|'),
  'giu',
);

function parseEnglishNumber(raw: string): number | undefined {
  const text = raw.toLowerCase().replace(/\s+/g, ' ').trim();
  if (/^[\d,]+$/.test(text)) return Number(text.replace(/,/g, ''));
  const phrase = PHRASE_NUMBERS[text];
  if (phrase !== undefined) return phrase;
  const unit = UNIT_WORDS[text];
  if (unit !== undefined) return unit;
  const [tens, ones] = text.split(/[- ]+/);
  const tensValue = TENS_WORDS[tens ?? ''];
  if (tensValue === undefined) return undefined;
  return tensValue + (ones === undefined ? 0 : (UNIT_WORDS[ones] ?? Number.NaN));
}

function findEnglishCounts(text: string): CountMention[] {
  const mentions: CountMention[] = [];
  for (const match of text.matchAll(ENGLISH_COUNT)) {
    const g = match.groups ?? {};
    const raw = g['one'] !== undefined ? [] : [g['range1'] ?? g['set1'] ?? g['count'], g['range2'] ?? g['set2']];
    const values = g['one'] !== undefined ? [1] : raw.filter((r) => r !== undefined).map((r) => parseEnglishNumber(r));
    if (values.some((v) => v === undefined || Number.isNaN(v))) continue;
    mentions.push({ values: values as number[], index: match.index, text: match[0] });
  }
  return mentions;
}

// ---------------------------------------------------------------------------------------------
// Chinese counts
// ---------------------------------------------------------------------------------------------

const CHINESE_DIGITS: Readonly<Record<string, number>> = {
  一: 1,
  二: 2,
  兩: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
const CHINESE_NUMERAL_CHARS = '〇零一二兩两三四五六七八九十百';
const CHINESE_NUMERAL =
  /^(?:(?<h>[一二兩两三四五六七八九])?(?<hm>百))?[零〇]?(?:(?<t>[一二兩两三四五六七八九])?(?<tm>十))?(?<u>[一二兩两三四五六七八九])?$/;

/** "十二" → 12, "二十" → 20, "一百零五" → 105; 〇/零 alone and malformed runs → undefined. */
export function parseChineseNumeral(run: string): number | undefined {
  const match = CHINESE_NUMERAL.exec(run);
  const g = match?.groups;
  if (!g || !(g['hm'] || g['tm'] || g['u'])) return undefined;
  const digit = (d: string | undefined, unit: string | undefined) => (unit ? (d ? CHINESE_DIGITS[d]! : 1) : 0);
  return digit(g['h'], g['hm']) * 100 + digit(g['t'], g['tm']) * 10 + (g['u'] ? CHINESE_DIGITS[g['u']]! : 0);
}

/**
 * A numeral run as written before a measure word. Two adjacent digits ("兩三張", "三四張") are
 * the colloquial "two or three": a range. Otherwise the longest valid ending wins, so
 * "唯一一張" (the only one) reads as 1 rather than failing on "一一".
 */
function chineseRunValues(run: string): number[] | undefined {
  const whole = parseChineseNumeral(run);
  if (whole !== undefined) return [whole];
  const [first, second] = [...run].map((ch) => CHINESE_DIGITS[ch]);
  if (run.length === 2 && first !== undefined && second === first + 1) return [first, second];
  for (let start = 1; start < run.length; start++) {
    const tail = parseChineseNumeral(run.slice(start));
    if (tail !== undefined) return [tail];
  }
  return undefined;
}

const CN_NUMBER = `(?:[${CHINESE_NUMERAL_CHARS}]+|(?<![\\p{N}\\p{Script=Latin}.,:/])\\d+(?!\\p{N}|[.,:/]\\p{N}))`;
const CN_IMAGE_NOUN =
  '(?:圖片|图片|圖像|图像|插畫|插画|插圖|插图|照片|相片|畫面|画面|畫作|画作|版本|場景|场景|分鏡|分镜|鏡頭|镜头|頭像|头像|海報|海报|貼圖|贴图|表情|標誌|标志|圖標|图标|壁紙|壁纸|設計|设计|變體|变体|作品|素材|logo|圖|图|畫|画)';
const CN_MODIFIER = '(?:不同|獨立|独立|連續|连续|相關|相关|類似|类似|完整|全新|獨特|独特)?的?';
/** 張 also counts faces, tables, beds, tickets… ("一張臉", "一張桌子"): those are subjects. */
const CN_NOT_SHEETS = '(?:臉|脸|桌|床|椅|凳|嘴|口|紙|纸|票|網|网|弓|牌|卡|餅|饼|沙發|沙发|地毯|唱片|專輯|专辑|被)';

/*
 * The Chinese rule: a numeral (Arabic, full-width or Chinese 一…十五 and beyond; 〇/零 alone is
 * ignored) followed fairly directly by a measure word:
 *  - 張/张 (unless a non-picture thing follows: 臉, 桌子…), 幅, 幀/帧 → a count ("畫五張", "4幅")
 *  - 個/个 → only with a picture noun right after ("三個版本"), since "兩個人", "三个苹果" are subjects
 *  - 組/组/套 → a set: "一組"/"一套" is "a set of", never a count ("一組6張" is 6); two or more sets count
 *  - 格 before 漫畫/漫画 → panels ("四格漫畫" is 4)
 * Not after 第/每/這/这/那/哪/其/另 (ordinals, "each", "this one", "another") or mid-numeral.
 * Ranges: "3-4張", "三到五张", "兩三張".
 */
const CHINESE_COUNT = new RegExp(
  `(?<![第每這这那哪其另${CHINESE_NUMERAL_CHARS}])(?<num>${CN_NUMBER})` +
    `(?:\\s*(?:-|–|~|～|到|至|或)\\s*(?<num2>${CN_NUMBER}))?\\s*` +
    `(?:(?<sheet>[張张幅幀帧])(?![張张])(?!${CN_NOT_SHEETS})` +
    `|(?<item>[個个])(?=\\s*${CN_MODIFIER}${CN_IMAGE_NOUN})` +
    `|(?<set>[組组套])` +
    `|(?<panel>格)(?=漫畫|漫画))`,
  'giu',
);

function chineseNumberValues(raw: string): number[] | undefined {
  return /^\d+$/.test(raw) ? [Number(raw)] : chineseRunValues(raw);
}

function findChineseCounts(text: string): CountMention[] {
  const mentions: CountMention[] = [];
  for (const match of text.matchAll(CHINESE_COUNT)) {
    const g = match.groups ?? {};
    const first = chineseNumberValues(g['num']!);
    const second = g['num2'] === undefined ? [] : chineseNumberValues(g['num2']);
    if (!first || !second) continue;
    const values = [...first, ...second];
    // "一組/一套" is "a set of": the count, if any, is stated next to it.
    if (g['set'] !== undefined && values.length === 1 && values[0] === 1) continue;
    mentions.push({ values, index: match.index, text: match[0] });
  }
  return mentions;
}

// ---------------------------------------------------------------------------------------------
// Detection, language, reconciliation
// ---------------------------------------------------------------------------------------------

/** Full-width digits (Chinese IMEs) to ASCII; same length, so indexes still point into the text. */
function halfWidthDigits(text: string): string {
  return text.replace(/[０-９]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0));
}

/** Every place the prompt states a count, English and Chinese, in order of appearance. */
export function findCountMentions(text: string): CountMention[] {
  const searchable = halfWidthDigits(text);
  return [...findEnglishCounts(searchable), ...findChineseCounts(searchable)].sort((a, b) => a.index - b.index);
}

/** The distinct stated values in order of first appearance. */
export function statedCounts(text: string): number[] {
  return [...new Set(findCountMentions(text).flatMap((m) => m.values))];
}

// Characters that exist in only one script; a short list of frequent ones is enough to tell.
const TRADITIONAL_ONLY = new Set(
  '張圖畫這個們說為來時國與會種開對過還進點麼樣現發車風貓龍鳥馬魚島電書學氣間門飛愛紅綠藍黃寫頭臉髮燈樹葉夢藝術場戰劍機號裝邊極節聖誕漢廣東陽陰歲寶貝實體當組亞歐環雙聽見觀視話語買賣錢鐵銀鋼線經結給絲網細紙級約紀統繪設計記認讓請調變戲劇動區醫驗幀鏡隻歡樂蘭華鐘驚讀養龜獅蝦雞鴨鵝熱麗燒湯戀聲壓傳價優兒農嗎頁順須預領顏題類顯飯館騎鮮鷹麥齊',
);
const SIMPLIFIED_ONLY = new Set(
  '张图画这个们说为来时国与会种开对过还进点么样现发车风猫龙鸟马鱼岛电书学气间门飞爱红绿蓝黄写头脸灯树叶梦艺术场战剑机号装边极节圣诞汉广东阳阴岁宝贝实体当组亚欧环双听见观视话语买卖钱铁银钢线经结给丝网细纸级约纪统绘设计记认让请调变戏剧动区医验帧镜欢乐兰华钟惊读养龟狮虾鸡鸭鹅热丽烧汤恋声压传价优儿农吗页顺须预领颜题类显饭馆骑鲜鹰麦齐',
);

/** Exposed for tests: the two script sets must never share a character. */
export const SCRIPT_MARKERS = { traditional: TRADITIONAL_ONLY, simplified: SIMPLIFIED_ONLY } as const;

/**
 * Chinese when Han ideographs are at least as many as Latin words (one ideograph carries about
 * as much as one English word), so "a photo of 台北 101 at night" stays English and
 * "一隻貓 astronaut" is Chinese. Text with kana (Japanese) or Hangul in any real proportion is
 * not Chinese; it gets the English phrase, which the model reads fine. Traditional vs Simplified
 * by counting script-specific characters (隻/貓 vs 只/猫…); a tie (e.g. "月亮下的小狗", written
 * the same in both) goes to the requester's locale, then to Simplified.
 */
export function detectPromptLanguage(text: string, locale?: string): PromptLanguage {
  const han = countMatches(text, /\p{Script=Han}/gu);
  if (han === 0) return 'en';
  const latinWords = countMatches(text, /\p{Script=Latin}+/gu);
  const kanaOrHangul = countMatches(text, /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu);
  if (han < latinWords || kanaOrHangul * 5 >= han) return 'en';
  let traditional = 0;
  let simplified = 0;
  for (const ch of text) {
    if (TRADITIONAL_ONLY.has(ch)) traditional++;
    else if (SIMPLIFIED_ONLY.has(ch)) simplified++;
  }
  if (traditional > simplified) return 'zh-Hant';
  if (simplified > traditional) return 'zh-Hans';
  return chineseScriptOfLocale(locale) ?? 'zh-Hans';
}

function countMatches(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

/** The phrase prepended when the prompt states no count. Arabic digits in every language. */
export function countPhrase(count: number, language: PromptLanguage): string {
  switch (language) {
    case 'zh-Hant':
      return `生成${count}張圖片：`;
    case 'zh-Hans':
      return `生成${count}张图片：`;
    default:
      return `Generate ${count} ${count === 1 ? 'image' : 'images'}: `;
  }
}

const isValidCount = (n: unknown): n is number =>
  typeof n === 'number' && Number.isInteger(n) && n >= MIN_IMAGES && n <= MAX_IMAGES;

/**
 * Makes the prompt and the count agree, or says precisely why they cannot.
 *
 * - `count` given, prompt states none → the count phrase is prepended in the prompt's language.
 * - prompt states a count, `count` absent → that count.
 * - both, equal → unchanged; different → `count_mismatch`.
 * - neither → `options.defaultCount`, then the model default (3), prepended.
 *
 * InputError codes: `count_out_of_range` {requested, min, max}, `prompt_empty`, `prompt_too_long`
 * {length, max}, `ambiguous_count` {counts: "3, 5"}, `stated_count_out_of_range` {stated, min, max},
 * `count_mismatch` {stated, requested}, `prompt_too_long_with_count` {length, max, needed}.
 * `null` for `count` is treated as absent (Discord's getInteger returns null).
 */
export function reconcilePromptAndCount(
  prompt: string,
  count?: number | null,
  options: ReconcileOptions = {},
): Reconciliation {
  if (count !== undefined && count !== null && !isValidCount(count)) {
    throw new InputError('count_out_of_range', `Count must be an integer from ${MIN_IMAGES} to ${MAX_IMAGES}`, {
      params: { requested: Number.isFinite(count) ? count : String(count), min: MIN_IMAGES, max: MAX_IMAGES },
    });
  }
  const defaultCount = options.defaultCount ?? SEEDREAM_DEFAULTS.count;
  if (!isValidCount(defaultCount)) {
    // Server settings are validated where they are saved; reaching this is a bug, not user input.
    throw new AppError('internal_input_invalid', `Default count ${defaultCount} is not within 1..15`, {
      params: { field: 'defaultCount' },
    });
  }

  const text = normalizePrompt(typeof prompt === 'string' ? prompt : '');
  if (text === '') throw new InputError('prompt_empty', 'The prompt is empty');
  const length = promptLength(text);
  if (length > MAX_PROMPT_LENGTH) {
    throw new InputError('prompt_too_long', `The prompt has ${length} characters; the limit is ${MAX_PROMPT_LENGTH}`, {
      params: { length, max: MAX_PROMPT_LENGTH },
    });
  }

  const language = detectPromptLanguage(text, options.locale);
  const stated = statedCounts(text);
  if (stated.length > 1) {
    throw new InputError('ambiguous_count', `The prompt states several counts: ${stated.join(', ')}`, {
      params: { counts: stated.join(', ') },
    });
  }
  const statedCount = stated[0] ?? null;
  if (statedCount !== null && !isValidCount(statedCount)) {
    throw new InputError('stated_count_out_of_range', `The prompt asks for ${statedCount} images`, {
      params: { stated: statedCount, min: MIN_IMAGES, max: MAX_IMAGES },
    });
  }

  if (statedCount !== null) {
    if (count !== undefined && count !== null && count !== statedCount) {
      throw new InputError('count_mismatch', `The prompt says ${statedCount} images but ${count} were requested`, {
        params: { stated: statedCount, requested: count },
      });
    }
    return { text, count: statedCount, statedCount, language, prepended: false };
  }

  const finalCount = count ?? defaultCount;
  const phrase = countPhrase(finalCount, language);
  const total = promptLength(phrase) + length;
  if (total > MAX_PROMPT_LENGTH) {
    // Never cut the user's words: tell them how many characters make room for the count phrase.
    throw new InputError(
      'prompt_too_long_with_count',
      `The prompt needs ${total - MAX_PROMPT_LENGTH} fewer characters to fit the count phrase`,
      { params: { length, max: MAX_PROMPT_LENGTH, needed: total - MAX_PROMPT_LENGTH } },
    );
  }
  return { text: phrase + text, count: finalCount, statedCount: null, language, prepended: true };
}
