/**
 * Where an English prompt states how many images it wants ("5 posters", "three or four
 * images", "a series of four"); the rule itself is described above ENGLISH_COUNT.
 */
import type { CountMention } from './count-mention.js';
import { AN_NOUNS, IMAGE_NOUNS, PHRASE_NUMBERS, STOP_WORDS, TENS_WORDS, UNIT_WORDS } from './english-count-words.js';
import { matchesOf } from './matches.js';

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
export const ENGLISH_COUNT = new RegExp(
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

export function findEnglishCounts(text: string): CountMention[] {
  const mentions: CountMention[] = [];
  for (const match of matchesOf(ENGLISH_COUNT, text)) {
    const g = match.groups ?? {};
    const raw = g['one'] !== undefined ? [] : [g['range1'] ?? g['set1'] ?? g['count'], g['range2'] ?? g['set2']];
    const values = g['one'] !== undefined ? [1] : raw.filter((r) => r !== undefined).map((r) => parseEnglishNumber(r));
    if (values.some((v) => v === undefined || Number.isNaN(v))) continue;
    mentions.push({ values: values as number[], index: match.index, text: match[0] });
  }
  return mentions;
}
