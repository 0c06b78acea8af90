/**
 * The bot's messages in en-US, zh-TW and zh-CN, and the one path from any error to a friendly,
 * localised sentence (Skyra style): an error is shown by its stable `code`, never by its
 * `message` or stack, so nothing internal (URLs, tokens, upstream bodies) can reach a user.
 */
import { randomBytes } from 'node:crypto';
import { AppError, isAbortError } from '../errors.js';
import { enUS, type MessageTree, zhCN, zhTW } from './catalogues.js';
import type { ParamsOf, Placeholders } from './translation.js';

export const SUPPORTED_LOCALES = ['en-US', 'zh-TW', 'zh-CN'] as const;
export type SupportedLocale = (typeof SUPPORTED_LOCALES)[number];
export const DEFAULT_LOCALE: SupportedLocale = 'en-US';

/** Dotted paths to every message of en-US: 'errors.prompt_empty', 'common.reference'… */
type LeafPaths<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : LeafPaths<T[K], `${Prefix}${K}.`>;
}[keyof T & string];
export type MessageKey = LeafPaths<typeof enUS>;

/** The en-US template of `K`, a string literal type ('errors.prompt_empty' → 'Your prompt is empty…'). */
type TemplateAt<Tree, Path extends string> = Path extends `${infer Head}.${infer Rest}`
  ? Head extends keyof Tree
    ? TemplateAt<Tree[Head], Rest>
    : never
  : Path extends keyof Tree
    ? Tree[Path] & string
    : never;
export type MessageTemplate<K extends MessageKey> = TemplateAt<typeof enUS, K>;
/** The params `K` needs: exactly its en-US placeholders (a union of keys needs all of theirs). */
export type MessageParams<K extends MessageKey> = ParamsOf<MessageTemplate<K>>;
/** The arguments after the key: none for a message without placeholders, else its params. */
export type MessageArgs<K extends MessageKey> = [Placeholders<MessageTemplate<K>>] extends [never]
  ? []
  : [params: MessageParams<K>];
/** Keys whose message has no placeholders (command names and descriptions, titles…). */
export type PlainMessageKey = { [K in MessageKey]: MessageArgs<K> extends [] ? K : never }[MessageKey];

/** Params as they come at run time (a stored failure's, an error's): checked by nobody but the template. */
export type RuntimeParams = Readonly<Record<string, string | number>>;

export const CATALOGUES: Readonly<Record<SupportedLocale, MessageTree>> = {
  'en-US': enUS,
  'zh-TW': zhTW,
  'zh-CN': zhCN,
};

/**
 * The supported locale a tag stands for, or undefined when none does. Case and `_` are
 * forgiven. Chinese goes by script first (`zh-Hant*` → zh-TW, `zh-Hans*` → zh-CN), then by
 * region (TW/HK/MO write Traditional; bare `zh`, CN, SG write Simplified); any English → en-US.
 */
export function matchLocale(locale: string | null | undefined): SupportedLocale | undefined {
  if (typeof locale !== 'string') return undefined;
  const tag = locale.trim().toLowerCase().replace(/_/g, '-');
  if (tag === '') return undefined;
  const exact = SUPPORTED_LOCALES.find((l) => l.toLowerCase() === tag);
  if (exact) return exact;
  if (/^zh(-|$)/.test(tag)) {
    if (/-hant(-|$)/.test(tag)) return 'zh-TW';
    if (/-hans(-|$)/.test(tag)) return 'zh-CN';
    return /-(tw|hk|mo)(-|$)/.test(tag) ? 'zh-TW' : 'zh-CN';
  }
  if (/^en(-|$)/.test(tag)) return 'en-US';
  return undefined;
}

/** The locale to speak to one person: theirs if we speak it, else their server's, else English. */
export function resolveLocale(discordLocale?: string | null, guildLocale?: string | null): SupportedLocale {
  return matchLocale(discordLocale) ?? matchLocale(guildLocale) ?? DEFAULT_LOCALE;
}

