/**
 * Crash test: the engine runs in a child process with a durable store and is kill -9'd at
 * random moments (at least 20 times, across queued, running, fetching and delivering).
 * After the last restart every job must end exactly once: delivered once (every part
 * posted exactly once), or in a terminal state that says why. Zero lost, zero doubled.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunComfyEmulator, startRunComfyEmulator } from '../../src/emulators/runcomfy/index.js';
import { isTerminal, type JobRecord, type JobState } from '../../src/engine/job.js';
import { assertEachJobOnce, readJobs, startSink } from '../helpers/crash-sink.js';
import { announceRedisSkip, redisSkipReason, testEnv } from '../helpers/test-env.js';
import { killHard, spawnWorker } from '../helpers/worker-process.js';

const JOBS = 50;
const MIN_KILLS = 20;
announceRedisSkip('the crash test on Redis');

const WORKER = join(import.meta.dirname, 'fixtures', 'crash-worker.ts');

const random = (min: number, max: number) => min + Math.random() * (max - min);
const realDelay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function crashRun(storeUrl: string, prefix: string) {
  const emulator: RunComfyEmulator = await startRunComfyEmulator({
    queueMs: () => random(100, 1_500),
    // `running` is only recorded when a poll sees the set in progress, and a restarted worker
    // (tsx start, store, resume) takes a second or more on a loaded machine: runs shorter than
    // that end between two lives, the job goes queued → fetching and no kill catches it running.
    runMs: () => random(2_500, 6_000),
  });
  const sink = await startSink();
  const config = {
    storeUrl,
    storePrefix: prefix,
    runcomfyUrl: emulator.url,
    runcomfyToken: emulator.token,
    sinkUrl: sink.url,
    spoolDir: mkdtempSync(join(tmpdir(), 'seedream-crash-spool-')),
    // A kill every 0.15–0.9 s is a crash loop no deployment lives in: each life's downloads are
    // written at once (as before the spool waited), or a loaded machine makes every life start
    // them again and few jobs ever reach delivering. The spool's own wait is covered by
    // image-spool.test, files absent at a restart by engine.test ("local copies lost"), the
    // clean stop that writes them by restart.test.
    spoolWriteDelayMs: 0,
  };
  const ids = Array.from({ length: JOBS }, (_, i) => `crash-${prefix.slice(-6)}-${i}`);
  const accepted = new Set<string>();
  const statesAtKill = new Map<JobState, number>();
  let kills = 0;
  let child: ChildProcess | undefined;
  try {
    for (;;) {
      child = await spawnWorker(WORKER, config);
      child.on('message', (m: { type: string; id: string }) => {
        if (m.type === 'accepted') accepted.add(m.id);
      });
      // Submits not yet acknowledged are sent again: the job id makes that idempotent.
      for (const [i, id] of ids.entries()) {
        if (!accepted.has(id)) child.send({ type: 'submit', id, userId: `user-${i % 7}`, count: 1 + (i % 5) });
      }
      const coverage = ['queued', 'running', 'fetching', 'delivering'].every((s) => statesAtKill.has(s as JobState));
      if (kills >= MIN_KILLS && coverage) break;
      if (kills >= 80) {
        const now = await readJobs(storeUrl, prefix, ids);
        const states = now.map((job) => `${job?.state ?? 'none'}${job?.failure ? `(${job.failure.code})` : ''}`);
        throw new Error(
          `after ${kills} kills the states seen were ${[...statesAtKill.keys()]}; the jobs now: ${states.join(' ')}`,
        );
      }
      await realDelay(random(150, 900));
      await killHard(child);
      kills++;
      for (const job of await readJobs(storeUrl, prefix, ids)) {
        if (job && !isTerminal(job.state)) statesAtKill.set(job.state, (statesAtKill.get(job.state) ?? 0) + 1);
      }
    }
    // The last worker lives: wait until every job has ended.
    const deadline = performance.now() + 180_000;
    let jobs: Array<JobRecord | undefined> = [];
    while (performance.now() < deadline) {
      jobs = await readJobs(storeUrl, prefix, ids);
      if (accepted.size === JOBS && jobs.every((j) => j && isTerminal(j.state))) break;
      await realDelay(250);
    }
    return { jobs, accepted, kills, statesAtKill, sink, emulator };
  } finally {
    if (child && child.exitCode === null) await killHard(child);
    sink.server.close();
    await emulator.close();
  }
}

function assertExactlyOnce(result: Awaited<ReturnType<typeof crashRun>>) {
  const { jobs, accepted, kills, statesAtKill, sink, emulator } = result;
  expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
  for (const state of ['queued', 'running', 'fetching', 'delivering'] as const) {
    expect(statesAtKill.get(state) ?? 0, `kills that caught a job ${state}`).toBeGreaterThan(0);
  }
  expect(accepted.size).toBe(JOBS);
  const delivered = assertEachJobOnce(jobs, sink);
  // A job not delivered is one whose submit was on the wire at a kill (it may have reached
  // RunComfy, so it is never re-sent): nearly each is a submit RunComfy received and no job
  // recorded. The exceptions are submits a kill caught between recording "sent" and the request
  // reaching RunComfy (a connection being opened after a restart): seen up to 8 in one run
  // under load, allowed up to one a kill. A submit that never left is sent
  // again after the restart (the `unsent` mark), and no job is submitted twice.
  const endings = new Map<string, number>();
  for (const job of jobs) {
    const ending = job?.state === 'delivered' ? 'delivered' : `${job?.state}(${job?.failure?.code})`;
    endings.set(ending, (endings.get(ending) ?? 0) + 1);
  }
  const how = `how the jobs ended: ${JSON.stringify(Object.fromEntries(endings))}`;
  const uncertain = endings.get('failed(runcomfy_submit_uncertain)') ?? 0;
  expect(delivered + uncertain, how).toBe(JOBS);
  const recorded = new Set(jobs.map((job) => job?.requestId).filter(Boolean));
  const received = emulator.jobs();
  const orphans = received.filter((job) => !recorded.has(job.requestId)).length;
  expect(received.length, 'submits RunComfy received (at most one per job)').toBeLessThanOrEqual(JOBS);
  expect(uncertain, `${how}; submits RunComfy received that no job recorded: ${orphans}`).toBeLessThanOrEqual(
    orphans + kills,
  );
  return {
    delivered,
    kills,
    statesAtKill: Object.fromEntries(statesAtKill),
    uncertain,
    orphans,
    attempts: sink.attempts,
    messages: sink.messages.size,
  };
}

const opened: string[] = [];
afterAll(() => {
  opened.length = 0;
});

describe('crash test: kill -9 at random moments', () => {
  it('SQLite: 50 jobs, ≥20 kills, every job ends exactly once', { timeout: 600_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seedream-crash-'));
    const result = await crashRun(`sqlite://${join(dir, 'store.sqlite')}`, `crash-sqlite-${process.pid}`);
    const summary = assertExactlyOnce(result);
    console.info('crash test (sqlite):', JSON.stringify(summary));
  });

  it.skipIf(!testEnv.REDIS_URL)(
    `Redis: the same${redisSkipReason ? ` — skipped: ${redisSkipReason}` : ''}`,
    { timeout: 600_000 },
    async () => {
      const result = await crashRun(testEnv.REDIS_URL!, `crash-redis-${process.pid}-${Date.now()}`);
      const summary = assertExactlyOnce(result);
      console.info('crash test (redis):', JSON.stringify(summary));
    },
  );
});
