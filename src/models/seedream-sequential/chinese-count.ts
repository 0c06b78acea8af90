/**
 * Where a Chinese prompt states how many images it wants ("畫五張", "三個版本", "四格漫畫");
 * the rule itself is described above CHINESE_COUNT.
 */
import { CHINESE_NUMERAL_CHARS, chineseRunValues } from './chinese-numeral.js';
import type { CountMention } from './count-mention.js';
import { matchesOf } from './matches.js';

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
export const CHINESE_COUNT = new RegExp(
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

export function findChineseCounts(text: string): CountMention[] {
  const mentions: CountMention[] = [];
  for (const match of matchesOf(CHINESE_COUNT, text)) {
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
