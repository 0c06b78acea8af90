/**
 * Acceptance: bad input never reaches RunComfy and never pings. More than 1,000 seeded random
 * `/imagine` payloads, every one invalid in a way the bot itself must catch, go to the real bot
 * through the Discord emulator; each must get an ephemeral, localised, referenced error within
 * 3 s, RunComfy must see no submit at all, and nobody may be pinged. A control group of valid
 * payloads full of mentions shows that what is accepted is posted publicly and still pings nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InteractionHandle, SlashOptions, StoredMessage } from '../../src/emulators/discord/index.js';
import { CATALOGUES, type SupportedLocale } from '../../src/i18n/index.js';
import {
  countPhrase,
  detectPromptLanguage,
  normalizePrompt,
  statedCounts,
} from '../../src/models/seedream-sequential/prompt-count.js';
import { type BotHarness, createBotHarness } from '../helpers/bot-harness.js';
import { displayedText } from '../helpers/discord-waits.js';

/** Change this (and only this) to replay another run; the seed of every run is printed. */
const SEED = 0x5eed_1a6e;
const PAYLOADS = 1_050;
const BATCH = 50;
const USERS = 120;

let h: BotHarness;

beforeAll(async () => {
  h = await createBotHarness();
});
afterAll(async () => {
  await h?.close();
});

// ——— seeded randomness ———

/** mulberry32: small, fast, good enough to draw test cases reproducibly. */
function createRng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
type Rng = ReturnType<typeof createRng>;

// ——— material ———

/** Mentions of every kind (none of them may ever ping). */
const MENTIONS = [
  '@everyone',
  '@here',
  '@EVERYONE',
  '@everyone@here',
  '<@123456789012345678>',
  '<@!234567890123456789>',
  '<@&345678901234567890>',
  '<#456789012345678901>',
  '<@&1>',
];
/** Unicode that tends to break things: emoji sequences, RTL, joiners, combining marks, CJK. */
const UNICODE = [
  '🎨',
  '👩‍👩‍👧‍👦',
  '🏳️‍🌈',
  '🇹🇼',
  '👍🏽',
  'e\u0301',
  'Z\u0337\u0353a\u0338\u0324l\u0336g\u0335o\u0334',
  '\u200f',
  '\u200e',
  '\u202eabc\u202c',
  'a\u200db',
  '\u200b',
  '\u2060',
  '\ufeff',
  'שלום',
  'مرحبا',
  '城市夜景',
  '櫻花',
  '猫咪',
  '龍',
  '\ud83d',
  '\udca9',
  '𝕳𝖊𝖑𝖑𝖔',
];
const CONTROLS = ['\u0000', '\u0007', '\u001b[31m', '\t', '\r\n', '\u0085', '\u2028', '\u007f', '\u009b', '\u000b'];
const MARKDOWN = ['**', '__', '||', '`', '```', '> ', '# ', '~~', '[x](https://example.com)'];
const SUBJECTS_EN = [
  'a lighthouse at dusk',
  'cats playing chess',
  'a red fox in the snow',
  'neon city street in the rain',
  'a bowl of ramen on a wooden table',
  'an astronaut riding a horse',
  'koi pond under cherry blossoms',
];
const SUBJECTS_ZH = ['海邊的燈塔', '雪中的狐狸', '夜晚的城市', '下雨的街道', '樱花树下的锦鲤池'];

/** Only characters the bot drops or turns into spaces: a prompt of these is empty. */
const INVISIBLE = [
  ' ',
  '\t',
  '\n',
  '\r\n',
  '\u0000',
  '\u0007',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u009f',
  '\u00a0',
  '\u200b',
  '\u200e',
  '\u200f',
  '\u202a',
  '\u202e',
  '\u2028',
  '\u2029',
  '\u2060',
  '\u2066',
  '\u2069',
  '\u3000',
  '\ufeff',
  // Lone surrogates, kept apart by a space so that two of them never pair into an emoji.
  '\ud83d ',
  ' \udca9',
];

