import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PollScheduler } from '../../src/engine/poll-scheduler.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

function deferred() {
  let resolve!: (next: number | null) => void;
  const promise = new Promise<number | null>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('PollScheduler', () => {
  it('runs each job when it is due, with a single timer for all of them', async () => {
    const runs: Array<[string, number]> = [];
    const scheduler = new PollScheduler({
      concurrency: 10,
      ratePerSecond: 100,
      run: async (id) => {
        runs.push([id, Date.now()]);
        return null;
      },
    });
    const t0 = Date.now();
    scheduler.start();
    for (let i = 0; i < 1_000; i++) scheduler.schedule(`job${i}`, t0 + 1_000 + (i % 10) * 100);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(runs).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every(([, at]) => at >= t0 + 1_000)).toBe(true);
    expect(vi.getTimerCount()).toBeLessThanOrEqual(1);
    await scheduler.stop();
  });

  it('keeps at most `concurrency` calls in flight', async () => {
    const pending: Array<ReturnType<typeof deferred>> = [];
    let peak = 0;
    let inFlight = 0;
    const scheduler = new PollScheduler({
      concurrency: 3,
      ratePerSecond: 1_000,
      run: (id) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        const d = deferred();
        pending.push(d);
        return d.promise.finally(() => {
          inFlight--;
          void id;
        });
      },
    });
    scheduler.start();
    for (let i = 0; i < 10; i++) scheduler.schedule(`j${i}`, Date.now());
    await vi.advanceTimersByTimeAsync(10);
    expect(scheduler.inFlight).toBe(3);
    while (pending.length > 0) {
      pending.shift()!.resolve(null);
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(peak).toBe(3);
    await scheduler.stop();
  });

  it('never exceeds `ratePerSecond` calls per second', async () => {
    const times: number[] = [];
    const scheduler = new PollScheduler({
      concurrency: 100,
      ratePerSecond: 5,
      run: async () => {
        times.push(Date.now());
        return null;
      },
    });
    const t0 = Date.now();
    scheduler.start();
    for (let i = 0; i < 30; i++) scheduler.schedule(`j${i}`, t0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(times).toHaveLength(30);
    for (let second = 0; second < 6; second++) {
      const inSecond = times.filter((t) => t >= t0 + second * 1_000 && t < t0 + (second + 1) * 1_000).length;
      expect(inSecond).toBeLessThanOrEqual(5);
    }
    await scheduler.stop();
  });

  it('pauses every poll until a 429 Retry-After, halves its rate, and recovers', async () => {
    const times: number[] = [];
    const scheduler = new PollScheduler({
      concurrency: 10,
      ratePerSecond: 10,
      run: async () => {
        times.push(Date.now());
        return Date.now() + 100;
      },
    });
    const t0 = Date.now();
    scheduler.start();
    scheduler.schedule('a', t0);
    scheduler.schedule('b', t0);
    await vi.advanceTimersByTimeAsync(50);
    const before = times.length;
    scheduler.pauseUntil(Date.now() + 3_000);
    expect(scheduler.rate).toBe(5);
    await vi.advanceTimersByTimeAsync(2_900);
    expect(times.length).toBe(before);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(times.length).toBeGreaterThan(before);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(scheduler.rate).toBe(10);
    await scheduler.stop();
  });

  it('drops the next poll of a job unscheduled while its call was in flight', async () => {
    const d = deferred();
    let calls = 0;
    const scheduler = new PollScheduler({
      concurrency: 1,
      ratePerSecond: 10,
      run: () => {
        calls++;
        return d.promise;
      },
    });
    scheduler.start();
    scheduler.schedule('x', Date.now());
    await vi.advanceTimersByTimeAsync(1);
    scheduler.unschedule('x');
    d.resolve(Date.now() + 10);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(1);
    expect(scheduler.has('x')).toBe(false);
    await scheduler.stop();
  });

  it('scales its timer by timeScale (compressed clocks in benchmarks)', async () => {
    let virtual = 0;
    const runs: number[] = [];
    const scheduler = new PollScheduler({
      concurrency: 1,
      ratePerSecond: 100,
      timeScale: 4,
      clock: () => virtual,
      run: async () => {
        runs.push(virtual);
        return null;
      },
    });
    scheduler.start();
    scheduler.schedule('x', 4_000);
    virtual = 0;
    await vi.advanceTimersByTimeAsync(999);
    expect(runs).toHaveLength(0);
    virtual = 4_000;
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toEqual([4_000]);
    await scheduler.stop();
  });
});
