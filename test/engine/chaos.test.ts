/**
 * Chaos: three bot processes on one Redis (the test's own redis-server), many members and
 * requests, a random process killed with kill -9 again and again and started again. Each
 * process runs the real engine, store and RunComfy client (test/engine/fixtures/chaos-worker.ts).
 * At the end: every accepted job was delivered exactly once or ended with its stated reason;
 * no member or server passed a limit (the active indexes sampled all along); the stored counters equal the sum over accepted jobs; RunComfy
 * never had more than the cap in flight; no request id was polled by two processes in the
 * same second; round-robin held across processes (no member's next job sent while another
 * member's job waited through that member's previous send and its own turn, see
 * roundRobinBreaches). The default is the acceptance run, 100 members / 400 requests / 20 kills
 * (83 s on a quiet 2-core machine); CHAOS_MEMBERS, CHAOS_REQUESTS, CHAOS_KILLS scale it.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { dayKey, usageKeys, usageRecordSchema } from '../../src/accounting/usage.js';
import { type RunComfyEmulator, startRunComfyEmulator } from '../../src/emulators/runcomfy/index.js';
import { isTerminal, type JobRecord, jobRecordSchema } from '../../src/engine/job.js';
import { openStore, type Store } from '../../src/store/store.js';
import { startOwnRedis } from '../helpers/own-redis.js';
import { killHard, spawnWorker } from '../helpers/worker-process.js';

const WORKER = join(import.meta.dirname, 'fixtures', 'chaos-worker.ts');
const MEMBERS = Number(process.env.CHAOS_MEMBERS ?? 100);
const REQUESTS = Number(process.env.CHAOS_REQUESTS ?? 400);
const KILLS = Number(process.env.CHAOS_KILLS ?? 20);
const PROCESSES = 3;
const MAX_IN_FLIGHT = 6;
const LIMITS = { userDailyImages: 4, activePerUser: 2, activePerGuild: 60 };
const LEASE_MS = 1_500;

const realDelay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Most intervals [from, to) open at one moment. */
function maxOverlap(intervals: Array<[number, number]>): number {
  const events = intervals.flatMap(([from, to]) => [
    [from, 1],
    [to, -1],
  ]);
  events.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let open = 0;
  let max = 0;
  for (const [, delta] of events) {
    open += delta!;
    max = Math.max(max, open);
  }
  return max;
}

interface Pop {
  member: string;
  jobId: string;
  /** The worker's clock before it sent the pop script and after its answer: Redis ran it in between. */
  from: number;
  to: number;
}

interface Wait {
  member: string;
  jobId: string;
  /** In the queue by then: the parent had the worker's answer to the request. */
  queuedBy: number;
  /** Still in the queue until then: its first pop's start, or (never popped) its end's stamp. */
  until: number;
  popped: boolean;
}

/**
 * Pops that break round-robin: member A popped twice (P1 then P2, two jobs) while a job of
 * member B was in the queue all through P1 and still at P2 (or popped after it), and no pop of
 * B's overlaps P1..P2. The ring forbids it: A served at P1 goes behind B, so B is served before
 * A again. Every time is an interval Redis's step lies in (pops are timed around the script in
 * the worker; a job is in the queue once its answer reached the parent), so the check does not
 * depend on how loaded a process is. Excused: P2 popping a job popped before, or any job of A's
 * put back at the front between P1 and P2 (a dead process's pop, where it was); a kill between
 * P1 and B's pop (that process's own pops or put-backs may not have been reported).
 */
function roundRobinBreaches(
  pops: Pop[],
  waits: Wait[],
  restores: Array<{ member: string; from: number; to: number }>,
  kills: number[],
): { breaches: string[]; checked: number; skipped: number } {
  const byMember = new Map<string, Pop[]>();
  for (const pop of [...pops].sort((a, b) => a.from - b.from)) {
    byMember.set(pop.member, [...(byMember.get(pop.member) ?? []), pop]);
  }
  const breaches: string[] = [];
  let checked = 0;
  let skipped = 0;
  for (const [member, list] of byMember) {
    for (let i = 1; i < list.length; i++) {
      const [p1, p2] = [list[i - 1]!, list[i]!];
      const repop = pops.some((p) => p.jobId === p2.jobId && p.to < p2.from);
      if (repop || restores.some((r) => r.member === member && r.to > p1.from && r.from < p2.to)) {
        skipped++;
        continue;
      }
      for (const wait of waits) {
        if (wait.member === member || wait.queuedBy >= p1.from || wait.until <= p1.to) continue;
        if (!wait.popped && wait.until <= p2.to) continue;
        if (kills.some((k) => k > p1.from && k < wait.until)) {
          skipped++;
          continue;
        }
        checked++;
        const served = (byMember.get(wait.member) ?? []).some((p) => p.to > p1.from && p.from < p2.to);
        if (!served) {
          breaches.push(
            `${member} popped ${p1.jobId} at ${p1.from} and ${p2.jobId} at ${p2.from} while ${wait.jobId} (${wait.member}) waited`,
          );
        }
      }
    }
  }
  return { breaches, checked, skipped };
}