/** Replaces `{name}` with `params.name`; placeholders without a value stay as they are. */
export function formatMessage(template: string, params: RuntimeParams = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/** The placeholder names a template uses, in order, without repeats. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))];
}

export function isMessageKey(key: string): key is MessageKey {
  return lookup(enUS, key) !== undefined;
}

/**
 * The message `key` in `locale` with `params` filled in. Any locale string is accepted:
 * exact match, then zh-HK/zh-MO/zh-Hant → zh-TW and zh/zh-SG/zh-Hans → zh-CN, then en-US.
 * The compiler asks for exactly the params the en-US template names: `t(l, 'card.footer',
 * { reference })`, `t(l, 'card.title.queued')`.
 */
export function t<K extends MessageKey>(locale: string, key: K, ...params: MessageArgs<K>): string {
  return tDynamic(locale, key, params[0]) ?? key;
}

/**
 * The one entry point for keys known only at run time (a stored failure code, a permission name
 * Discord sent): the message if `key` is in the catalogue, else undefined so the caller chooses
 * its fallback. Params are not checked against the template; missing ones stay visible as `{name}`.
 */
export function tDynamic(locale: string, key: string, params?: RuntimeParams): string | undefined {
  const template = lookup(CATALOGUES[matchLocale(locale) ?? DEFAULT_LOCALE], key) ?? lookup(enUS, key);
  return template === undefined ? undefined : formatMessage(template, params);
}

export interface LocalisedError {
  /** Safe to show: built from the catalogue and the error's params only. */
  text: string;
  /** Short id to quote to an admin; the caller logs it next to the full error. */
  reference: string;
  /** The catalogue code used ('unknown' when the error had none we know). */
  code: string;
}

/**
 * Any thrown value → a friendly message in `locale`. Errors with a known `code` (AppError and
 * friends) read `errors.<code>` with their `params`; aborts read `errors.aborted`; anything
 * else, or a message whose params are missing, reads the generic `errors.unknown`.
 */
export function errorMessage(locale: string, error: unknown): LocalisedError {
  const reference = newReference();
  const code = codeOf(error);
  if (code !== undefined) {
    const key = `errors.${code}`;
    if (isMessageKey(key)) {
      const params = safeParams(error);
      // An error lacking a param its message needs would show a half-made sentence: use the generic one.
      const complete = placeholdersOf(lookup(enUS, key) ?? '').every((name) => Object.hasOwn(params, name));
      if (complete) return { text: tDynamic(locale, key, params) ?? t(locale, 'errors.unknown'), reference, code };
    }
  }
  return { text: t(locale, 'errors.unknown'), reference, code: 'unknown' };
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Six base32 characters (30 random bits): short enough to read out, unique enough for logs. */
export function newReference(): string {
  const bits = randomBytes(4).readUInt32BE(0);
  let out = '';
  for (let i = 0; i < 6; i++) out += BASE32[(bits >>> (i * 5)) & 31];
  return out;
}

function codeOf(error: unknown): string | undefined {
  if (error instanceof AppError) return error.code;
  if (isAbortError(error)) return 'aborted';
  // An AppError from another copy of the module (bundlers, test isolation) still carries its code.
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^[a-z][a-z0-9_]*$/.test(code)) return code;
  }
  return undefined;
}

function safeParams(error: unknown): RuntimeParams {
  const raw = (error as { params?: unknown } | null)?.params;
  if (typeof raw !== 'object' || raw === null) return {};
  const params: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === 'number' && Number.isFinite(value)) params[name] = value;
    else if (typeof value === 'string') params[name] = value.length > 200 ? `${value.slice(0, 200)}…` : value;
  }
  return params;
}

function lookup(tree: unknown, key: string): string | undefined {
  let node: unknown = tree;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' ? node : undefined;
}
