/**
 * The memory point, in a child of poller.bench.ts run with --expose-gc: how much RSS 10,000
 * tracked jobs add to a running engine. The store is SQLite in a temp dir, so job records live
 * on disk (plus SQLite's bounded page cache), not in the engine's memory. The emulator (in the
 * parent) keeps every job queued for hours, so every job stays tracked: in the engine's map
 * and the scheduler's heap, polled at its queued interval. A warm-up batch of the same size
 * class is submitted and cancelled first (see below).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { JobEngine } from '../src/engine/engine.js';
import { buildSeedreamInput } from '../src/models/seedream-sequential/build-input.js';
import { RunComfyClient } from '../src/runcomfy/client.js';
import { openStore } from '../src/store/store.js';
import { NullSpool } from './null-spool.js';

export interface MemoryOrder {
  type: 'go';
  url: string;
  token: string;
  jobs: number;
  warmup: number;
  /** Where the SQLite file goes (a tmpfs such as /dev/shm keeps fsyncs from dominating). */
  directory: string;
  pollConcurrency: number;
  pollRate: number;
}

export interface MemorySample {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

export interface MemoryReport {
  type: 'done';
  jobs: number;
  tracked: number;
  /** Jobs still tracked when the baseline was taken (the warm-up is cancelled: 0). */
  warmTracked: number;
  /** After warm-up jobs, before the measured ones. */
  before: MemorySample;
  /** Right after the measured jobs were submitted. */
  afterSubmit: MemorySample;
  /** After every measured job had its first status poll. */
  afterPolled: MemorySample;
  polledJobs: number;
  sqliteMb: number;
  /** Seconds to submit the measured jobs, and until each had its first status poll. */
  submitSeconds: number;
  pollSeconds: number;
  seconds: number;
}

const MB = 1024 * 1024;
const PROMPT = 'a lighthouse at dusk';

async function settle(): Promise<MemorySample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const usage = process.memoryUsage();
  return {
    rssMb: usage.rss / MB,
    heapUsedMb: usage.heapUsed / MB,
    heapTotalMb: usage.heapTotal / MB,
    externalMb: usage.external / MB,
  };
}

process.once('message', async (order: MemoryOrder) => {
  const started = performance.now();
  // The engine's timer is unref'd and the IPC channel unrefs once no 'message' listener is left.
  const keepAlive = setInterval(() => undefined, 60_000);
  const dir = mkdtempSync(join(order.directory, 'poller-bench-mem-'));
  const file = join(dir, 'store.sqlite');
  const store = await openStore({ url: `sqlite://${file}` });
  const client = new RunComfyClient({
    baseUrl: order.url,
    token: order.token,
    timeoutMs: 10_000,
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  });
  const engine = new JobEngine({
    store,
    client,
    deliverer: { deliver: async () => undefined },
    spool: new NullSpool(),
    outputHosts: ['127.0.0.1'],
    deadlineMs: 24 * 3600_000,
    limits: { activePerUser: 2 },
    pollConcurrency: order.pollConcurrency,
    pollRate: order.pollRate,
  });
  await engine.start();
  const polled = new Set<string>();
  engine.on('queue', (job) => polled.add(job.id));
  let n = 0;
  const submitBatch = async (count: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let done = 0; done < count; done += 200) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(200, count - done) }, () => {
          const i = n++;
          return engine.submit({
            // One user and one server per job: the per-user and per-server active indexes stay small, as in
            // real use (each submit reads its server's active jobs, so one server with every job would be O(n²)).
            owner: { userId: `u${i}`, guildId: `g${i}`, channelId: `c${i}`, locale: 'en-US' },
            prompt: PROMPT,
            input: buildSeedreamInput({ prompt: PROMPT, count: 1 + (i % 6), quality: 'fast' }),
          });
        }),
      );
      ids.push(...batch.map((job) => job.id));
    }
    return ids;
  };
  // Warm-up with the same activity, then cancel it all: V8's young generation, malloc arenas and
  // the HTTP sockets grow to their working size here, so the baseline is a warm engine tracking
  // nothing and the difference is what tracking costs, not what submitting costs.
  const warm = await submitBatch(order.warmup);
  while (!warm.every((id) => polled.has(id))) await new Promise((resolve) => setTimeout(resolve, 100));
  for (let i = 0; i < warm.length; i += 200) await Promise.all(warm.slice(i, i + 200).map((id) => engine.cancel(id)));
  const warmTracked = engine.trackedCount;
  const before = await settle();
  const submitStarted = performance.now();
  const measured = await submitBatch(order.jobs);
  const submitSeconds = (performance.now() - submitStarted) / 1000;
  const afterSubmit = await settle();
  const pollStarted = performance.now();
  const limit = performance.now() + 120_000;
  while (measured.some((id) => !polled.has(id)) && performance.now() < limit) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const pollSeconds = (performance.now() - pollStarted) / 1000;
  const afterPolled = await settle();
  const report: MemoryReport = {
    type: 'done',
    jobs: order.jobs,
    tracked: engine.trackedCount,
    warmTracked,
    before,
    afterSubmit,
    afterPolled,
    polledJobs: measured.filter((id) => polled.has(id)).length,
    sqliteMb: statSync(file).size / MB,
    submitSeconds,
    pollSeconds,
    seconds: (performance.now() - started) / 1000,
  };
  await engine.stop();
  await client.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  clearInterval(keepAlive);
  process.send?.(report, () => process.exit(0));
});

process.send?.({ type: 'ready' });
