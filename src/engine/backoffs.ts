/** How the engine's parts wait between attempts (data, not code: see util/retry.ts). */
import type { RetryPolicy } from '../util/retry.js';

/** One try only: the poll loop plans its own next call. */
export const NO_RETRY: RetryPolicy = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
/** Polls that failed, 429s without Retry-After, image downloads that failed. */
export const ERROR_BACKOFF: RetryPolicy = {
  maxAttempts: Number.POSITIVE_INFINITY,
  baseDelayMs: 1_000,
  maxDelayMs: 15_000,
};
/** Delivery attempts: the eighth failure ends the job `failed`. */
export const DELIVERY_BACKOFF: RetryPolicy = { maxAttempts: 8, baseDelayMs: 2_000, maxDelayMs: 60_000 };
