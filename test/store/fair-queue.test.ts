/**
 * The bot's fair queue: round-robin across users behind the global cap on jobs in flight,
 * with live positions, Cancel while waiting, and its order kept in the store.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JobEngine } from '../../src/engine/engine.js';
import type { JobRecord } from '../../src/engine/job.js';
import { FairQueue, fairQueueSchema } from '../../src/store/fair-queue.js';
import { ImageSpool } from '../../src/store/image-spool.js';
import { createHarness, type Harness } from '../helpers/engine-harness.js';

describe('FairQueue (pure)', () => {
  const entry = (id: string, userId: string) => ({ id, userId, at: 0 });

  it('serves round-robin: each user in turn, each user’s own requests in order', () => {
    const q = new FairQueue();
    for (let i = 1; i <= 5; i++) q.enqueue(entry(`h${i}`, 'heavy'));
    q.enqueue(entry('a1', 'a'));
    q.enqueue(entry('a2', 'a'));
    q.enqueue(entry('b1', 'b'));
    expect(q.order()).toEqual(['h1', 'a1', 'b1', 'h2', 'a2', 'h3', 'h4', 'h5']);
    expect(q.positionOf('b1')).toBe(3);
    const served: string[] = [];
    for (let next = q.peek(); next; next = q.peek()) {
      served.push(next.id);
      q.serve(next.id);
    }
    expect(served).toEqual(['h1', 'a1', 'b1', 'h2', 'a2', 'h3', 'h4', 'h5']);
  });

  it('puts a served user at the back, and a newcomer after everyone already waiting', () => {
    const q = new FairQueue();
    q.enqueue(entry('h1', 'heavy'));
    q.enqueue(entry('h2', 'heavy'));
    q.serve('h1');
    q.enqueue(entry('n1', 'new'));
    expect(q.order()).toEqual(['h2', 'n1']);
    q.enqueue(entry('n2', 'new'));
    q.serve('h2');
    q.enqueue(entry('h3', 'heavy'));
    expect(q.order()).toEqual(['n1', 'h3', 'n2']);
  });

  it('removing (cancel) does not spend a turn; a round trip through JSON keeps the order', () => {
    const q = new FairQueue();
    q.enqueue(entry('a1', 'a'));
    q.enqueue(entry('b1', 'b'));
    q.enqueue(entry('a2', 'a'));
    q.remove('a1');
    expect(q.order()).toEqual(['a2', 'b1']);
    const copy = new FairQueue(fairQueueSchema.parse(JSON.parse(JSON.stringify(q.toJSON()))));
    expect(copy.order()).toEqual(['a2', 'b1']);
  });

  it('heals a damaged record: duplicates, users missing from the ring', () => {
    const q = new FairQueue({
      v: 1,
      ring: ['ghost', 'b'],
      jobs: [entry('a1', 'a'), entry('b1', 'b'), entry('a1', 'a')],
    });
    expect(q.order()).toEqual(['b1', 'a1']);
    q.restoreAtFront([entry('x1', 'x')]);
    expect(q.order()).toEqual(['x1', 'b1', 'a1']);
  });
});

let h: Harness | undefined;

/** A second engine on the harness's store, client and spool: the process after a restart. */
function engineAfterRestart(harness: Harness, deadlineMs: number): JobEngine {
  return new JobEngine({
    store: harness.store,
    client: harness.client,
    deliverer: harness.deliverer,
    spool: new ImageSpool({ directory: harness.spoolDir, maxBytesPerImage: 1 << 24, timeoutMs: 10_000 }),
    outputHosts: ['127.0.0.1'],
    deadlineMs,
    limits: { activePerUser: 100 },
    maxInFlight: 1,
    pollConcurrency: 4,
    pollRate: 50,
  });
}

