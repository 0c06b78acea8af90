/**
 * Two processes on one Redis keep one truth: twenty concurrent requests from one member,
 * split over two engines with their own store connections (nothing shared in memory), against
 * a daily cap, an active cap and a global in-flight cap. Before the limits lived in Redis this
 * accepted 6 against a cap of 5 and 3, sent 4 jobs against a cap of 2, and the counter ended
 * below the sum of what it accepted.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NO_LIMITS, type QuotaLimits } from '../../src/accounting/quota.js';
import { dayKey, usageKeys, usageRecordSchema } from '../../src/accounting/usage.js';
import { type RunComfyEmulator, startRunComfyEmulator } from '../../src/emulators/runcomfy/index.js';
import { JobEngine } from '../../src/engine/engine.js';
import type { JobRecord } from '../../src/engine/job.js';
import { GuildSettingsStore, SETTINGS_MAX_AGE_MS } from '../../src/guilds/guild-settings.js';
import { buildSeedreamInput } from '../../src/models/seedream-sequential/build-input.js';
import { RunComfyClient } from '../../src/runcomfy/client.js';
import { ImageSpool } from '../../src/store/image-spool.js';
import { LeaseLostError, openStore, type Store } from '../../src/store/store.js';
import { RecordingDeliverer } from '../helpers/engine-harness.js';
import { testEnv } from '../helpers/test-env.js';

const redisUrl = testEnv.REDIS_URL;

interface Proc {
  store: Store;
  client: RunComfyClient;
  engine: JobEngine;
}

let emulator: RunComfyEmulator | undefined;
let procs: Proc[] = [];

afterEach(async () => {
  for (const p of procs) await p.engine.stop();
  await procs[0]?.store.clear();
  for (const p of procs) {
    await p.client.close();
    await p.store.close();
  }
  procs = [];
  await emulator?.close();
  emulator = undefined;
});

async function startProcesses(count: number, maxInFlight: number, leaseMs = 60_000): Promise<Proc[]> {
  // Jobs stay queued at RunComfy for the whole test: whatever was accepted stays active.
  emulator = await startRunComfyEmulator({ queueMs: 600_000 });
  const prefix = `test-mp-${process.pid}-${Date.now()}`;
  for (let i = 0; i < count; i++) {
    const store = await openStore({ url: redisUrl!, prefix });
    const client = new RunComfyClient({
      baseUrl: emulator.url,
      token: emulator.token,
      timeoutMs: 5_000,
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      callerId: `p${i}`,
    });
    const engine = new JobEngine({
      store,
      client,
      deliverer: new RecordingDeliverer(),
      spool: new ImageSpool({
        directory: mkdtempSync(join(tmpdir(), 'seedream-mp-')),
        maxBytesPerImage: 1 << 24,
        timeoutMs: 5_000,
      }),
      outputHosts: ['127.0.0.1'],
      deadlineMs: 30 * 60_000,
      limits: { activePerUser: 100 },
      maxInFlight,
      pollConcurrency: 4,
      pollRate: 20,
      leaseMs,
      processId: `p${i}`,
    });
    await engine.start();
    procs.push({ store, client, engine });
  }
  return procs;
}

async function burst(limits: QuotaLimits, requests: number): Promise<JobRecord[]> {
  const results = await Promise.allSettled(
    Array.from({ length: requests }, (_, i) =>
      procs[i % procs.length]!.engine.submit({
        owner: { userId: 'member', guildId: 'g1', channelId: 'c1', locale: 'en-US' },
        prompt: 'a lighthouse at dusk',
        input: buildSeedreamInput({ prompt: 'a lighthouse at dusk', count: 1 }),
        limits,
      }),
    ),
  );
  return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}

describe.skipIf(!redisUrl)('two processes on one Redis', () => {
  it('20 concurrent requests from one member: the active cap (3), the in-flight cap (2) and the counter hold', async () => {
    await startProcesses(2, 2);
    const accepted = await burst({ ...NO_LIMITS, userDailyImages: 5, activePerUser: 3 }, 20);
    expect(accepted).toHaveLength(3);
    const submits = emulator!.calls.filter((c) => c.route === 'submit' && c.status === 200);
    expect(submits.length).toBeLessThanOrEqual(2);
    const day = await procs[0]!.store.get('stats', usageKeys.userDay('member', dayKey(Date.now())), usageRecordSchema);
    expect(day?.images).toBe(3);
    expect(day?.jobs).toBe(3);
  });

  it('20 concurrent requests against a daily cap of 5: exactly 5 accepted, the counter says 5, at most 2 sent', async () => {
    await startProcesses(2, 2);
    const accepted = await burst({ ...NO_LIMITS, userDailyImages: 5 }, 20);
    expect(accepted).toHaveLength(5);
    expect(accepted.filter((j) => j.state === 'waiting')).toHaveLength(3);
    const submits = emulator!.calls.filter((c) => c.route === 'submit' && c.status === 200);
    expect(submits).toHaveLength(2);
    const day = await procs[1]!.store.get('stats', usageKeys.userDay('member', dayKey(Date.now())), usageRecordSchema);
    expect(day?.images).toBe(5);
    // A waiting job cancelled in one process gives its place back to every process.
    const waiting = accepted.find((j) => j.state === 'waiting')!;
    const other = procs.find((p) => p.engine !== procs[0]!.engine)!;
    expect((await other.engine.cancel(waiting.id)).outcome).toBe('cancelled');
    const after = await procs[0]!.store.get(
      'stats',
      usageKeys.userDay('member', dayKey(Date.now())),
      usageRecordSchema,
    );
    expect(after?.images).toBe(4);
  });

  it('a dead owner’s job is adopted by another process, and the old owner can no longer write it', async () => {
    const [a, b] = await startProcesses(2, 5);
    const job = await burst({ ...NO_LIMITS }, 1).then((jobs) => jobs[0]!);
    expect(a!.engine.leases.owns(job.id)).toBe(true);
    expect(await b!.engine.adopt()).toBe(0); // the lease is live: nobody else takes it
    // The owner stalls past its lease (as a paused or partitioned process would): it expires.
    await a!.store.redis!.client.del(a!.engine.leases.keyOf(job.id));
    expect(await b!.engine.adopt()).toBe(1);
    expect(b!.engine.leases.owns(job.id)).toBe(true);
    // Fenced: the stale owner's write is refused, the new owner's goes through.
    await expect(a!.engine.jobs.update(job.id, (j) => ({ ...j, queuePosition: 7 }))).rejects.toBeInstanceOf(
      LeaseLostError,
    );
    const written = await b!.engine.jobs.update(job.id, (j) => ({ ...j, surface: { adopted: true } }));
    expect(written.surface.adopted).toBe(true);
    expect(written.queuePosition).not.toBe(7);
    // The emulator knows who asked: the adopter polls under its own identity.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const polls = emulator!.calls.filter((c) => c.requestId === written.requestId && c.route === 'status');
    expect(polls.some((c) => c.caller === 'p1')).toBe(true);
  });

  it('a /settings change made in one process reaches the other within 5 s, and two changes at once both stay', async () => {
    const [a, b] = await startProcesses(2, 5);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const inA = new GuildSettingsStore(a!.store);
      const inB = new GuildSettingsStore(b!.store);
      expect((await inA.get('g1')).defaults.count).toBeUndefined(); // now in A's memory
      await Promise.all([
        inB.update('g1', (s) => ({ ...s, defaults: { ...s.defaults, count: 4 } })),
        inA.update('g1', (s) => ({ ...s, limits: { ...s.limits, userDailyImages: 9 } })),
      ]);
      vi.setSystemTime(Date.now() + SETTINGS_MAX_AGE_MS);
      const seen = await inA.get('g1');
      expect(seen.defaults.count).toBe(4);
      expect(seen.limits?.userDailyImages).toBe(9);
    } finally {
      vi.useRealTimers();
    }
  });
});
