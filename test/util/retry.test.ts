import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AbortedError } from '../../src/errors.js';
import { backoffDelay, parseRetryAfter, withRetry } from '../../src/util/retry.js';

const policy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 8_000 };

describe('backoffDelay', () => {
  it('doubles per attempt with equal jitter and is capped', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(500);
    expect(backoffDelay(1, policy, () => 0.999999)).toBe(1_000);
    expect(backoffDelay(2, policy, () => 0)).toBe(1_000);
    expect(backoffDelay(3, policy, () => 0)).toBe(2_000);
    expect(backoffDelay(4, policy, () => 0.5)).toBe(6_000);
    // 2^9 s would be 512 s: the cap holds.
    expect(backoffDelay(10, policy, () => 0.999999)).toBe(8_000);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3_000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('withRetry (fake timers)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sleeps the backoff between attempts, then succeeds', async () => {
    const calls: number[] = [];
    const promise = withRetry(
      async (attempt) => {
        calls.push(Date.now());
        if (attempt < 3) throw new Error('transient');
        return 'ok';
      },
      { policy, decide: () => ({ retry: true }), random: () => 0 },
    );
    await vi.advanceTimersByTimeAsync(499);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(promise).resolves.toBe('ok');
    expect(calls.map((t) => t - calls[0]!)).toEqual([0, 500, 1_500]);
  });

  it('waits the Retry-After instead of the backoff when the server sends one', async () => {
    const calls: number[] = [];
    const promise = withRetry(
      async (attempt) => {
        calls.push(Date.now());
        if (attempt === 1) throw new Error('429');
        return 'ok';
      },
      { policy, decide: () => ({ retry: true, afterMs: 3_000 }), random: () => 0 },
    );
    await vi.advanceTimersByTimeAsync(2_999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(promise).resolves.toBe('ok');
  });

  it('surfaces a Retry-After longer than the cap instead of sleeping through it', async () => {
    const error = new Error('429 for an hour');
    const promise = withRetry(
      async () => {
        throw error;
      },
      { policy, decide: () => ({ retry: true, afterMs: 3_600_000 }) },
    );
    await expect(promise).rejects.toBe(error);
  });

  it('gives up after maxAttempts and rethrows the last error', async () => {
    let attempts = 0;
    const promise = withRetry(
      async () => {
        attempts++;
        throw new Error(`fail ${attempts}`);
      },
      { policy: { ...policy, maxAttempts: 3 }, decide: () => ({ retry: true }), random: () => 0 },
    );
    const assertion = expect(promise).rejects.toThrow('fail 3');
    await vi.advanceTimersByTimeAsync(10_000);
    await assertion;
    expect(attempts).toBe(3);
  });

  it('never retries an abort, and an abort interrupts the backoff sleep', async () => {
    let attempts = 0;
    await expect(
      withRetry(
        async () => {
          attempts++;
          throw new AbortedError();
        },
        { policy, decide: () => ({ retry: true }) },
      ),
    ).rejects.toBeInstanceOf(AbortedError);
    expect(attempts).toBe(1);

    const controller = new AbortController();
    const sleeping = withRetry(
      async () => {
        throw new Error('transient');
      },
      { policy, signal: controller.signal, decide: () => ({ retry: true }), random: () => 0 },
    );
    const assertion = expect(sleeping).rejects.toBeInstanceOf(AbortedError);
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    await assertion;
  });
});