describe('chaos: 3 processes on one Redis, kill -9 at random', () => {
  it(`${MEMBERS} members, ${REQUESTS} requests, ${KILLS} kills: every promise holds`, {
    timeout: 600_000,
  }, async () => {
    const redis = await startOwnRedis();
    const emulator: RunComfyEmulator = await startRunComfyEmulator({
      queueMs: () => 200 + Math.floor(Math.random() * 600),
      runMs: () => 300 + Math.floor(Math.random() * 400),
    });
    const prefix = `chaos-${process.pid}`;
    const spoolDir = mkdtempSync(join(tmpdir(), 'seedream-chaos-'));
    const configOf = (slot: number) => ({
      name: `w${slot}`,
      storeUrl: redis.url,
      storePrefix: prefix,
      runcomfyUrl: emulator.url,
      runcomfyToken: emulator.token,
      spoolDir: join(spoolDir, `w${slot}`),
      maxInFlight: MAX_IN_FLIGHT,
      leaseMs: LEASE_MS,
      limits: LIMITS,
    });
    const workers: Array<ChildProcess | undefined> = [];
    const posts = new Map<string, Set<string>>(); // job id → distinct nonces posted
    const answers = new Map<string, { state?: string; error?: string; at: number }>();
    const pops: Array<Omit<Pop, 'member'>> = [];
    const restored: Array<{ jobIds: string[]; from: number; to: number }> = [];
    const listen = (child: ChildProcess) =>
      child.on(
        'message',
        (m: {
          type: string;
          id: string;
          jobId: string;
          jobIds: string[];
          nonce: string;
          state?: string;
          error?: string;
          from: number;
          to: number;
        }) => {
          if (m.type === 'post') {
            if (!posts.has(m.jobId)) posts.set(m.jobId, new Set());
            posts.get(m.jobId)!.add(m.nonce);
            if (child.connected) child.send({ type: 'ack', nonce: m.nonce });
          } else if (m.type === 'accepted') answers.set(m.id, { ...m, at: Date.now() });
          else if (m.type === 'pop') pops.push({ jobId: m.jobId, from: m.from, to: m.to });
          else if (m.type === 'restored') restored.push({ jobIds: m.jobIds, from: m.from, to: m.to });
        },
      );
    const start = async (slot: number) => {
      const child = await spawnWorker(WORKER, configOf(slot));
      listen(child);
      workers[slot] = child;
    };
    let store: Store | undefined;
    try {
      for (let slot = 0; slot < PROCESSES; slot++) await start(slot);
      const requests = Array.from({ length: REQUESTS }, (_, i) => ({
        id: `r${i}`,
        userId: `m${Math.floor(Math.random() * MEMBERS)}`,
      }));
      // The active indexes, sampled all along: admission keeps them within the limits (an index
      // may hold a just-ended job for a moment, so a sample can only be high, never low).
      store = await openStore({ url: redis.url, prefix });
      const sampler = store;
      const members = Array.from({ length: MEMBERS }, (_, i) => `m${i}`);
      const peak = { member: 0, guild: 0, samples: 0 };
      let sampling = true;
      const sampled = (async () => {
        while (sampling) {
          const [guild] = await sampler.getMany('index', ['guild-active:g1'], z.array(z.string()));
          const users = await sampler.getMany('users', members, z.object({ active: z.array(z.string()) }));
          peak.guild = Math.max(peak.guild, guild?.length ?? 0);
          for (const user of users) peak.member = Math.max(peak.member, user?.active.length ?? 0);
          peak.samples++;
          await realDelay(50);
        }
      })();
      let kills = 0;
      const killedAt: number[] = [];
      const killer = (async () => {
        const every = Math.max(300, Math.floor((REQUESTS * 25) / Math.max(1, KILLS)));
        while (kills < KILLS) {
          await realDelay(every * (0.5 + Math.random()));
          const slot = Math.floor(Math.random() * PROCESSES);
          const child = workers[slot];
          workers[slot] = undefined;
          killedAt.push(Date.now());
          if (child) await killHard(child);
          kills++;
          await realDelay(100 + Math.random() * 400);
          await start(slot);
        }
      })();
      // Requests arrive at whichever process is alive (interactions reach the shard's process).
      for (const request of requests) {
        const alive = workers.filter((w): w is ChildProcess => w?.connected === true);
        alive[Math.floor(Math.random() * alive.length)]?.send({ type: 'submit', ...request });
        await realDelay(60);
      }
      await killer;

      const deadline = performance.now() + Number(process.env.CHAOS_DRAIN_MS ?? 240_000);
      let jobs: JobRecord[] = [];
      while (performance.now() < deadline) {
        const records = await store.getMany(
          'jobs',
          requests.map((r) => r.id),
          jobRecordSchema,
        );
        jobs = records.filter((j): j is JobRecord => j !== undefined);
        if (jobs.every((j) => isTerminal(j.state))) break;
        await realDelay(500);
      }
      sampling = false;
      await sampled;
      console.info(`chaos: active peaks over ${peak.samples} samples: member ${peak.member}, server ${peak.guild}`);
      expect(peak.member).toBeLessThanOrEqual(LIMITS.activePerUser);
      expect(peak.guild).toBeLessThanOrEqual(LIMITS.activePerGuild);
      const accepted = jobs;
      const ended = accepted.filter((j) => isTerminal(j.state));
      const reasons = new Map<string, number>();
      for (const job of ended) {
        const key = job.state === 'delivered' ? 'delivered' : `${job.state}:${job.failure?.code ?? '?'}`;
        reasons.set(key, (reasons.get(key) ?? 0) + 1);
      }
      const refusals = new Map<string, number>();
      for (const answer of answers.values()) {
        const code = answer.error?.split(':')[0];
        if (code) refusals.set(code, (refusals.get(code) ?? 0) + 1);
      }
      console.info(`chaos: refused ${JSON.stringify(Object.fromEntries(refusals))}`);
      console.info(
        `chaos: ${kills} kills; ${accepted.length} of ${REQUESTS} accepted; endings ${JSON.stringify(Object.fromEntries(reasons))}`,
      );
      const stuck = accepted.filter((j) => !isTerminal(j.state));
      if (stuck.length > 0) {
        const leases = await Promise.all(
          stuck.map((j) => store!.redis!.client.get(`${store!.redis!.prefix}lease:${j.id}`)),
        );
        console.info(
          `chaos: not ended ${JSON.stringify(stuck.map((j, i) => ({ id: j.id, state: j.state, lease: leases[i], steps: j.delivery })))}`,
        );
      }
      expect(ended).toHaveLength(accepted.length);

      // Delivered exactly once; everything else ended with a stated reason.
      for (const job of accepted) {
        if (job.state === 'delivered') expect(posts.get(job.id)?.size, job.id).toBe(1);
        else {
          expect(job.failure?.code ?? job.state, job.id).toBeTruthy();
          expect(posts.has(job.id), job.id).toBe(false);
        }
      }
      // Requests refused at admission: with a limit's code.
      for (const [id, answer] of answers) {
        if (answer.error) expect(accepted.some((j) => j.id === id)).toBe(false);
      }

      // No member over a limit: daily images, and active jobs at any moment.
      const byMember = new Map<string, JobRecord[]>();
      for (const job of accepted) byMember.set(job.owner.userId, [...(byMember.get(job.owner.userId) ?? []), job]);
      for (const [member, mine] of byMember) {
        expect(mine.length, member).toBeLessThanOrEqual(LIMITS.userDailyImages);
        // The stored counter equals the sum over the member's accepted jobs still charged.
        const charged = mine.filter((j) => j.reservation?.state !== 'released');
        const day = await store.get('stats', usageKeys.userDay(member, dayKey(mine[0]!.createdAt)), usageRecordSchema);
        expect(day?.images ?? 0, member).toBe(charged.reduce((n, j) => n + j.reservation!.images, 0));
        expect(day?.jobs ?? 0, member).toBe(charged.length);
      }
      const guildDay = await store.get(
        'stats',
        usageKeys.guildDay('g1', dayKey(accepted[0]!.createdAt)),
        usageRecordSchema,
      );
      expect(guildDay?.images ?? 0).toBe(accepted.filter((j) => j.reservation?.state !== 'released').length);

      // RunComfy never had more than the cap in flight (its own timeline of each request).
      const atRunComfy = emulator.jobs().map((j): [number, number] => [j.submittedAt, j.cancelledAt ?? j.completedAt]);
      const inFlight = maxOverlap(atRunComfy);
      console.info(`chaos: RunComfy got ${atRunComfy.length} requests, at most ${inFlight} in flight`);
      expect(inFlight).toBeLessThanOrEqual(MAX_IN_FLIGHT);

      // No request id polled by two processes in the same second.
      const pollers = new Map<string, Set<string>>();
      for (const call of emulator.calls) {
        if ((call.route !== 'status' && call.route !== 'result') || !call.requestId) continue;
        const key = `${call.requestId}@${Math.floor(call.at / 1000)}`;
        if (!pollers.has(key)) pollers.set(key, new Set());
        pollers.get(key)!.add(call.caller ?? '?');
      }
      const shared = [...pollers].filter(([, callers]) => callers.size > 1).map(([key]) => key);
      expect(shared).toEqual([]);

      // Round-robin across processes, from the workers' pops (timed around Redis's step) and
      // put-backs, and the parent's answers (a job is in the queue by the time its answer came).
      const callers = new Map<string, string>();
      for (const call of emulator.calls) {
        if (call.route === 'submit') callers.set(call.requestId ?? String(call.at), call.caller ?? '?');
      }
      const byId = new Map(accepted.map((job) => [job.id, job]));
      const timedPops = pops.flatMap((pop) => {
        const job = byId.get(pop.jobId);
        return job ? [{ ...pop, member: job.owner.userId }] : [];
      });
      const firstPop = new Map<string, number>();
      for (const pop of timedPops) firstPop.set(pop.jobId, Math.min(firstPop.get(pop.jobId) ?? pop.from, pop.from));
      const waits = accepted.flatMap((job): Wait[] => {
        const queuedBy = answers.get(job.id)?.at;
        // Never queued, or its admission is not timed (its worker died before answering).
        if (job.stateTimes.waiting === undefined || queuedBy === undefined) return [];
        const popped = firstPop.get(job.id);
        if (popped !== undefined)
          return [{ member: job.owner.userId, jobId: job.id, queuedBy, until: popped, popped: true }];
        // Sent with its pop unreported (its worker died): when it left the queue is unknown.
        if (job.stateTimes.submitted !== undefined) return [];
        const until = job.stateTimes[job.state] ?? job.updatedAt;
        return [{ member: job.owner.userId, jobId: job.id, queuedBy, until, popped: false }];
      });
      const restores = restored.flatMap(({ jobIds, from, to }) =>
        jobIds.flatMap((id) => {
          const job = byId.get(id);
          return job ? [{ member: job.owner.userId, from, to }] : [];
        }),
      );
      if (process.env.CHAOS_DUMP) {
        const { writeFileSync } = await import('node:fs');
        writeFileSync(
          process.env.CHAOS_DUMP,
          JSON.stringify({ pops: timedPops, waits, restores, killedAt, jobs: accepted }),
        );
      }
      const fairness = roundRobinBreaches(timedPops, waits, restores, killedAt);
      const senders = new Set(callers.values()).size;
      console.info(
        `chaos: round-robin over ${waits.length} waiting jobs sent by ${senders} processes: ${timedPops.length} pops, ${fairness.checked} checks, ${fairness.skipped} skipped next to a kill or a put-back, ${fairness.breaches.length} breaches`,
      );
      expect(fairness.checked).toBeGreaterThan(0);
      expect(fairness.breaches.slice(0, 5)).toEqual([]);
    } finally {
      for (const child of workers) if (child) await killHard(child);
      await store?.clear().catch(() => undefined);
      await store?.close();
      await emulator.close();
      redis.stop();
    }
  });
});
