import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { JobEngine } from '../../src/engine/engine.js';
import type { JobState } from '../../src/engine/job.js';
import { buildSeedreamInput } from '../../src/models/seedream-sequential/build-input.js';
import { ActiveJobLimitError, JobRepository } from '../../src/store/job-repository.js';
import { createHarness, type Harness } from '../helpers/engine-harness.js';
import { jobFixture } from '../helpers/job-fixture.js';

let h: Harness | undefined;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});

afterEach(async () => {
  await h?.close();
  h = undefined;
  vi.useRealTimers();
});

describe('JobEngine: one job end to end', () => {
  it('moves submitted → queued → running → fetching → delivering → delivered and delivers every image', async () => {
    h = await createHarness({ emulator: { queueMs: 5_000, baseRunMs: 8_000, perImageMs: 2_000 } });
    await h.engine.start();
    const states: JobState[] = [];
    h.engine.on('state', (job) => states.push(job.state));
    const positions: Array<number | null> = [];
    h.engine.on('queue', (job) => positions.push(job.queuePosition));

    const job = await h.submit('alice', 6);
    expect(job.state).toBe('queued');
    expect(job.requestId).toBeDefined();
    await h.advance(40_000, 250);

    const done = await h.engine.get(job.id);
    expect(done?.state).toBe('delivered');
    expect(states).toEqual(['submitted', 'queued', 'running', 'fetching', 'delivering', 'delivered']);
    expect(positions.length).toBeGreaterThan(0);
    expect(h.deliverer.posts.map((p) => p.images)).toEqual([4, 2]);
    expect(Object.values(done!.delivery).every((step) => step.state === 'done')).toBe(true);
    expect(await h.engine.jobs.userActive('alice')).toEqual([]);
    expect(await h.engine.jobs.userHistory('alice')).toEqual([job.id]);
    expect(await h.engine.jobs.activeIds()).toEqual([]);
  });

  it('polls adaptively: few status calls, and detects completion within a second once the ETA is learned', async () => {
    h = await createHarness({ emulator: { queueMs: 10_000, baseRunMs: 10_000, perImageMs: 4_000 } });
    await h.engine.start();
    // Teach the ETA model with three jobs, then measure a fourth.
    await Promise.all(['t1', 't2', 't3'].map((user) => h!.submit(user, 3)));
    await h.advance(60_000, 250);
    const before = h.emulator.calls.length;
    const job = await h.submit('learner', 3);
    await h.advance(60_000, 100);
    expect((await h.engine.get(job.id))?.state).toBe('delivered');
    const emulated = h.emulator.job(job.requestId!)!;
    const apiCalls = h.emulator.calls.slice(before).filter((c) => c.requestId === job.requestId && c.route !== 'file');
    // A fixed 2 s poller would make 1 submit + 32 s / 2 s = 16 status calls + 1 result = 18 calls here.
    expect(apiCalls.length).toBeLessThanOrEqual(12);
    expect(emulated.firstSucceededResultAt! - emulated.completedAt).toBeLessThanOrEqual(1_000);
  });
});

describe('JobEngine: per-user limits', () => {
  it('enforces MAX_ACTIVE_JOBS_PER_USER atomically under concurrent submits', async () => {
    h = await createHarness({ engine: { limits: { activePerUser: 2 } } });
    await h.engine.start();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => h!.submit('bob', 1)));
    const accepted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(accepted).toHaveLength(2);
    expect(refused).toHaveLength(8);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ActiveJobLimitError);
    expect(h.emulator.jobs()).toHaveLength(2); // nothing else reached RunComfy
    expect(await h.engine.jobs.userActive('bob')).toHaveLength(2);
    // Another user is not affected.
    await expect(h.submit('carol', 1)).resolves.toBeDefined();
  });

  it('gives the slot back when a job ends', async () => {
    h = await createHarness({
      engine: { limits: { activePerUser: 1 } },
      emulator: { queueMs: 1_000, baseRunMs: 1_000 },
    });
    await h.engine.start();
    await h.submit('dave', 1);
    await expect(h.submit('dave', 1)).rejects.toBeInstanceOf(ActiveJobLimitError);
    await h.advance(20_000, 250);
    await expect(h.submit('dave', 1)).resolves.toBeDefined();
  });
});

