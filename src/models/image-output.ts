/**
 * The model's output, checked before anything downloads it: which URLs are images we may fetch,
 * how many came back against how many were asked for, and what was refused and why.
 *
 * Accepted shapes (pass the result's `output` field): `{ images: [...] }`, `{ image: "…" }`, or
 * both (images first, duplicates dropped). Items of `images` may be strings or objects with a
 * string `url` (the shape other hosts of the same model use), so a drift on RunComfy's side
 * does not throw away paid images. Other keys (`video`, `videos`, extras) are ignored.
 */
import { AppError } from '../errors.js';

export interface ParseOutputOptions {
  /**
   * The count that was asked for: at most this many URLs are kept (0 when unknown: the
   * model's maximum).
   */
  requested: number;
  /** The most images the model can make: never more URLs than this are kept. */
  maxImages: number;
  /** Host names: exact (`cdn.runcomfy.net`) or `*.domain` for any subdomain (not the apex). */
  allowedHosts: readonly string[];
}

export type RejectReason =
  | 'not_a_url_string'
  | 'invalid_url'
  | 'scheme_not_allowed'
  | 'http_not_loopback'
  | 'credentials_in_url'
  | 'host_not_allowed'
  | 'port_not_allowed'
  | 'duplicate'
  | 'over_count';

export interface RejectedUrl {
  /** The offending value, cut to 200 characters (a data: URL can be megabytes). */
  url: string;
  reason: RejectReason;
}

export interface ParsedOutput {
  /** Usable URLs, normalised by the WHATWG parser, in the model's order. */
  urls: string[];
  requested: number;
  received: number;
  /** Fewer than asked: "auto" lets the model stop early; report "k of N" honestly. */
  partial: boolean;
  /** The first refused values (at most MAX_REJECTED_LISTED); `rejectedCount` counts them all. */
  rejected: RejectedUrl[];
  rejectedCount: number;
}

/** A hostile output can list thousands of values: the log keeps a sample. */
export const MAX_REJECTED_LISTED = 20;

export type UrlCheck =
  | { ok: true; url: string }
  | { ok: false; reason: Exclude<RejectReason, 'duplicate' | 'over_count'> };

/**
 * Errors: `output_malformed` {reason} when the shape is not one we know (not an object, `images`
 * not an array, `image` not a string, or only non-URL items); `output_empty` {requested, rejected}
 * when nothing usable is left (no images, or every URL refused).
 */
export function parseImageOutput(output: unknown, options: ParseOutputOptions): ParsedOutput {
  const { requested, maxImages } = options;
  // Never more than the model can make, whatever the output lists: each URL is a download.
  const keep = requested >= 1 ? Math.min(requested, maxImages) : maxImages;
  if (output === undefined || output === null) throw emptyOutput(requested, 0);
  if (typeof output !== 'object' || Array.isArray(output)) throw malformed('not_an_object');

  const record = output as Record<string, unknown>;
  const candidates: string[] = [];
  const rejected: RejectedUrl[] = [];
  let rejectedCount = 0;
  const reject = (value: unknown, reason: RejectReason) => {
    rejectedCount++;
    if (rejected.length < MAX_REJECTED_LISTED) rejected.push({ url: preview(value), reason });
  };
  let wrongTypeItems = 0;

  if (record['images'] !== undefined && record['images'] !== null) {
    if (!Array.isArray(record['images'])) throw malformed('images_not_array');
    for (const item of record['images']) {
      const url = urlOfItem(item);
      if (url === undefined) {
        wrongTypeItems++;
        reject(item, 'not_a_url_string');
      } else {
        candidates.push(url);
      }
    }
  }
  if (record['image'] !== undefined && record['image'] !== null) {
    const url = urlOfItem(record['image']);
    if (url === undefined) throw malformed('image_not_string');
    candidates.push(url);
  }

  // A Set: linear in the number of candidates (an array's includes made 20,000 take 0.7 s).
  const seen = new Set<string>();
  const urls: string[] = [];
  for (const candidate of candidates) {
    if (urls.length >= keep) {
      reject(candidate, 'over_count');
      continue;
    }
    const check = checkImageUrl(candidate, options.allowedHosts);
    if (!check.ok) reject(candidate, check.reason);
    else if (seen.has(check.url)) reject(candidate, 'duplicate');
    else {
      seen.add(check.url);
      urls.push(check.url);
    }
  }

  if (urls.length === 0) {
    // Only junk where URLs belong is a contract change, not a model that produced nothing.
    if (candidates.length === 0 && wrongTypeItems > 0) throw malformed('images_not_strings');
    throw emptyOutput(requested, rejectedCount);
  }
  return { urls, requested, received: urls.length, partial: urls.length < requested, rejected, rejectedCount };
}

