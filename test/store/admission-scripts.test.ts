/**
 * The Redis admission and pop scripts keep the fair queue exactly as the FairQueue class does
 * (round-robin ring, each member's line in order, places in the queue): random admissions and
 * pops against both, compared step by step. Redis only (REDIS_URL).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NO_LIMITS, QuotaLedger } from '../../src/accounting/quota.js';
import { UsageLedger } from '../../src/accounting/usage.js';
import type { JobRecord } from '../../src/engine/job.js';
import { DEFAULT_MODEL_KEY } from '../../src/models/registry.js';
import { buildSeedreamInput } from '../../src/models/seedream-sequential/build-input.js';
import { AdmissionStore } from '../../src/store/coordination/admission-decisions.js';
import { FairQueue } from '../../src/store/fair-queue.js';
import { JobRepository } from '../../src/store/job-repository.js';
import { openStore, type Store } from '../../src/store/store.js';
import { testEnv } from '../helpers/test-env.js';

const redisUrl = testEnv.REDIS_URL;
let store: Store | undefined;

afterEach(async () => {
  await store?.clear();
  await store?.close();
  store = undefined;
});

function jobOf(id: string, userId: string, now: number): JobRecord {
  return {
    v: 2,
    id,
    state: 'submitted',
    owner: { userId, guildId: 'g1', channelId: 'c1', locale: 'en-US' },
    prompt: 'p',
    model: DEFAULT_MODEL_KEY,
    input: buildSeedreamInput({ prompt: 'p', count: 1 }),
    createdAt: now,
    updatedAt: now,
    deadlineAt: now + 60_000,
    stateTimes: { submitted: now },
    queuePosition: null,
    imageUrls: [],
    missingImages: [],
    estimate: { usd: 0.03, perImageUsd: 0.03, source: 'config' },
    reservation: { day: '2026-01-01', month: '2026-01', guildId: 'g1', images: 1, microUsd: 30_000, state: 'held' },
    delivery: {},
    deliveryAttempts: 0,
    surface: {},
  };
}

describe.skipIf(!redisUrl)('admission scripts (Redis) against FairQueue', () => {
  it('400 random admissions and pops: same order, same places', async () => {
    store = await openStore({ url: redisUrl!, prefix: `admission-${process.pid}` });
    const jobs = new JobRepository(store);
    const admission = new AdmissionStore(store, jobs, new QuotaLedger(new UsageLedger(store)), [
      'index',
      'fair-queue:t',
    ]);
    const model = new FairQueue();
    let random = 7;
    const next = () => {
      random = (random * 48_271) % 2_147_483_647;
      return random / 2_147_483_647;
    };
    let popped = 0;
    for (let i = 0; i < 400; i++) {
      if (next() < 0.6) {
        const userId = `u${Math.floor(next() * 8)}`;
        const record = jobOf(`j${i}`, userId, 1_000 + i);
        const result = await admission.admit({
          record,
          quota: { userId, guildId: 'g1', images: 1, microUsd: 30_000 },
          limits: NO_LIMITS,
          maxInFlight: 0,
          mayTakeSlot: true,
        });
        model.enqueue({ id: record.id, userId, at: record.createdAt });
        expect(result.job.state).toBe('waiting');
        expect(result.job.queuePosition, record.id).toBe(model.positionOf(record.id));
        expect((await jobs.get(record.id))?.queuePosition).toBe(model.positionOf(record.id));
        expect(result.queue && new FairQueue(result.queue).order()).toEqual(model.order());
      } else {
        const { next: entry, queue } = await admission.pop(Number.POSITIVE_INFINITY);
        const expected = model.peek();
        expect(entry?.id).toBe(expected?.id);
        if (expected) model.serve(expected.id);
        expect(new FairQueue(queue).order()).toEqual(model.order());
        if (entry) popped++;
      }
    }
    expect(popped).toBeGreaterThan(50);
  });
});