describe('JobEngine: cancel', () => {
  it('cancels a queued job on RunComfy and in the record', async () => {
    h = await createHarness({ emulator: { queueMs: 30_000 } });
    await h.engine.start();
    const job = await h.submit('erin', 2);
    await h.advance(2_000);
    const { outcome, job: after } = await h.engine.cancel(job.id);
    expect(outcome).toBe('cancelled');
    expect(after.state).toBe('cancelled');
    expect(h.emulator.job(job.requestId!)?.cancelled).toBe(true);
    await h.advance(60_000, 1_000);
    expect(h.deliverer.posts).toHaveLength(0);
    expect((await h.engine.cancel(job.id)).outcome).toBe('already_ended');
  });

  it('leaves a running job running when RunComfy answers not_cancellable, and still delivers it', async () => {
    h = await createHarness({ emulator: { queueMs: 1_000, baseRunMs: 20_000 } });
    await h.engine.start();
    const job = await h.submit('frank', 1);
    await h.advance(5_000);
    expect((await h.engine.get(job.id))?.state).toBe('running');
    const { outcome, job: after } = await h.engine.cancel(job.id);
    expect(outcome).toBe('not_cancellable');
    expect(after.state).toBe('running');
    await h.advance(60_000, 250);
    expect((await h.engine.get(job.id))?.state).toBe('delivered');
  });
});

describe('JobEngine: endings that are not deliveries', () => {
  it('ends a failed generation as failed, with the upstream reason', async () => {
    h = await createHarness({ emulator: { queueMs: 1_000, baseRunMs: 2_000 } });
    await h.engine.start();
    h.emulator.inject({ kind: 'job-fails', error: { message: 'NSFW content detected' } });
    const job = await h.submit('gina', 2);
    await h.advance(30_000, 250);
    const ended = await h.engine.get(job.id);
    expect(ended?.state).toBe('failed');
    expect(ended?.failure?.code).toBe('generation_failed');
    expect(ended?.failure?.upstream).toContain('NSFW');
  });

  it('ends an id RunComfy forgot (404001) as expired', async () => {
    h = await createHarness({ emulator: { queueMs: 5_000 } });
    await h.engine.start();
    const job = await h.submit('hank', 2);
    h.emulator.expire(job.requestId!);
    await h.advance(5_000);
    const ended = await h.engine.get(job.id);
    expect(ended?.state).toBe('expired');
  });

  it('times a job out at its deadline and cancels it on RunComfy while still queued', async () => {
    h = await createHarness({ emulator: { queueMs: 3_600_000 }, engine: { deadlineMs: 60_000 } });
    await h.engine.start();
    const job = await h.submit('ivan', 2);
    await h.advance(59_000, 1_000);
    expect((await h.engine.get(job.id))?.state).toBe('queued');
    await h.advance(3_000, 500);
    const ended = await h.engine.get(job.id);
    expect(ended?.state).toBe('timed_out');
    expect(ended?.failure?.code).toBe('job_timed_out');
    expect(h.emulator.job(job.requestId!)?.cancelled).toBe(true);
  });

  it('delivers k of N when fewer images come back, and records the missing ones', async () => {
    h = await createHarness({ emulator: { queueMs: 1_000, baseRunMs: 2_000 } });
    await h.engine.start();
    h.emulator.inject({ kind: 'fewer-images', count: 3 });
    const short = await h.submit('jill', 5);
    h.emulator.inject({ kind: 'image-404', index: 1 });
    const holed = await h.submit('jill2', 3);
    await h.advance(40_000, 250);
    expect((await h.engine.get(short.id))?.imageUrls).toHaveLength(3);
    expect((await h.engine.get(short.id))?.state).toBe('delivered');
    const withHole = await h.engine.get(holed.id);
    expect(withHole?.state).toBe('delivered');
    expect(withHole?.missingImages).toEqual([1]);
    expect(h.deliverer.posts.filter((p) => p.jobId === holed.id).map((p) => p.images)).toEqual([2]);
  });
});

