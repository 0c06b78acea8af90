/** Chinese numerals as written before a measure word: "十二" is 12, "兩三" is the range 2–3. */

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
export const CHINESE_NUMERAL_CHARS = '〇零一二兩两三四五六七八九十百';
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
export function chineseRunValues(run: string): number[] | undefined {
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
