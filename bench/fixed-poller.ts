/**
 * The baselines: what the fal.ai / Replicate JS clients (0.5 s) and RunComfy's CLI (2 s) do.
 * Per job, a timer of its own: GET status every `intervalMs`; on `completed`, GET result; on a
 * 429, wait the Retry-After (else the interval) for that job only; any other error, wait the
 * interval. Same RunComfyClient as the engine, retries off, so an HTTP call costs the same.
 */
import type { RunComfyClient } from '../src/runcomfy/client.js';
import { RunComfyRateLimitError } from '../src/runcomfy/errors.js';
import { sleepVirtual, type VirtualClock } from './clock.js';

const NO_RETRY = { retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 }, timeoutMs: 10_000 };

export type FixedOutcome = 'succeeded' | 'failed' | 'cancelled';

export async function followFixed(
  client: RunComfyClient,
  clock: VirtualClock,
  requestId: string,
  intervalMs: number,
): Promise<FixedOutcome> {
  // A 429 makes this job (only) wait the Retry-After, or its interval when that is longer.
  const waitAfter = (error: unknown): number =>
    error instanceof RunComfyRateLimitError ? Math.max(intervalMs, error.retryAfterMs ?? 0) : intervalMs;
  let wait = intervalMs;
  for (;;) {
    await sleepVirtual(clock, wait);
    wait = intervalMs;
    let status: string;
    try {
      status = (await client.status(requestId, NO_RETRY)).status;
    } catch (error) {
      wait = waitAfter(error);
      continue;
    }
    if (status === 'cancelled') return 'cancelled';
    if (status !== 'completed') continue;
    for (;;) {
      try {
        const result = await client.result(requestId, NO_RETRY);
        if (result.status === 'succeeded') return 'succeeded';
        if (result.status === 'failed') return 'failed';
        if (result.status === 'cancelled') return 'cancelled';
        await sleepVirtual(clock, intervalMs);
      } catch (error) {
        await sleepVirtual(clock, waitAfter(error));
      }
    }
  }
}