describe('JobEngine: delivery is idempotent', () => {
  it('retries a failed post with the same nonce and never posts a part twice', async () => {
    h = await createHarness({ emulator: { queueMs: 1_000, baseRunMs: 2_000 } });
    await h.engine.start();
    h.deliverer.failNext = 2;
    const job = await h.submit('kate', 9);
    await h.advance(120_000, 500);
    expect((await h.engine.get(job.id))?.state).toBe('delivered');
    const posts = h.deliverer.posts.filter((p) => p.jobId === job.id);
    expect(posts.map((p) => p.key)).toEqual(['part:0', 'part:1', 'part:2']);
    const firstPartAttempts = h.deliverer.attempts.filter((p) => p.key === 'part:0');
    expect(firstPartAttempts.length).toBe(3);
    expect(new Set(firstPartAttempts.map((p) => p.nonce)).size).toBe(1);
  });
});

describe('JobEngine: the store does not only grow', () => {
  it('ended jobs expire after JOB_RETENTION and counters once /usage no longer needs them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seedream-retention-'));
    h = await createHarness({
      emulator: { queueMs: 500, baseRunMs: 500, perImageMs: 0 },
      engine: { retentionMs: 7 * 86_400_000 },
      storeUrl: `sqlite://${join(dir, 'store.sqlite')}`,
    });
    await h.engine.start();
    const jobs = await Promise.all(Array.from({ length: 12 }, (_, i) => h!.submit(`r${i % 4}`, 1)));
    await h.advance(20_000, 250);
    for (const job of jobs) expect((await h.engine.get(job.id))?.state).toBe('delivered');
    const day = new Date().toISOString().slice(0, 10);
    const counters = () =>
      h!.store.getMany(
        'stats',
        ['r0', 'r1'].map((u) => `user:${u}:${day}`),
        z.unknown(),
      );
    expect((await counters()).every((c) => c !== undefined)).toBe(true);

    // Six days on, the day's counters are gone (4 members' and the server's), the sets are not;
    // seventy days on, the sets and the month's counters are gone too.
    vi.setSystemTime(Date.now() + 6 * 86_400_000);
    expect(await h.store.sweepExpired()).toBe(5);
    expect((await counters()).every((c) => c === undefined)).toBe(true);
    expect(await h.engine.get(jobs[0]!.id)).toBeDefined();
    vi.setSystemTime(Date.now() + 64 * 86_400_000);
    expect(await h.store.sweepExpired()).toBe(jobs.length + 5);
    for (const job of jobs) expect(await h.engine.get(job.id)).toBeUndefined();
    // A member's history still lists them (their gallery entries live on); Reroll says "too old".
    expect((await h.engine.jobs.userHistory('r0')).length).toBe(3);
  });
});

describe('JobEngine: the spool keeps no leftovers', () => {
  it('removes at start the folders of ended or unknown jobs, and keeps an active job’s', async () => {
    // The second job stays in RunComfy's queue.
    const queueMs = ({ index }: { index: number }) => (index === 0 ? 1_000 : 600_000);
    h = await createHarness({ emulator: { queueMs, baseRunMs: 1_000, perImageMs: 0 } });
    await h.engine.start();
    const delivered = await h.submit('ned', 2);
    await h.advance(20_000, 250);
    expect((await h.engine.get(delivered.id))?.state).toBe('delivered');
    const active = await h.submit('ned', 2);
    await h.engine.stop();
    expect((await h.engine.get(active.id))?.state).toBe('queued');
    // What a crash leaves: files of a set whose end was recorded, of a job never recorded, and
    // of a job still going.
    for (const id of [delivered.id, 'ghost', active.id]) {
      mkdirSync(join(h.spoolDir, id), { recursive: true });
      writeFileSync(join(h.spoolDir, id, '0.jpeg'), 'x');
    }
    const restarted = new JobEngine({
      store: h.store,
      client: h.client,
      deliverer: h.deliverer,
      spool: h.spool,
      outputHosts: ['127.0.0.1'],
      deadlineMs: 30 * 60_000,
      limits: { activePerUser: 100 },
      pollConcurrency: 4,
      pollRate: 10,
    });
    await restarted.start();
    await restarted.stop();
    expect(existsSync(join(h.spoolDir, delivered.id))).toBe(false);
    expect(existsSync(join(h.spoolDir, 'ghost'))).toBe(false);
    expect(existsSync(join(h.spoolDir, active.id))).toBe(true);
  });
});

