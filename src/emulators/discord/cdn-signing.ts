/**
 * Discord's attachment URLs are signed and expire: `?ex=<hex unix expiry>&is=<hex unix issued>
 * &hm=<hex hmac>`; past `ex` (about a day) the CDN answers 404 "This content is no longer
 * available.", and whatever hands the URL out again (reading the message, an interaction's
 * payload, a gateway event) carries a freshly signed one. The emulator does the same, on its
 * clock, so a bot that keeps a URL instead of re-reading the message fails here as it would there.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from './clock.js';

/** About a day, as Discord's. */
export const DEFAULT_CDN_URL_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** What the CDN answers for an unsigned, forged or expired URL (Discord's words). */
export const CDN_EXPIRED_TEXT = 'This content is no longer available.';

/** An absolute URL of the emulator's CDN, with or without a query (the path is what is signed). */
const CDN_URL = /^https?:\/\/[^/?#]+\/cdn\/attachments\/[^?#]+/;

export class CdnSigner {
  private readonly secret: Buffer;

  constructor(
    private readonly clock: Clock,
    readonly lifetimeMs: number = DEFAULT_CDN_URL_LIFETIME_MS,
    secret?: Buffer,
  ) {
    if (!(lifetimeMs > 0)) throw new Error('cdnUrlLifetimeMs must be positive');
    this.secret = secret ?? randomBytes(32);
  }

  /** `url` (its query dropped) signed from now for `lifetimeMs`. */
  sign(url: string): string {
    const base = url.split('?')[0]!;
    const now = this.clock();
    const issued = Math.floor(now / 1000).toString(16);
    const expires = Math.floor((now + this.lifetimeMs) / 1000).toString(16);
    const pathname = base.replace(/^https?:\/\/[^/]+/, '');
    return `${base}?ex=${expires}&is=${issued}&hm=${this.mac(pathname, expires, issued)}&`;
  }

  /** Whether the CDN serves `pathname` with this query now. */
  check(pathname: string, query: URLSearchParams): 'ok' | 'unsigned' | 'forged' | 'expired' {
    const expires = query.get('ex');
    const issued = query.get('is');
    const mac = query.get('hm');
    if (!expires || !issued || !mac) return 'unsigned';
    const expected = Buffer.from(this.mac(pathname, expires, issued));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'forged';
    return Number.parseInt(expires, 16) * 1000 <= this.clock() ? 'expired' : 'ok';
  }

  /**
   * A copy of `value` (a wire message, an interaction, any JSON) with every CDN URL in it signed
   * afresh, as Discord re-signs what it hands out. Values without one are returned as they are.
   */
  refresh<T>(value: T): T {
    const visit = (node: unknown): unknown => {
      if (typeof node === 'string') return CDN_URL.test(node) ? this.sign(node) : node;
      if (Array.isArray(node)) {
        let changed = false;
        const copy = node.map((item) => {
          const next = visit(item);
          if (next !== item) changed = true;
          return next;
        });
        return changed ? copy : node;
      }
      if (typeof node === 'object' && node !== null) {
        let copy: Record<string, unknown> | undefined;
        for (const [key, inner] of Object.entries(node)) {
          const next = visit(inner);
          if (next !== inner) {
            copy ??= { ...(node as Record<string, unknown>) };
            copy[key] = next;
          }
        }
        return copy ?? node;
      }
      return node;
    };
    return visit(value) as T;
  }

  private mac(pathname: string, expires: string, issued: string): string {
    return createHmac('sha256', this.secret).update(`${pathname}\n${expires}\n${issued}`).digest('hex');
  }
}