/**
 * One URL against the rules: `https:` on an allowed host, on port 443; `http:` only on an allowed
 * host that is also loopback (127.0.0.0/8, ::1, localhost), for the local emulators, which keep
 * their ports. The allow-list applies to loopback too, so a hostile output cannot point the
 * downloader at local services in production (the emulator setup lists 127.0.0.1/localhost
 * explicitly), nor at another port of an allowed host (`https://x.runcomfy.net:6379/`). No
 * user:pass@ URLs. Where names resolve to is checked when connecting (output-dispatcher.ts).
 */
export function checkImageUrl(raw: string, allowedHosts: readonly string[]): UrlCheck {
  let parsed: URL;
  try {
    parsed = new URL(raw.trim());
  } catch {
    return { ok: false, reason: 'invalid_url' };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return { ok: false, reason: 'scheme_not_allowed' };
  if (parsed.username !== '' || parsed.password !== '') return { ok: false, reason: 'credentials_in_url' };
  const host = normaliseHost(parsed.hostname);
  if (host === '') return { ok: false, reason: 'invalid_url' };
  if (parsed.protocol === 'http:' && !isLoopbackHost(host)) return { ok: false, reason: 'http_not_loopback' };
  if (!isHostAllowed(host, allowedHosts)) return { ok: false, reason: 'host_not_allowed' };
  // The WHATWG parser drops a default port, so '' is 443 for https: (and 80 for http:).
  if (parsed.port !== '' && !isLoopbackHost(host)) return { ok: false, reason: 'port_not_allowed' };
  return { ok: true, url: parsed.href };
}

/**
 * `host` (as the WHATWG parser gives it: lowercase, punycode, IPv6 in brackets) against the
 * allow-list, case-insensitively. `*.runcomfy.net` matches `cdn.runcomfy.net` and
 * `a.b.runcomfy.net` but not `runcomfy.net` itself, `evilruncomfy.net` or
 * `runcomfy.net.evil.com`. A bare `*` matches nothing: "anything" is not an allow-list.
 */
export function isHostAllowed(host: string, allowedHosts: readonly string[]): boolean {
  const target = normaliseHost(host);
  if (target === '') return false;
  return allowedHosts.some((entry) => {
    const pattern = normaliseHost(entry);
    if (pattern.startsWith('*.')) {
      const suffix = pattern.slice(1); // ".runcomfy.net": the dot keeps "evilruncomfy.net" out
      return suffix.length > 1 && target.length > suffix.length && target.endsWith(suffix);
    }
    return pattern !== '' && pattern !== '*' && target === pattern;
  });
}

export function isLoopbackHost(host: string): boolean {
  const h = normaliseHost(host);
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Lowercase, no trailing dot (`runcomfy.net.` is the same host), IPv6 without brackets. */
function normaliseHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

function urlOfItem(item: unknown): string | undefined {
  if (typeof item === 'string') return item;
  if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
    const url = (item as Record<string, unknown>)['url'];
    if (typeof url === 'string') return url;
  }
  return undefined;
}

function preview(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function malformed(reason: string): AppError {
  return new AppError('output_malformed', `The model output has an unexpected shape (${reason})`, {
    params: { reason },
  });
}

function emptyOutput(requested: number, rejected: number): AppError {
  return new AppError('output_empty', 'The model output holds no usable image URL', {
    params: { requested, rejected },
  });
}

export interface CountSummary {
  received: number;
  requested: number;
  /** How many fewer than asked (0 when complete). */
  missing: number;
  /** How many more than asked (the model should not, but the UI must not lie if it does). */
  extra: number;
  partial: boolean;
}

/** "k of N" as numbers; the Discord layer words it in the reader's language. */
export function describeCount(received: number, requested: number): CountSummary {
  return {
    received,
    requested,
    missing: Math.max(0, requested - received),
    extra: Math.max(0, received - requested),
    partial: received < requested,
  };
}

/**
 * A URL RunComfy can fetch an input image from: HTTPS, no credentials, not our own machine
 * (loopback only when `allowLoopback`: the local emulators).
 */
export function isPublicReferenceUrl(value: string, rules: { allowLoopback?: boolean } = {}): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username !== '' || url.password !== '') return false;
  if (isLoopbackHost(url.hostname)) return rules.allowLoopback === true && /^https?:$/.test(url.protocol);
  return url.protocol === 'https:';
}