describe('JobEngine: a post goes out only once its step is durable', () => {
  it('finds each step’s "started" record (nonce, attempt, start time) in the store when its post is made', async () => {
    h = await createHarness({ emulator: { queueMs: 1_000, baseRunMs: 2_000 } });
    await h.engine.start();
    const seen: Array<{ key: string; stored: unknown }> = [];
    const harness = h;
    const deliver = harness.deliverer.deliver.bind(harness.deliverer);
    harness.deliverer.deliver = (job, images, steps) =>
      deliver(job, images, {
        ...steps,
        once: (key, post) =>
          steps.once(key, async (nonce, attempt) => {
            seen.push({ key, stored: (await harness.engine.get(job.id))?.delivery[key] });
            return post(nonce, attempt);
          }),
      });
    const job = await h.submit('lou', 9);
    await h.advance(60_000, 250);
    expect((await h.engine.get(job.id))?.state).toBe('delivered');
    expect(seen.map((s) => s.key)).toEqual(['part:0', 'part:1', 'part:2']);
    for (const { stored } of seen) {
      expect(stored).toMatchObject({ state: 'started', attempts: 1, nonce: expect.any(String) });
    }
  });
});

describe('JobEngine: local copies lost between fetching and delivery', () => {
  /**
   * Makes the first delivery attempt fail after the set's files were written (as a stop does)
   * and some of them deleted again.
   */
  function loseFilesOnFirstAttempt(harness: Harness, indexes: number[]): void {
    const deliver = harness.deliverer.deliver.bind(harness.deliverer);
    let first = true;
    harness.deliverer.deliver = async (job, images, steps) => {
      if (first) {
        first = false;
        await harness.spool.close();
        const dir = join(harness.spoolDir, job.id);
        const named = (index: number) => readdirSync(dir).find((name) => name.startsWith(`${index}.`));
        for (const index of indexes) rmSync(join(dir, named(index)!));
        throw new Error('crashed');
      }
      return deliver(job, images, steps);
    };
  }

  const fileGets = (harness: Harness, requestId: string) => {
    const gets = harness.emulator.calls.filter((c) => c.route === 'file' && c.requestId === requestId);
    return (index: number) => gets.filter((c) => c.path.includes(`/${index}.`)).length;
  };

  it('writes the set when a delivery fails, and the retry posts it from disk without downloading again', async () => {
    h = await createHarness({ emulator: { queueMs: 1_000, baseRunMs: 2_000 } });
    await h.engine.start();
    const deliver = h.deliverer.deliver.bind(h.deliverer);
    // Per attempt: were the bytes in memory, and which files were on disk.
    const seen: Array<{ inMemory: boolean; files: string[] }> = [];
    h.deliverer.deliver = async (job, images, steps) => {
      seen.push({
        inMemory: images.every((image) => image.data !== undefined),
        // No folder yet counts as no files: the spool makes it when it first writes.
        files: existsSync(join(h!.spoolDir, job.id)) ? readdirSync(join(h!.spoolDir, job.id)).sort() : [],
      });
      if (seen.length === 1) throw new Error('Discord is down');
      return deliver(job, images, steps);
    };
    const job = await h.submit('ines', 5);
    await h.advance(120_000, 500);
    const done = await h.engine.get(job.id);
    expect(done?.state).toBe('delivered');
    const files = ['0.jpeg', '1.jpeg', '2.jpeg', '3.jpeg', '4.jpeg'];
    expect(seen).toEqual([
      { inMemory: true, files: [] }, // straight from the download: nothing written yet
      { inMemory: false, files }, // the retry: written, and read from disk
    ]);
    expect(h.deliverer.posts.filter((p) => p.jobId === job.id).map((p) => p.images)).toEqual([4, 1]);
    const perIndex = fileGets(h, done!.requestId!);
    expect([0, 1, 2, 3, 4].map(perIndex)).toEqual([1, 1, 1, 1, 1]);
  });

  it('downloads the absent ones again and delivers the whole set, each image once', async () => {
    h = await createHarness({ emulator: { queueMs: 1_000, baseRunMs: 2_000 } });
    await h.engine.start();
    loseFilesOnFirstAttempt(h, [2, 5]);
    const job = await h.submit('lena', 9);
    await h.advance(120_000, 500);
    const done = await h.engine.get(job.id);
    expect(done?.state).toBe('delivered');
    expect(h.deliverer.posts.filter((p) => p.jobId === job.id).map((p) => p.images)).toEqual([4, 4, 1]);
    const perIndex = fileGets(h, done!.requestId!);
    expect([perIndex(2), perIndex(5), perIndex(0)]).toEqual([2, 2, 1]);
  });

  it('ends images_expired when an absent one is gone from RunComfy too: no set with a hole is posted', async () => {
    h = await createHarness({ emulator: { queueMs: 1_000, baseRunMs: 2_000 } });
    await h.engine.start();
    loseFilesOnFirstAttempt(h, [3]);
    const job = await h.submit('milo', 6);
    h.engine.on('state', (record) => {
      if (record.id === job.id && record.state === 'delivering') {
        h!.emulator.inject({ kind: 'image-404', index: 3, requestId: record.requestId! });
      }
    });
    await h.advance(120_000, 500);
    const ended = await h.engine.get(job.id);
    expect(ended?.state).toBe('failed');
    expect(ended?.failure?.code).toBe('images_expired');
    expect(h.deliverer.posts.filter((p) => p.jobId === job.id)).toEqual([]);
  });
});

