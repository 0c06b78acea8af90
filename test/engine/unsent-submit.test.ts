/**
 * A restart finds a `submitted` job with no request id. Its record says whether the submit
 * could have left: still marked `unsent` (the crash came between taking the slot and sending),
 * it is sent now, as nothing reached RunComfy; without the mark it may have reached RunComfy
 * (and be billed), so it is never re-sent and ends "submit uncertain", charge kept.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildSeedreamInput } from '../../src/models/seedream-sequential/build-input.js';
import { JobRepository } from '../../src/store/job-repository.js';
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
