/**
 * The one retry core: capped exponential backoff with jitter, Retry-After honoured,
 * aborts never retried. Callers decide what is retryable through `decide`.
 */
import { isAbortError } from '../errors.js';
import { sleep } from './sleep.js';

export interface RetryPolicy {
  /** Attempts in total, the first included. 1 means no retry. */
  maxAttempts: number;
  /** First backoff step; doubles each attempt. */
  baseDelayMs: number;
  /** Cap on one backoff step (and on a Retry-After we are willing to wait). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 10_000 };

export type RetryDecision =
  | { retry: false }
  /** Retry; `afterMs` is the server's Retry-After when it sent one. */
  | { retry: true; afterMs?: number };

export interface RetryOptions {
  policy?: RetryPolicy;
  signal?: AbortSignal;
  decide: (error: unknown, attempt: number) => RetryDecision;
  onRetry?: (info: { error: unknown; attempt: number; delayMs: number }) => void;
  /** Injected for deterministic tests; returns [0, 1). */
  random?: () => number;
}

/** Backoff before retry number `attempt` (1-based): equal jitter over min(cap, base·2^(attempt-1)). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (isAbortError(error) || options.signal?.aborted || attempt >= policy.maxAttempts) throw error;
      const decision = options.decide(error, attempt);
      if (!decision.retry) throw error;
      const backoff = backoffDelay(attempt, policy, random);
      // A Retry-After longer than we are willing to wait is surfaced, not slept through.
      if (decision.afterMs !== undefined && decision.afterMs > policy.maxDelayMs) throw error;
      const delayMs = decision.afterMs !== undefined ? decision.afterMs + Math.round(random() * 250) : backoff;
      options.onRetry?.({ error, attempt, delayMs });
      await sleep(delayMs, options.signal);
    }
  }
}

/** Parses a Retry-After header (delta-seconds or HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  const trimmed = raw.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
