/**
 * Prompt/count reconciliation. Seedream "sequential" wants the prompt itself to say how many
 * images to make, and `sequential_image_generation_options` to carry the same number (the
 * price is computed from the option). People type "a cat" and pick count 4, or type "five
 * posters" and pick nothing, or contradict themselves; this module turns that into one
 * consistent (text, count) pair or a precise InputError, without ever cutting the user's text.
 */
import { AppError, InputError } from '../../errors.js';
import { findChineseCounts } from './chinese-count.js';
import type { CountMention } from './count-mention.js';
import { findEnglishCounts } from './english-count.js';
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