/**
 * A restart finds a `submitted` job with no request id. Its record says whether the submit
 * could have left: still marked `unsent` (the crash came between taking the slot and sending),
 * it is sent now, as nothing reached RunComfy; without the mark it may have reached RunComfy
 * (and be billed), so it is never re-sent and ends "submit uncertain", charge kept.
 */
describe('a submit interrupted by a restart', () => {
  it('is sent again when it never left, and never re-sent when it may have', async () => {
    h = await createHarness({ emulator: { queueMs: 500, baseRunMs: 1_000, perImageMs: 0 } });
    const repo = new JobRepository(h.store);
    const now = Date.now();
    const submitted = (id: string, unsent: boolean) =>
      jobFixture({
        id,
        state: 'submitted',
        owner: { userId: `u-${id}`, guildId: 'g1', channelId: 'c1', locale: 'en-US' },
        input: buildSeedreamInput({ prompt: 'a lighthouse at dusk', count: 2 }),
        createdAt: now,
        updatedAt: now,
        deadlineAt: now + 30 * 60_000,
        stateTimes: { submitted: now },
        ...(unsent ? { unsent: true as const } : {}),
      });
    for (const job of [submitted('never-left', true), submitted('maybe-left', false)]) {
      await h.store.transact(JobRepository.createLocks(job.owner.userId, 'g1'), (tx) =>
        repo.createTx(tx, job, { maxActivePerUser: null }, async (record) => record),
      );
    }

    await h.engine.start();
    await h.advance(10_000, 250);

    const neverLeft = await h.engine.get('never-left');
    const maybeLeft = await h.engine.get('maybe-left');
    expect(neverLeft?.state).toBe('delivered');
    expect(neverLeft?.unsent).toBeUndefined();
    expect(maybeLeft?.state).toBe('failed');
    expect(maybeLeft?.failure?.code).toBe('runcomfy_submit_uncertain');
    // One submit reached RunComfy: the one that had never left.
    expect(h.emulator.calls.filter((call) => call.route === 'submit')).toHaveLength(1);
  });
});
