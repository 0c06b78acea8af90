/**
 * What a log line may carry. Secrets hide in more places than fixed paths reach: any key that
 * names one, at any depth (`err.config.headers.Authorization`); URLs (a DiscordAPIError's `url`
 * holds the interaction token in its path); message strings ("Bearer …", the bot's own tokens).
 * Errors become plain objects (no empty `stack`, no request body with files), and a call's keys
 * that repeat the logger's bindings are dropped, so no line carries a key twice.
 */

const CENSOR = '[redacted]';

/** Keys whose value is a secret, whatever the nesting: token, interactionToken, DISCORD_TOKEN, authorization… */
const SECRET_KEY = /(token|authorization|secret|password|passwd|api[-_]?key|cookie)$/i;

/** Secrets inside text. */
const SECRET_TEXT: ReadonlyArray<readonly [RegExp, string]> = [
  // Interaction and webhook tokens travel in URL paths: /interactions/{id}/{token}, /webhooks/{app}/{token}.
  [/(\/(?:interactions|webhooks)\/\d+\/)[^/?#\s"'`]+/gi, `$1${CENSOR}`],
  [/\b(Bearer|Bot|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/g, `$1 ${CENSOR}`],
  [/([?&](?:token|access_token|api_key|apikey|key|signature)=)[^&#\s"'`]+/gi, `$1${CENSOR}`],
  // Discord bot tokens: three base64url parts.
  [/\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}\b/g, CENSOR],
  // Interaction tokens start with base64 of "interaction:".
  [/aW50ZXJhY3Rpb246[A-Za-z0-9_-]+/g, CENSOR],
];

/** Error properties left out of logs: the payload we sent is large and may carry files. */
const ERROR_KEYS_LEFT_OUT = new Set(['requestBody', 'stack', 'message', 'name', 'cause']);

const MAX_DEPTH = 8;

export class LogRedactor {
  readonly #secrets: string[];

  /** `secrets`: exact values never to print (the configured tokens); short ones are ignored. */
  constructor(secrets: readonly (string | undefined)[] = []) {
    this.#secrets = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 8))].sort(
      (a, b) => b.length - a.length,
    );
  }

  text(value: string): string {
    let out = value;
    for (const secret of this.#secrets) if (out.includes(secret)) out = out.split(secret).join(CENSOR);
    for (const [pattern, replacement] of SECRET_TEXT) out = out.replace(pattern, replacement);
    return out;
  }

  /** A copy of `value` that is safe to print. */
  value(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
    switch (typeof value) {
      case 'string':
        return this.text(value);
      case 'bigint':
        return value.toString();
      case 'function':
      case 'symbol':
        return undefined;
      case 'object':
        break;
      default:
        return value;
    }
    if (value === null) return null;
    if (seen.has(value)) return '[circular]';
    if (depth >= MAX_DEPTH) return '[…]';
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
    if (value instanceof URL) return this.text(value.href);
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
    seen.add(value);
    try {
      if (value instanceof Error) return this.error(value, depth, seen);
      if (Array.isArray(value)) return value.map((item) => this.value(item, depth + 1, seen));
      if (value instanceof Map) return this.object(Object.fromEntries(value), depth, seen);
      if (value instanceof Set) return [...value].map((item) => this.value(item, depth + 1, seen));
      return this.object(value as Record<string, unknown>, depth, seen);
    } finally {
      seen.delete(value);
    }
  }

  /** `{ type, message, code…, stack (when there is one), cause }`, every part redacted. */
  error(error: Error, depth = 0, seen = new WeakSet<object>()): Record<string, unknown> {
    const out: Record<string, unknown> = {
      type: error.constructor?.name && error.constructor.name !== 'Object' ? error.constructor.name : error.name,
      message: this.text(String(error.message)),
    };
    for (const [key, item] of Object.entries(error)) {
      if (ERROR_KEYS_LEFT_OUT.has(key) || item === undefined) continue;
      out[key] = SECRET_KEY.test(key) ? CENSOR : this.value(item, depth + 1, seen);
    }
    if (typeof error.stack === 'string' && error.stack !== '') out['stack'] = this.text(error.stack);
    if (error.cause !== undefined) out['cause'] = this.value(error.cause, depth + 1, seen);
    return out;
  }

  object(value: Readonly<Record<string, unknown>>, depth = 0, seen = new WeakSet<object>()): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      out[key] = SECRET_KEY.test(key) ? CENSOR : this.value(item, depth + 1, seen);
    }
    return out;
  }
}

/**
 * The arguments of one log call made safe: the merge object redacted (an Error first becomes
 * `{ err }`), keys already in the logger's `bindings` with the same value dropped (a different
 * value is kept under `<key>_2`), and string arguments redacted.
 */
export function redactLogArguments(
  redactor: LogRedactor,
  args: unknown[],
  bindings: Readonly<Record<string, unknown>>,
): unknown[] {
  const [first, ...rest] = args;
  const strings = rest.map((arg) => (typeof arg === 'string' ? redactor.text(arg) : redactor.value(arg)));
  if (typeof first === 'string') return [redactor.text(first), ...strings];
  if (first instanceof Error) {
    return [{ err: redactor.error(first) }, ...(strings.length > 0 ? strings : [redactor.text(first.message)])];
  }
  if (first === null || typeof first !== 'object') return [first, ...strings];
  const merged: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(redactor.object(first as Record<string, unknown>))) {
    if (!Object.hasOwn(bindings, key)) merged[key] = item;
    else if (!sameValue(bindings[key], item)) merged[`${key}_2`] = item;
  }
  return [merged, ...strings];
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
