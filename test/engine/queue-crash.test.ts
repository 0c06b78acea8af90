/**
 * The fair queue survives kill -9 with its order intact. The engine runs in a child process
 * with a small global cap and a SQLite store; 22 requests from five users are accepted (2
 * sent, 20 waiting), then the process is killed hard, restarted, and killed again at random
 * moments while the queue drains. The order in which RunComfy receives the waiting jobs must
 * be the round-robin order the queue promised before the first kill.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RunComfyEmulator, startRunComfyEmulator } from '../../src/emulators/runcomfy/index.js';
import { isTerminal, type JobRecord } from '../../src/engine/job.js';
import { fairQueueSchema } from '../../src/store/fair-queue.js';
import { JobRepository } from '../../src/store/job-repository.js';
import { openStore } from '../../src/store/store.js';
import { killHard, spawnWorker } from '../helpers/worker-process.js';

const WORKER = join(import.meta.dirname, 'fixtures', 'queue-worker.ts');
const CAP = 2;

const realDelay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Round-robin, written out independently of src/store/fair-queue.ts. */
function expectedOrder(arrivals: Array<{ id: string; userId: string }>, cap: number): string[] {
  const waiting = arrivals.slice(cap); // the first `cap` go straight out: the queue is empty
  const users: string[] = [];
  const lines = new Map<string, string[]>();
  for (const a of waiting) {
    if (!lines.has(a.userId)) {
      lines.set(a.userId, []);
      users.push(a.userId);
    }
    lines.get(a.userId)!.push(a.id);
  }
  const order: string[] = [];
  while (order.length < waiting.length) {
    for (const user of [...users]) {
      const next = lines.get(user)!.shift();
      if (next) order.push(next);
    }
  }
  return order;
}

async function readState(storeUrl: string, prefix: string, ids: string[]) {
  const store = await openStore({ url: storeUrl, prefix });
  try {
    const jobs = await Promise.all(ids.map((id) => new JobRepository(store).get(id)));
    const queue = await store.get('index', 'fair-queue:main', fairQueueSchema);
    return { jobs, queue };
  } finally {
    await store.close();
  }
}

/** Job ids in the order RunComfy received them. */
const sentOrder = (emulator: RunComfyEmulator) =>
  emulator
    .jobs()
    .sort((a, b) => a.index - b.index)
    .map((j) => /job (\S+)/.exec(j.input.text)?.[1] ?? '?');

describe('fair queue crash test', () => {
  it('kill -9 with 20 waiting, then 3 more kills while it drains: RunComfy gets them in the promised order', {
    timeout: 180_000,
  }, async () => {
    const emulator = await startRunComfyEmulator({
      // The first two stay at RunComfy until well after the first kill: nothing leaves the
      // queue while the requests arrive, so the promised order is the pure round-robin.
      queueMs: ({ index }) => (index < CAP ? 2_500 : 150),
      runMs: () => 150,
    });
    const prefix = `queue-crash-${process.pid}-${Date.now()}`;
    const storeUrl = `sqlite://${join(mkdtempSync(join(tmpdir(), 'seedream-queue-crash-')), 'store.sqlite')}`;
    const config = {
      storeUrl,
      storePrefix: prefix,
      runcomfyUrl: emulator.url,
      runcomfyToken: emulator.token,
      spoolDir: mkdtempSync(join(tmpdir(), 'seedream-queue-spool-')),
      maxInFlight: CAP,
    };
    const arrivals: Array<{ id: string; userId: string }> = [];
    for (let i = 1; i <= 10; i++) arrivals.push({ id: `heavy-${i}`, userId: 'heavy' });
    for (let round = 1; round <= 3; round++) {
      for (const user of ['ann', 'bob', 'cid', 'dee']) arrivals.push({ id: `${user}-${round}`, userId: user });
    }
    const ids = arrivals.map((a) => a.id);
    const promised = expectedOrder(arrivals, CAP);
    let child: ChildProcess | undefined;
    let kills = 0;
    try {
      child = await spawnWorker(WORKER, config);
      // One at a time, so the arrival order is exactly this list.
      for (const arrival of arrivals) {
        const accepted = new Promise<{ state?: string; error?: string }>((resolve) => {
          const listener = (m: { type: string; id: string; state?: string; error?: string }) => {
            if (m.type === 'accepted' && m.id === arrival.id) {
              child!.off('message', listener);
              resolve(m);
            }
          };
          child!.on('message', listener);
        });
        child.send({ type: 'submit', ...arrival });
        const answer = await accepted;
        expect(answer.error).toBeUndefined();
      }
      // The queue as stored promises the round-robin order.
      await killHard(child);
      kills++;
      const atKill = await readState(storeUrl, prefix, ids);
      expect(sentOrder(emulator)).toEqual(ids.slice(0, CAP));
      expect(atKill.queue?.jobs).toHaveLength(arrivals.length - CAP);
      expect(atKill.jobs.filter((j) => j?.state === 'waiting')).toHaveLength(arrivals.length - CAP);

      // Restart, and kill it again at random moments while it drains.
      for (let k = 0; k < 3; k++) {
        child = await spawnWorker(WORKER, config);
        await realDelay(k === 0 ? 2_800 : 200 + Math.random() * 500);
        await killHard(child);
        kills++;
      }
      child = await spawnWorker(WORKER, config);
      const deadline = performance.now() + 90_000;
      let jobs: Array<JobRecord | undefined> = [];
      while (performance.now() < deadline) {
        jobs = (await readState(storeUrl, prefix, ids)).jobs;
        if (jobs.every((j) => j && isTerminal(j.state))) break;
        await realDelay(250);
      }
      await killHard(child);

      const sent = sentOrder(emulator);
      const waitingSent = sent.slice(CAP);
      // A kill in the instant between "sending" and RunComfy's answer ends that one job as
      // "submit uncertain" (never re-sent, so never paid twice); every other job is delivered.
      const uncertain = jobs.filter((j) => j?.failure?.code === 'runcomfy_submit_uncertain').map((j) => j!.id);
      console.info(
        `queue crash: ${kills} kills; RunComfy order ${waitingSent.join(' ')}; uncertain: ${uncertain.join(' ') || 'none'}`,
      );
      expect(new Set(sent).size).toBe(sent.length); // nothing sent twice
      expect(waitingSent).toEqual(promised.filter((id) => sent.includes(id)));
      for (const job of jobs) {
        expect(job, 'every job exists').toBeDefined();
        if (uncertain.includes(job!.id)) continue;
        expect(job!.state, job!.id).toBe('delivered');
      }
      expect(uncertain.length).toBeLessThanOrEqual(3);
      expect(sent.length).toBeGreaterThanOrEqual(arrivals.length - uncertain.length);
    } finally {
      if (child) await killHard(child);
      await emulator.close();
    }
  });
});