describe('JobEngine: the fair queue behind the global cap', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    vi.useRealTimers();
  });

  it('one user with 30 requests, five with 2 each, cap 2: the five are all sent before the heavy user’s sixth', {
    timeout: 120_000,
  }, async () => {
    h = await createHarness({
      emulator: { queueMs: 1_000, baseRunMs: 2_000, perImageMs: 0 },
      engine: { maxInFlight: 2, limits: { activePerUser: 100 } },
    });
    await h.engine.start();
    const sent: Array<{ user: string; id: string }> = [];
    let maxInFlight = 0;
    h.engine.on('state', (job) => {
      if (job.state === 'submitted') sent.push({ user: job.owner.userId, id: job.id });
      maxInFlight = Math.max(maxInFlight, h!.engine.inFlightCount);
    });
    const heavy: JobRecord[] = [];
    for (let i = 0; i < 30; i++) heavy.push(await h.submit('heavy', 1));
    const light: JobRecord[] = [];
    for (const user of ['u1', 'u2', 'u3', 'u4', 'u5']) {
      for (let i = 0; i < 2; i++) light.push(await h.submit(user, 1));
    }
    expect(heavy.slice(0, 2).map((j) => j.state)).toEqual(['queued', 'queued']);
    expect(heavy.slice(2).every((j) => j.state === 'waiting')).toBe(true);
    // Places in the bot's queue: heavy's 3rd goes first, then one of each light user, then heavy again.
    expect((await h.engine.get(heavy[2]!.id))?.queuePosition).toBe(1);
    expect((await h.engine.get(light[0]!.id))?.queuePosition).toBe(2);
    expect((await h.engine.get(light[8]!.id))?.queuePosition).toBe(6);
    expect((await h.engine.get(heavy[3]!.id))?.queuePosition).toBe(7);
    expect((await h.engine.get(light[9]!.id))?.queuePosition).toBe(12);

    await h.advance(200_000, 500);
    const states = await Promise.all([...heavy, ...light].map((j) => h!.engine.get(j.id)));
    expect(states.every((j) => j?.state === 'delivered')).toBe(true);
    expect(maxInFlight).toBeLessThanOrEqual(2);
    expect(sent).toHaveLength(40);
    const order = sent.map((s) => s.user);
    const heavySixth = order.flatMap((user, i) => (user === 'heavy' ? [i] : []))[5]!;
    const lastLight = Math.max(...order.flatMap((user, i) => (user === 'heavy' ? [] : [i])));
    console.info(`fairness: sending order ${order.map((u) => (u === 'heavy' ? 'H' : u.slice(1))).join('')}`);
    expect(lastLight).toBeLessThan(heavySixth);
    expect(order.slice(0, 15).join(',')).toBe('heavy,heavy,heavy,u1,u2,u3,u4,u5,heavy,u1,u2,u3,u4,u5,heavy');
    // Each user’s own requests go in the order they were made.
    const heavyIds = sent.filter((s) => s.user === 'heavy').map((s) => s.id);
    expect(heavyIds).toEqual(heavy.map((j) => j.id));
  });

  it('Cancel while waiting: out of the queue, positions move up, nothing reaches RunComfy', async () => {
    h = await createHarness({ emulator: { queueMs: 60_000 }, engine: { maxInFlight: 1 } });
    await h.engine.start();
    await h.submit('a', 1);
    const w1 = await h.submit('b', 1);
    const w2 = await h.submit('c', 1);
    const positions: Array<[string, number | null]> = [];
    h.engine.on('queue', (job) => positions.push([job.id, job.queuePosition]));
    expect(w2.queuePosition).toBe(2);
    const { outcome, job } = await h.engine.cancel(w1.id);
    expect(outcome).toBe('cancelled');
    expect(job.state).toBe('cancelled');
    await vi.waitFor(() => expect(positions).toContainEqual([w2.id, 1]), { interval: 5 });
    expect((await h.engine.get(w2.id))?.queuePosition).toBe(1);
    expect(h.emulator.jobs()).toHaveLength(1);
    expect(h.engine.waitingOrder()).toEqual([w2.id]);
    expect((await h.engine.cancel(w1.id)).outcome).toBe('already_ended');
    expect(await h.engine.userActive('b')).toEqual([]);
  });

  it('a job that waits its whole deadline ends timed_out, is never sent and gives its quota back; one sent in time goes on', {
    timeout: 60_000,
  }, async () => {
    const minute = 60_000;
    h = await createHarness({
      emulator: { queueMs: 120 * minute },
      engine: { maxInFlight: 1, deadlineMs: 10 * minute },
    });
    await h.engine.start();
    const a = await h.submit('a', 1); // holds the one slot until its own deadline (10 min)
    await h.advance(1 * minute, 5_000);
    const b = await h.submit('b', 1); // waits 9 min: sent when a's slot frees, in time
    await h.advance(8.5 * minute, 5_000);
    const c = await h.submit('c', 1); // waits behind b, which holds the slot until 19.5 min
    expect([b.state, c.state]).toEqual(['waiting', 'waiting']);
    const ended: string[] = [];
    h.engine.on('ended', (job) => ended.push(`${job.owner.userId}:${job.state}`));
    await h.advance(1 * minute, 5_000); // 10.5 min: a timed out on RunComfy's side, b sent
    expect((await h.engine.get(a.id))?.state).toBe('timed_out');
    expect((await h.engine.get(b.id))?.state).not.toBe('timed_out');
    expect(h.engine.waitingOrder()).toEqual([c.id]);
    await h.advance(8.5 * minute, 5_000); // 19 min: c has waited 9.5 min
    expect((await h.engine.get(c.id))?.state).toBe('waiting');
    await h.advance(1 * minute, 5_000); // 20 min: past c's 10 min of waiting
    const timedOut = await h.engine.get(c.id);
    expect(timedOut?.state).toBe('timed_out');
    expect(timedOut?.failure).toMatchObject({ code: 'queue_timed_out', params: { minutes: 10 } });
    expect(ended).toContain('c:timed_out');
    expect(h.engine.waitingOrder()).toEqual([]);
    expect(await h.engine.userActive('c')).toEqual([]);
    // Only a and b ever reached RunComfy.
    expect(h.emulator.jobs()).toHaveLength(2);
  });

  it('times out at the next start a job whose waiting deadline passed while the bot was down', async () => {
    h = await createHarness({
      storeUrl: 'memory://',
      emulator: { queueMs: 120 * 60_000 },
      engine: { maxInFlight: 1, deadlineMs: 10 * 60_000 },
    });
    await h.engine.start();
    await h.submit('a', 1);
    const waiting = await h.submit('b', 1);
    await h.engine.stop();
    vi.setSystemTime(Date.now() + 11 * 60_000);
    const again = engineAfterRestart(h, 10 * 60_000);
    await again.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.waitFor(async () => expect((await again.get(waiting.id))?.state).toBe('timed_out'), { interval: 5 });
    expect(again.waitingOrder()).toEqual([]);
    await again.stop();
  });

  it('keeps waiting jobs across a clean restart and sends them in the same order', async () => {
    h = await createHarness({
      storeUrl: 'memory://',
      emulator: { queueMs: 60_000 },
      engine: { maxInFlight: 1 },
    });
    await h.engine.start();
    await h.submit('a', 1);
    for (const user of ['a', 'a', 'b', 'c', 'b']) await h.submit(user, 1);
    const before = h.engine.waitingOrder();
    expect(before).toHaveLength(5);
    await h.engine.stop();
    const again = engineAfterRestart(h, 30 * 60_000);
    await again.start();
    expect(again.waitingOrder()).toEqual(before);
    expect(again.inFlightCount).toBe(1);
    await again.stop();
  });
});
