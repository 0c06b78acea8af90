import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isTerminal } from '../../src/engine/job.js';
import { createHarness, type Harness } from '../helpers/engine-harness.js';

let h: Harness | undefined;
const unhandled: unknown[] = [];
const onUnhandled = (error: unknown) => unhandled.push(error);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  process.on('unhandledRejection', onUnhandled);
});

afterEach(async () => {
  await h?.close();
  h = undefined;
  vi.useRealTimers();
  process.off('unhandledRejection', onUnhandled);
});

async function endStates(harness: Harness, ids: string[]) {
  const jobs = await Promise.all(ids.map((id) => harness.engine.get(id)));
  return jobs.map((j) => j!);
}

describe('JobEngine under emulator faults', () => {
  it('survives a storm of 5xx, resets, hangs, malformed and odd answers: every job ends before its deadline', {
    timeout: 120_000,
  }, async () => {
    const deadlineMs = 5 * 60_000;
    h = await createHarness({
      emulator: { queueMs: ({ index }) => 2_000 + (index % 5) * 3_000, baseRunMs: 5_000, perImageMs: 1_000 },
      engine: { deadlineMs, pollTimeoutMs: 5_000 },
    });
    await h.engine.start();
    const ids = [];
    for (let i = 0; i < 20; i++) ids.push((await h.submit(`u${i}`, 1 + (i % 4))).id);
    h.emulator.setRandomFaults({
      probability: 0.35,
      kinds: ['server-error', 'connection-reset', 'hang', 'malformed-json', 'extra-fields', 'unknown-status'],
      routes: ['status', 'result'],
    });
    await h.advance(deadlineMs + 60_000, 1_000);
    const jobs = await endStates(h, ids);
    for (const job of jobs) {
      expect(isTerminal(job.state), `${job.id} is ${job.state}`).toBe(true);
      expect(job.updatedAt).toBeLessThanOrEqual(job.deadlineAt + 60_000);
    }
    const faulted = h.emulator.calls.filter((c) => c.fault).length;
    expect(faulted).toBeGreaterThan(20);
    expect(jobs.filter((j) => j.state === 'delivered').length).toBeGreaterThanOrEqual(18);
    expect(unhandled).toEqual([]);
  });

  it('rides out a 429 storm: polling pauses for Retry-After and every job is still delivered', {
    timeout: 120_000,
  }, async () => {
    h = await createHarness({
      clientRetry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 5_000 },
      emulator: {
        queueMs: 3_000,
        baseRunMs: 5_000,
        perImageMs: 1_000,
        rateLimit: { requestsPerSecond: 3, retryAfterSeconds: 2 },
      },
      engine: { pollRate: 50 },
    });
    await h.engine.start();
    const ids = [];
    for (let i = 0; i < 15; i++) {
      // The submit itself may meet the limit: the client honours Retry-After for it (nothing was started).
      const submitting = h.submit(`u${i}`, 2);
      await h.advance(3_000, 500);
      ids.push((await submitting).id);
    }
    await h.advance(5 * 60_000, 1_000);
    const jobs = await endStates(h, ids);
    expect(jobs.map((j) => j.state)).toEqual(ids.map(() => 'delivered'));
    const limited = h.emulator.calls.filter((c) => c.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    // After a 429 nothing is sent before its Retry-After (2 s) except by other in-flight calls.
    const apiCalls = h.emulator.calls.filter((c) => c.route !== 'file' && c.route !== 'submit');
    const firstLimit = apiCalls.findIndex((c) => c.status === 429);
    const next = apiCalls.slice(firstLimit + 1).find((c) => c.at >= apiCalls[firstLimit]!.at + 100);
    expect(next!.at - apiCalls[firstLimit]!.at).toBeGreaterThanOrEqual(2_000);
    expect(unhandled).toEqual([]);
  });

  it('ends jobs whose ids expire as expired, and the rest deliver', async () => {
    h = await createHarness({ emulator: { queueMs: 5_000, baseRunMs: 3_000 } });
    await h.engine.start();
    const a = await h.submit('a', 1);
    h.emulator.inject({ kind: 'expired' });
    const b = await h.submit('b', 1);
    await h.advance(60_000, 500);
    expect((await h.engine.get(a.id))?.state).toBe('delivered');
    const expired = await h.engine.get(b.id);
    expect(expired?.state).toBe('expired');
    expect(expired?.failure?.code).toBe('runcomfy_not_found');
  });

  it('fails a job whose images are all gone with images_expired, not a crash', async () => {
    h = await createHarness({ emulator: { queueMs: 1_000, baseRunMs: 1_000 } });
    await h.engine.start();
    h.emulator.inject({ kind: 'image-404', index: 0 });
    const job = await h.submit('c', 1);
    await h.advance(30_000, 500);
    const ended = await h.engine.get(job.id);
    expect(ended?.state).toBe('failed');
    expect(ended?.failure?.code).toBe('images_expired');
  });

  it('marks a submit that RunComfy refused as failed and gives the slot back', async () => {
    h = await createHarness({ engine: { limits: { activePerUser: 1 } } });
    await h.engine.start();
    h.emulator.inject({ kind: 'http-error', route: 'submit', status: 402, errorCode: 400002, message: 'no credit' });
    await expect(h.submit('d', 1)).rejects.toMatchObject({ code: 'runcomfy_insufficient_balance' });
    expect(await h.engine.jobs.userActive('d')).toEqual([]);
    await expect(h.submit('d', 1)).resolves.toMatchObject({ state: 'queued' });
  });
});