const EN_NUMBER_WORDS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
  'twenty',
];
const EN_NOUNS = ['images', 'pictures', 'posters', 'photos', 'illustrations', 'wallpapers', 'stickers'];

/** 1 → 一, 12 → 十二, 20 → 二十, 100 → 一百. */
function chineseNumeral(n: number): string {
  const digits = '〇一二三四五六七八九';
  if (n === 100) return '一百';
  if (n < 10) return digits[n]!;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : digits[tens]}十${ones === 0 ? '' : digits[ones]}`;
}

/** A phrase that states `n` images (English or Chinese, digits or words). */
function statedPhrase(rng: Rng, n: number): string {
  const forms: Array<() => string> = [
    () => `${n} ${rng.pick(EN_NOUNS)} of`,
    () => `${n} ${rng.pick(EN_NOUNS)} of`,
    // 〇/零 alone is not read as a count (documented in chinese-count.ts): zero is written 0.
    () => `生成${n === 0 ? 0 : chineseNumeral(n)}張圖片：`,
    () => `画${n}张海报：`,
    () => `${n}幅畫：`,
  ];
  if (n <= 20) forms.push(() => `${EN_NUMBER_WORDS[n]} ${rng.pick(EN_NOUNS)} of`);
  if (n >= 2 && n <= 15) forms.push(() => `a series of ${EN_NUMBER_WORDS[n] ?? n}:`);
  return rng.pick(forms)();
}

const ALL_NOISE = [MENTIONS, MENTIONS, UNICODE, UNICODE, CONTROLS, MARKDOWN];
/** Noise that survives normalisation unchanged (no controls, no invisibles, no lone surrogates). */
const VISIBLE_NOISE = [
  MENTIONS,
  UNICODE.filter(
    (u) => normalizePrompt(u) === u && !/[\u200d\ud800-\udfff]/.test(u.replace(/\p{Extended_Pictographic}/gu, '')),
  ),
  MARKDOWN.filter((m) => normalizePrompt(m) === m),
];

function noise(rng: Rng, pools = ALL_NOISE): string {
  return rng.pick(rng.pick(pools));
}

/** Words with noise between them; `core` stays one piece so a count phrase is never split. */
function decorate(rng: Rng, core: string[], visibleOnly = false): string {
  const pools = visibleOnly ? VISIBLE_NOISE : ALL_NOISE;
  const parts: string[] = [];
  for (const piece of core) {
    while (rng.chance(0.35)) parts.push(noise(rng, pools));
    parts.push(piece);
  }
  while (rng.chance(0.4)) parts.push(noise(rng, pools));
  return parts.join(visibleOnly ? ' ' : rng.pick([' ', ' ', '  ', '\n']));
}

function subject(rng: Rng): string {
  return rng.chance(0.7) ? rng.pick(SUBJECTS_EN) : rng.pick(SUBJECTS_ZH);
}

/** Appends text without counts until the normalised prompt reaches `target`, then trims to it. */
function fillTo(rng: Rng, start: string, target: number, visibleOnly = false): string {
  let text = start;
  // Normalising never lengthens a text, so grow the raw text first, then check.
  for (;;) {
    while (text.length < target) text += ` ${decorate(rng, [subject(rng)], visibleOnly)}`;
    if (normalizePrompt(text).length >= target) break;
    text += ` ${decorate(rng, [subject(rng)], visibleOnly)}`;
  }
  // The longest prefix (in code points) that normalises to at most `target`.
  const chars = [...text];
  let low = 0;
  let high = chars.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (normalizePrompt(chars.slice(0, mid).join('')).length <= target) low = mid;
    else high = mid - 1;
  }
  return chars.slice(0, low).join('');
}

/** Invisible characters the bot drops, sprinkled between code points up to `maxLength`. */
function sprinkleInvisible(rng: Rng, text: string, maxLength: number): string {
  const chars = [...text];
  let length = text.length;
  while (length < maxLength && rng.chance(0.8)) {
    chars.splice(rng.int(0, chars.length), 0, rng.pick(['\u200b', '\u200e', '\u200f', '\u2060', '\ufeff']));
    length++;
  }
  return chars.join('');
}

// ——— payloads ———

type ExpectedCode =
  | 'count_out_of_range'
  | 'prompt_empty'
  | 'prompt_too_long'
  | 'ambiguous_count'
  | 'stated_count_out_of_range'
  | 'count_mismatch'
  | 'prompt_too_long_with_count'
  | 'aspect_unknown'
  | 'quality_unknown'
  | 'seed_invalid';

interface Payload {
  kind: ExpectedCode;
  options: SlashOptions;
  /** Discord's own client would refuse these values: send them as a modified client would. */
  raw: boolean;
  locale: string;
  dm: boolean;
}

const BAD_ASPECTS = [
  '5:4',
  '1:2',
  '2:1',
  '4:5',
  '16:10',
  '10:1',
  '0:0',
  'widescreen',
  'landscape',
  '🙂',
  '',
  ...MENTIONS,
];
const BAD_QUALITIES = ['ultra', 'hd', 'best', 'FAST!', 'fastest', '', '标准', '@here', '<@123456789012345678>'];
const BAD_SEEDS = [-1, -2, -2_147_483_648, 2_147_483_648, 4_294_967_296, 9_007_199_254_740_991, 1e20];
const BAD_COUNTS = [0, -1, -15, 16, 20, 100, 2_147_483_648, -2_147_483_649, 1e15];
const OUT_OF_RANGE_STATED = [0, 16, 17, 18, 20, 24, 30, 50, 64, 99, 100];
const LOCALES = ['en-US', 'en-US', 'en-US', 'en-GB', 'zh-TW', 'zh-TW', 'zh-CN', 'zh-CN', 'fr', 'ja', 'ko'];

/** A valid prompt and count: the payload's flaw is somewhere else. */
function validPromptAndCount(rng: Rng): { prompt: string; count?: number } {
  const n = rng.int(1, 15);
  if (rng.chance(0.5)) return { prompt: decorate(rng, [statedPhrase(rng, n), subject(rng)]), count: n };
  return { prompt: decorate(rng, [subject(rng)]), ...(rng.chance(0.5) ? { count: n } : {}) };
}

/** Later-checked flaws a payload may carry as well; the first flaw in the bot's order must win. */
function extraFlaws(rng: Rng, options: SlashOptions): boolean {
  let raw = false;
  if (rng.chance(0.15)) {
    options['aspect'] = rng.pick(BAD_ASPECTS);
    raw = true;
  }
  if (rng.chance(0.1)) {
    options['seed'] = rng.pick(BAD_SEEDS);
    raw = true;
  }
  if (rng.chance(0.1)) {
    options['quality'] = rng.pick(BAD_QUALITIES);
    raw = true;
  }
  return raw;
}

const KINDS: readonly ExpectedCode[] = [
  'prompt_too_long',
  'prompt_too_long',
  'prompt_too_long_with_count',
  'prompt_too_long_with_count',
  'prompt_empty',
  'prompt_empty',
  'count_out_of_range',
  'count_mismatch',
  'count_mismatch',
  'ambiguous_count',
  'ambiguous_count',
  'stated_count_out_of_range',
  'stated_count_out_of_range',
  'aspect_unknown',
  'quality_unknown',
  'seed_invalid',
];

function makePayload(rng: Rng, kind: ExpectedCode): Payload {
  const locale = rng.pick(LOCALES);
  const dm = rng.chance(0.05);
  const base = { kind, locale, dm };
  switch (kind) {
    case 'prompt_too_long': {
      const target = rng.chance(0.4)
        ? rng.int(601, 620)
        : rng.chance(0.8)
          ? rng.int(621, 2_000)
          : rng.int(2_001, 9_000);
      let prompt = fillTo(rng, decorate(rng, [subject(rng)]), target);
      while (normalizePrompt(prompt).length <= 600) prompt += 'x';
      const options: SlashOptions = { prompt, ...(rng.chance(0.5) ? { count: rng.int(1, 15) } : {}) };
      extraFlaws(rng, options);
      return { ...base, options, raw: true };
    }
    case 'prompt_too_long_with_count': {
      // At most 600 characters, but not once "Generate N images: " / "生成N張圖片：" is put in front.
      for (;;) {
        const count = rng.chance(0.6) ? rng.int(1, 15) : undefined;
        const visible = fillTo(rng, decorate(rng, [subject(rng)], true), rng.int(594, 600), true);
        const prompt = sprinkleInvisible(rng, visible, 600);
        const text = normalizePrompt(prompt);
        const phrase = countPhrase(count ?? 3, detectPromptLanguage(text, locale));
        if (prompt.length > 600 || statedCounts(text).length > 0) continue;
        if (text.length > 600 || text.length + phrase.length <= 600) continue;
        const options: SlashOptions = { prompt, ...(count === undefined ? {} : { count }) };
        return { ...base, options, raw: extraFlaws(rng, options) };
      }
    }
    case 'prompt_empty': {
      const prompt = Array.from({ length: rng.int(0, 40) }, () => rng.pick(INVISIBLE)).join('');
      const options: SlashOptions = { prompt, ...(rng.chance(0.3) ? { count: rng.int(1, 15) } : {}) };
      extraFlaws(rng, options);
      return { ...base, options, raw: true };
    }
    case 'count_out_of_range': {
      const prompt = rng.chance(0.2) ? '' : validPromptAndCount(rng).prompt;
      const options: SlashOptions = { prompt, count: rng.pick(BAD_COUNTS) };
      extraFlaws(rng, options);
      return { ...base, options, raw: true };
    }
    case 'count_mismatch': {
      const stated = rng.int(1, 15);
      let count = rng.int(1, 14);
      if (count >= stated) count++;
      const options: SlashOptions = { prompt: decorate(rng, [statedPhrase(rng, stated), subject(rng)]), count };
      return { ...base, options, raw: extraFlaws(rng, options) };
    }
    case 'ambiguous_count': {
      const a = rng.int(1, 20);
      let b = rng.int(1, 19);
      if (b >= a) b++;
      const forms = [
        () => `${a} or ${b} ${rng.pick(EN_NOUNS)} of`,
        () => `${a}-${b} ${rng.pick(EN_NOUNS)} of`,
        () => `${EN_NUMBER_WORDS[a]} to ${EN_NUMBER_WORDS[b]} ${rng.pick(EN_NOUNS)} of`,
        () => `${statedPhrase(rng, a)} ${subject(rng)} and ${statedPhrase(rng, b)}`,
        () => `生成${chineseNumeral(a)}到${chineseNumeral(b)}張圖片：`,
        () => `${a}-${b}張圖片：`,
      ];
      const options: SlashOptions = {
        prompt: decorate(rng, [rng.pick(forms)(), subject(rng)]),
        ...(rng.chance(0.4) ? { count: rng.int(1, 15) } : {}),
      };
      return { ...base, options, raw: extraFlaws(rng, options) };
    }
    case 'stated_count_out_of_range': {
      const stated = rng.pick(OUT_OF_RANGE_STATED);
      const phrase =
        stated === 0 && rng.chance(0.5)
          ? `0 ${rng.pick(EN_NOUNS)} of`
          : stated === 100 && rng.chance(0.5)
            ? `a hundred ${rng.pick(EN_NOUNS)} of`
            : statedPhrase(rng, stated);
      const options: SlashOptions = {
        prompt: decorate(rng, [phrase, subject(rng)]),
        ...(rng.chance(0.3) ? { count: rng.int(1, 15) } : {}),
      };
      return { ...base, options, raw: extraFlaws(rng, options) };
    }
    case 'aspect_unknown': {
      const options: SlashOptions = { ...validPromptAndCount(rng), aspect: rng.pick(BAD_ASPECTS) };
      if (rng.chance(0.2)) options['seed'] = rng.pick(BAD_SEEDS);
      return { ...base, options, raw: true };
    }
    case 'quality_unknown': {
      const options: SlashOptions = { ...validPromptAndCount(rng), quality: rng.pick(BAD_QUALITIES) };
      if (rng.chance(0.2)) options['seed'] = rng.pick(BAD_SEEDS);
      return { ...base, options, raw: true };
    }
    case 'seed_invalid': {
      const options: SlashOptions = { ...validPromptAndCount(rng), seed: rng.pick(BAD_SEEDS) };
      if (rng.chance(0.3)) options['aspect'] = rng.pick(['16:9', '1:1', '21:9']);
      return { ...base, options, raw: true };
    }
  }
}

// ——— reading the answers ———

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A catalogue template as a pattern: its placeholders may hold anything. */
function templatePattern(template: string, placeholder = '[\\s\\S]*?'): RegExp {
  const parts = template.split(/\{\w+\}/);
  return new RegExp(`^${parts.map(escapeRegExp).join(placeholder)}$`);
}

const INPUT_CODES: readonly ExpectedCode[] = [...new Set(KINDS)];
const ERROR_PATTERNS = Object.fromEntries(
  (Object.keys(CATALOGUES) as SupportedLocale[]).map((locale) => [
    locale,
    INPUT_CODES.map((code) => ({ code, pattern: templatePattern(CATALOGUES[locale].errors[code]) })),
  ]),
) as Record<SupportedLocale, Array<{ code: ExpectedCode; pattern: RegExp }>>;

function expectedLocale(locale: string): SupportedLocale {
  // Every guild here speaks en-US; only zh-TW and zh-CN users get Chinese.
  return locale === 'zh-TW' || locale === 'zh-CN' ? locale : 'en-US';
}

interface Verdict {
  code: ExpectedCode | undefined;
  problems: string[];
}

function judge(handle: InteractionHandle, payload: Payload): Verdict {
  const problems: string[] = [];
  const response = handle.response;
  if (!response) return { code: undefined, problems: ['no response'] };
  if (response.type !== 4) problems.push(`response type ${response.type}, not 4`);
  const flags = Number(response.data?.['flags'] ?? 0);
  if ((flags & 64) === 0) problems.push(`not ephemeral (flags ${flags})`);
  if ((handle.responseTimeMs ?? Number.POSITIVE_INFINITY) >= 3_000) problems.push(`slow: ${handle.responseTimeMs} ms`);
  const data = response.data ?? {};
  const embeds = (data['embeds'] ?? []) as Array<{ description?: string; footer?: { text?: string } }>;
  const content = typeof data['content'] === 'string' ? data['content'] : '';
  const text = embeds[0]?.description ?? content;
  const footer = embeds[0]?.footer?.text ?? '';
  const locale = expectedLocale(payload.locale);
  if (/\n\s+at |Error:|node_modules|\.[jt]s:\d+|undefined|\[object /.test(`${text}\n${footer}\n${content}`)) {
    problems.push('looks like raw error text or a stack');
  }
  const reference = templatePattern(CATALOGUES[locale].common.reference, '[A-Z2-7]{6}');
  if (!reference.test(footer)) problems.push(`no reference in ${locale}: ${JSON.stringify(footer)}`);
  const code = ERROR_PATTERNS[locale].find(({ pattern }) => pattern.test(text))?.code;
  if (code === undefined) problems.push(`not a ${locale} input error: ${JSON.stringify(text.slice(0, 200))}`);
  else if (code !== payload.kind) problems.push(`answered ${code}, expected ${payload.kind}`);
  if (locale !== 'en-US' && !/\p{Script=Han}/u.test(text)) problems.push('not Chinese');
  return { code, problems };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const submits = () => h.runcomfy.calls.filter((c) => c.route === 'submit');
const noPings = (m: StoredMessage) => m.pinged.users.length === 0 && m.pinged.roles.length === 0 && !m.pinged.everyone;

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

// ——— the tests ———

describe('/imagine fuzz', () => {
  it(`${PAYLOADS} invalid payloads: each answered ephemerally within 3 s, nothing sent to RunComfy, nobody pinged`, {
    timeout: 90_000,
  }, async () => {
    const rng = createRng(SEED);
    console.log(
      `fuzz seed ${SEED} (0x${SEED.toString(16)}); change SEED in ${import.meta.url.split('/').pop()} to replay`,
    );
    const channel = h.discord.createChannel(h.discord.defaultGuild, { name: 'fuzz' });
    const users = Array.from({ length: USERS }, (_, i) => h.discord.createUser({ username: `fuzzer${i}` }));
    const payloads = Array.from({ length: PAYLOADS }, (_, i) => makePayload(rng, KINDS[i % KINDS.length]!));
    const messagesBefore = new Set(h.discord.state.messages.keys());
    const started = Date.now();

    const failures: string[] = [];
    const times: number[] = [];
    const codes = new Map<string, number>();
    const byLocale = new Map<string, number>();
    for (let offset = 0; offset < payloads.length; offset += BATCH) {
      const batch = payloads.slice(offset, offset + BATCH);
      const handles = batch.map((payload) =>
        h.discord.runSlashCommand(
          { user: rng.pick(users), ...(payload.dm ? {} : { channel }), locale: payload.locale },
          'imagine',
          payload.options,
          { validate: !payload.raw },
        ),
      );
      await Promise.all(handles.map((handle) => handle.waitForResponse({ timeoutMs: 10_000 }).catch(() => undefined)));
      for (const [i, handle] of handles.entries()) {
        const payload = batch[i]!;
        const verdict = judge(handle, payload);
        times.push(handle.responseTimeMs ?? Number.POSITIVE_INFINITY);
        codes.set(payload.kind, (codes.get(payload.kind) ?? 0) + 1);
        const locale = expectedLocale(payload.locale);
        byLocale.set(locale, (byLocale.get(locale) ?? 0) + 1);
        if (verdict.problems.length > 0 && failures.length < 15) {
          failures.push(
            `#${offset + i} ${payload.kind} ${payload.locale}${payload.dm ? ' DM' : ''}: ${verdict.problems.join('; ')}\n` +
              `   options ${JSON.stringify(payload.options).slice(0, 300)}`,
          );
        }
      }
    }
    const wallMs = Date.now() - started;
    times.sort((a, b) => a - b);
    console.log(
      `fuzz: ${payloads.length} payloads in ${(wallMs / 1000).toFixed(1)} s; response time p50 ${percentile(times, 50)} ms, ` +
        `p99 ${percentile(times, 99)} ms, max ${times.at(-1)} ms\n` +
        `  by expected error: ${[...codes].map(([k, v]) => `${k} ${v}`).join(', ')}\n` +
        `  by answer locale: ${[...byLocale].map(([k, v]) => `${k} ${v}`).join(', ')}; ` +
        `raw (Discord's client would refuse): ${payloads.filter((p) => p.raw).length}; DMs: ${payloads.filter((p) => p.dm).length}`,
    );
    expect(failures, failures.join('\n')).toEqual([]);
    expect(payloads.length).toBeGreaterThanOrEqual(1_000);
    expect(times.at(-1)).toBeLessThan(3_000);
    expect(byLocale.get('zh-TW')).toBeGreaterThan(0);
    expect(byLocale.get('zh-CN')).toBeGreaterThan(0);

    // Nothing reached RunComfy, nothing public was posted, nobody was pinged.
    expect(submits()).toEqual([]);
    const created = [...h.discord.state.messages.values()].filter((m) => !messagesBefore.has(m.id));
    expect(created.length).toBe(payloads.length); // one ephemeral answer each, nothing else
    expect(created.filter((m) => !m.ephemeral)).toEqual([]);
    expect(created.filter((m) => !noPings(m))).toEqual([]);
    expect(h.discord.channelMessages(channel)).toEqual([]);
    expect(h.discord.state.pingLog).toEqual([]);
    expect(h.discord.state.internalErrors).toEqual([]);
    // Every refusal was a user error (logged at info), never an internal one.
    expect(h.logs.filter((line) => line.includes('"level":50') || line.includes('"level":"error"'))).toEqual([]);
  });

  it('control group: valid prompts full of mentions are accepted, posted publicly, and still ping nobody', {
    timeout: 60_000,
  }, async () => {
    const channel = h.discord.createChannel(h.discord.defaultGuild, { name: 'fuzz-control' });
    const id = '123456789012345678';
    const cases: Array<{ prompt: string; count?: number; locale?: string }> = [
      { prompt: `@everyone look: 2 images of a lighthouse <@${id}>`, count: 2 },
      { prompt: `<@&${id}> @here a red fox in the snow`, count: 1 },
      { prompt: `生成兩張圖片：@everyone 夜晚的城市 <@${id}>`, locale: 'zh-TW' },
      { prompt: `@here 画两张海报：樱花 <@!${id}>`, locale: 'zh-CN' },
      { prompt: `**bold** ||spoiler|| @here <#${id}> a castle`, count: 1 },
      { prompt: `\u200f👩‍👩‍👧‍👦 an image of a family picnic @everyone`, count: 1 },
      { prompt: `a poster of @everyone dancing, by <@${id}>`, count: 1 },
      { prompt: `@EVERYONE @Here\u0007 two photos of\tkoi <@&${id}>` },
      { prompt: `e\u0301te\u0301 @everyone\u200b@here 1 illustration of a cat`, count: 1 },
      { prompt: `<@${id}><@${id}><@${id}> cats playing chess`, count: 2 },
      // Markdown everywhere, at the length limit: escaping doubles it, and it must still fit.
      { prompt: `${'||*_~`>'.repeat(81)} one image of a cat @everyone`, count: 1 },
    ];
    const submitsBefore = submits().length;
    const handles = cases.map((c, i) =>
      h.discord.runSlashCommand(
        { user: h.discord.createUser({ username: `control${i}` }), channel, locale: c.locale ?? 'en-US' },
        'imagine',
        { prompt: c.prompt, ...(c.count === undefined ? {} : { count: c.count }) },
      ),
    );
    for (const [i, handle] of handles.entries()) {
      const response = await handle.waitForResponse();
      expect(handle.responseTimeMs).toBeLessThan(3_000);
      expect(response.type, cases[i]!.prompt).toBe(4);
      expect(Number(response.data?.['flags'] ?? 0) & 64).toBe(0); // public: the card
      const card = await handle.waitForOriginal();
      expect(card.ephemeral).toBe(false);
      expect(card.allowedMentions).toEqual({ parse: [] });
      const description = card.data.embeds?.[0]?.description ?? '';
      expect(description).not.toMatch(/@(everyone|here)/i); // escaped with a zero-width space
      expect(description).not.toMatch(/<@[!&]?\d+>|<#\d+>/);
    }
    // Let every one of them finish: they are real jobs now.
    await until(async () => {
      const jobs = await Promise.all(handles.map((handle) => h.bot.engine.get(handle.id)));
      return jobs.every(
        (job) => job !== undefined && ['delivered', 'failed', 'cancelled', 'timed_out', 'expired'].includes(job.state),
      );
    }, 'the control jobs to end');
    const states = await Promise.all(handles.map((handle) => h.bot.engine.get(handle.id)));
    expect(submits().length - submitsBefore).toBe(cases.length);
    expect(states.map((job) => job?.state)).toEqual(cases.map(() => 'delivered'));

    const posted = h.discord.channelMessages(channel);
    expect(posted.length).toBeGreaterThanOrEqual(cases.length * 2); // a card and results each
    for (const message of posted) {
      expect(message.allowedMentions).toEqual({ parse: [] });
      expect(noPings(message)).toBe(true);
      const text = [
        message.data.content ?? '',
        ...(message.data.embeds ?? []).map((e) => e.description ?? ''),
        displayedText(message),
      ].join('\n');
      expect(text).not.toMatch(/@(everyone|here)/i);
      // The only mention left is the requester's, inside an embed (embeds never ping) or a
      // result's text display (sent with allowed_mentions that ping nobody).
      const mentions = [...text.matchAll(/<@[!&]?(\d+)>/g)].map((m) => m[1]);
      expect(mentions.every((m) => m !== id)).toBe(true);
    }
    expect(h.discord.state.pingLog).toEqual([]);
  });
});
