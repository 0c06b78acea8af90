/** The few variables tests read (the app itself reads the environment only in src/env.ts). */
import { z } from 'zod';

export const testEnv = z
  .object({
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//)
      .optional(),
  })
  .parse({ REDIS_URL: process.env.REDIS_URL || undefined });

/** Why the Redis tests do not run here, or undefined when they do. */
export const redisSkipReason = testEnv.REDIS_URL
  ? undefined
  : 'REDIS_URL is not set (CI sets it; start Redis and export REDIS_URL=redis://127.0.0.1:6379 to run them)';

/**
 * Says in the default reporter's output why a test file skips its Redis tests: a skipped
 * test's title shows only in the verbose reporter, while console output always shows.
 */
export function announceRedisSkip(what: string): void {
  if (redisSkipReason) console.warn(`Skipped: ${what} — ${redisSkipReason}`);
}
