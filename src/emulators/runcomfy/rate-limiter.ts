/**
 * A token bucket refilled from the injected clock, so tests drive it by moving time rather than
 * by waiting. Capacity equals one second of requests.
 */
export class TokenBucket {
  private tokens: number;
  private lastRefillAt: number;

  constructor(
    private readonly requestsPerSecond: number,
    private readonly clock: () => number,
  ) {
    if (!(requestsPerSecond > 0)) throw new Error('rateLimit.requestsPerSecond must be > 0');
    this.tokens = requestsPerSecond;
    this.lastRefillAt = clock();
  }

  /** Takes a token; otherwise returns the ms until one is available. */
  take(): { ok: true } | { ok: false; waitMs: number } {
    const now = this.clock();
    const elapsed = Math.max(0, now - this.lastRefillAt);
    this.tokens = Math.min(this.requestsPerSecond, this.tokens + (elapsed * this.requestsPerSecond) / 1000);
    this.lastRefillAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, waitMs: ((1 - this.tokens) * 1000) / this.requestsPerSecond };
  }
}
