/**
 * Per-member cooldown (COMMAND_COOLDOWN): after a command, the same member's next command is
 * answered "slow down" until the cooldown has passed; buttons have their own, so Cancel right
 * after /imagine still works. A burst of 40 /imagine costs one set of work, not 40.
 *
 * Decided by rate-limiter-flexible: atomically in Redis (a Lua script) when the store is Redis,
 * so every process sees the same cooldown; in memory for SQLite and memory stores, which one
 * process owns.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Store } from '../store/store.js';

export type CooldownKind = 'command' | 'button';

export interface Cooldown {
  /** Takes the member's turn: 0 when they may act now, else the ms until they may. */
  take(kind: CooldownKind, userId: string): Promise<number>;
}

/** No cooldown (COMMAND_COOLDOWN=0). */
export const NO_COOLDOWN: Cooldown = { take: async () => 0 };

export async function createCooldown(store: Store, cooldownMs: number): Promise<Cooldown> {
  if (cooldownMs <= 0) return NO_COOLDOWN;
  // The library counts whole seconds; a cooldown is never shorter than asked.
  const options = {
    points: 1,
    duration: Math.max(1, Math.ceil(cooldownMs / 1000)),
    keyPrefix: `${store.prefix}:cooldown`,
  };
  const redis = await store.redisClient();
  const limiter = redis
    ? new RateLimiterRedis({ ...options, storeClient: redis, useRedisPackage: true })
    : new RateLimiterMemory(options);
  return {
    async take(kind, userId) {
      try {
        await limiter.consume(`${kind}:${userId}`);
        return 0;
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return Math.max(1, refusal.msBeforeNext);
        throw refusal; // the store failed: the router's error path tells the member
      }
    },
  };
}
