/**
 * Quotas enforced atomically in the store: 200 concurrent requests from 50 users against
 * per-user, per-server and monthly-money limits never let anyone past a limit, and the
 * quota comes back when a job is cancelled (waiting or queued) or fails.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  GuildActiveLimitError,
  GuildDailyQuotaError,
  GuildMonthlyBudgetError,
  NO_LIMITS,
  QuotaExceededError,
  type QuotaLimits,
  UserDailyQuotaError,
} from '../../src/accounting/quota.js';
import {
  dayKey,
  EMPTY_USAGE,
  monthKey,
  nextDayStart,
  nextMonthStart,
  usageKeys,
  usageRecordSchema,
} from '../../src/accounting/usage.js';
import type { JobRecord } from '../../src/engine/job.js';
import { buildSeedreamInput } from '../../src/models/seedream-sequential/build-input.js';
import { createHarness, type Harness } from '../helpers/engine-harness.js';

let h: Harness | undefined;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(new Date('2025-03-31T23:00:00Z'));
});

afterEach(async () => {
  await h?.close();
  h = undefined;
  vi.useRealTimers();
});

const GUILD = 'g1';

function submit(harness: Harness, userId: string, count: number, limits: QuotaLimits, id?: string) {
  return harness.engine.submit({
    ...(id ? { id } : {}),
    owner: { userId, guildId: GUILD, channelId: 'c1', locale: 'en-US' },
    prompt: 'a lighthouse at dusk',
    input: buildSeedreamInput({ prompt: 'a lighthouse at dusk', count }),
    limits,
  });
}

async function counter(harness: Harness, key: string) {
  return (await harness.store.get('stats', key, usageRecordSchema)) ?? { ...EMPTY_USAGE };
}

/** Sum of what accepted, unended jobs hold, by user and for the server. */
function held(jobs: JobRecord[]) {
  const byUser = new Map<string, number>();
  let images = 0;
  let microUsd = 0;
  for (const job of jobs) {
    const r = job.reservation!;
    byUser.set(job.owner.userId, (byUser.get(job.owner.userId) ?? 0) + r.images);
    images += r.images;
    microUsd += r.microUsd;
  }
  return { byUser, images, microUsd };
}

const stores = {
  memory: () => 'memory://',
  sqlite: () => `sqlite://${join(mkdtempSync(join(tmpdir(), 'seedream-quota-')), 'store.sqlite')}`,
};

describe.each(Object.entries(stores))('quotas under load (%s store)', (_name, storeUrl) => {
  it('50 users, 200 concurrent requests: nobody and no server ever passes a limit', { timeout: 120_000 }, async () => {
    h = await createHarness({
      storeUrl: storeUrl(),
      emulator: { queueMs: 60_000 },
      engine: { maxInFlight: 5, limits: { activePerUser: 100 } },
    });
    await h.engine.start();
    const limits: QuotaLimits = {
      ...NO_LIMITS,
      userDailyImages: 6, // 3 requests of 2 each
      guildDailyImages: 100, // 50 requests: the server's limit binds before everyone's own
      activePerUser: 4,
    };
    const users = Array.from({ length: 50 }, (_, i) => `user${i}`);
    const requests = users.flatMap((user) => Array.from({ length: 4 }, () => user));
    const results = await Promise.allSettled(requests.map((user) => submit(h!, user, 2, limits)));
    const accepted = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    console.info(
      `quota load: ${accepted.length} accepted, ${refused.length} refused (${[
        ...new Set(refused.map((e) => (e as { code?: string }).code)),
      ].join(', ')})`,
    );

    expect(accepted.length).toBe(50); // exactly the server's 100 images
    expect(refused.every((e) => e instanceof QuotaExceededError)).toBe(true);
    const { byUser, images } = held(accepted);
    expect(images).toBe(100);
    for (const [, n] of byUser) expect(n).toBeLessThanOrEqual(6);
    const now = Date.now();
    const guildDay = await counter(h, usageKeys.guildDay(GUILD, dayKey(now)));
    expect(guildDay.images).toBe(100);
    for (const user of users) {
      const used = await counter(h, usageKeys.userDay(user, dayKey(now)));
      expect(used.images).toBe(byUser.get(user) ?? 0);
      expect(used.images).toBeLessThanOrEqual(6);
    }
    // The global cap holds too: 5 at RunComfy, 45 waiting in the bot's queue.
    expect(h.engine.inFlightCount).toBe(5);
    expect(h.emulator.jobs()).toHaveLength(5);
    expect(h.engine.waitingOrder()).toHaveLength(45);
    // The refusals say when they reset: the next UTC midnight.
    const daily = refused.find((e) => e instanceof GuildDailyQuotaError) as GuildDailyQuotaError;
    expect(daily.resetsAt).toBe(Date.parse('2025-04-01T00:00:00Z'));
  });
});

describe('quotas: each limit', () => {
  it('the server’s monthly budget (US$) binds on the estimated cost, and says when it resets', async () => {
    h = await createHarness({ emulator: { queueMs: 60_000, pricePerImageUsd: 0.05 } });
    await h.engine.start();
    const limits: QuotaLimits = { ...NO_LIMITS, guildMonthlyUsd: 1 }; // 20 images at US$0.05
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => submit(h!, `spender${i % 3}`, 3, limits)),
    );
    const accepted = results.filter((r) => r.status === 'fulfilled');
    expect(accepted).toHaveLength(6); // 18 images = US$0.90; a seventh set would be US$1.05
    const refusal = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refusal.reason).toBeInstanceOf(GuildMonthlyBudgetError);
    expect((refusal.reason as GuildMonthlyBudgetError).resetsAt).toBe(nextMonthStart(Date.now()));
    expect((refusal.reason as GuildMonthlyBudgetError).params).toMatchObject({ limit: 1, used: 0.9, estimate: 0.15 });
    const month = await counter(h, usageKeys.guildMonth(GUILD, monthKey(Date.now())));
    expect(month.microUsd).toBe(900_000);
    expect(month.images).toBe(18);
  });

  it('a user’s daily images and the server’s active jobs', async () => {
    h = await createHarness({ emulator: { queueMs: 60_000 } });
    await h.engine.start();
    const limits: QuotaLimits = { ...NO_LIMITS, userDailyImages: 5, activePerGuild: 3 };
    await submit(h, 'ann', 4, limits);
    const over = await submit(h, 'ann', 2, limits).catch((e: unknown) => e);
    expect(over).toBeInstanceOf(UserDailyQuotaError);
    expect((over as UserDailyQuotaError).params).toMatchObject({ limit: 5, used: 4, requested: 2, left: 1 });
    expect((over as UserDailyQuotaError).resetsAt).toBe(nextDayStart(Date.now()));
    await submit(h, 'ann', 1, limits);
    await submit(h, 'bob', 1, limits);
    const busy = await submit(h, 'cid', 1, limits).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(GuildActiveLimitError);
    // A person without a server (e.g. the CLI) is only held to their own limits.
    await expect(
      h.engine.submit({
        owner: { userId: 'cid', guildId: null, channelId: 'dm', locale: 'en-US' },
        prompt: 'x',
        input: buildSeedreamInput({ prompt: 'x', count: 1 }),
        limits,
      }),
    ).resolves.toBeDefined();
  });

  it('counts a day by UTC: after midnight the daily quota is fresh, the monthly one carries on', async () => {
    h = await createHarness({ emulator: { queueMs: 60_000 } });
    await h.engine.start();
    const limits: QuotaLimits = { ...NO_LIMITS, userDailyImages: 2, guildMonthlyUsd: 10 };
    await submit(h, 'night', 2, limits);
    await expect(submit(h, 'night', 1, limits)).rejects.toBeInstanceOf(UserDailyQuotaError);
    vi.setSystemTime(new Date('2025-04-01T00:00:01Z')); // a new day and a new month
    await expect(submit(h, 'night', 2, limits)).resolves.toBeDefined();
    expect((await counter(h, usageKeys.userDay('night', '2025-03-31'))).images).toBe(2);
    expect((await counter(h, usageKeys.userDay('night', '2025-04-01'))).images).toBe(2);
    expect((await counter(h, usageKeys.guildMonth(GUILD, '2025-04'))).images).toBe(2);
  });
});

describe('quotas come back', () => {
  it('on cancel (waiting in the bot’s queue, or queued on RunComfy) and on failure, and not on delivery', {
    timeout: 60_000,
  }, async () => {
    h = await createHarness({
      emulator: { queueMs: 5_000, baseRunMs: 2_000, perImageMs: 100 },
      engine: { maxInFlight: 2 },
    });
    await h.engine.start();
    const limits: QuotaLimits = { ...NO_LIMITS, userDailyImages: 8, guildDailyImages: 12, guildMonthlyUsd: 1 };
    const key = (user: string) => usageKeys.userDay(user, dayKey(Date.now()));
    const guildDay = () => counter(h!, usageKeys.guildDay(GUILD, dayKey(Date.now())));
    const guildMonth = () => counter(h!, usageKeys.guildMonth(GUILD, monthKey(Date.now())));

    h.emulator.inject({ kind: 'job-fails', error: { message: 'boom' } });
    const failing = await submit(h, 'ann', 2, limits); // at RunComfy, will fail
    const queued = await submit(h, 'bob', 3, limits); // at RunComfy, will be cancelled
    const waiting = await submit(h, 'ann', 4, limits); // over the cap: waits
    const delivered = await submit(h, 'cid', 3, limits); // waits, then is delivered
    expect(failing.state).toBe('queued');
    expect(queued.state).toBe('queued');
    expect(waiting.state).toBe('waiting');
    expect(waiting.queuePosition).toBe(1);
    expect(delivered.queuePosition).toBe(2);
    expect((await counter(h, key('ann'))).images).toBe(6);
    expect((await guildDay()).images).toBe(12);
    // The server is full for today.
    await expect(submit(h, 'dee', 1, limits)).rejects.toBeInstanceOf(GuildDailyQuotaError);

    // Cancel while waiting: nothing was sent, all of it comes back at once.
    const c1 = await h.engine.cancel(waiting.id);
    expect(c1.outcome).toBe('cancelled');
    expect(c1.job.reservation?.state).toBe('released');
    expect((await counter(h, key('ann'))).images).toBe(2);
    expect((await guildDay()).images).toBe(8);
    // Cancel while queued on RunComfy.
    const c2 = await h.engine.cancel(queued.id);
    expect(c2.outcome).toBe('cancelled');
    expect(h.emulator.job(queued.requestId!)?.cancelled).toBe(true);
    expect((await counter(h, key('bob'))).images).toBe(0);
    expect((await guildDay()).images).toBe(5);

    await h.advance(40_000, 250);
    expect((await h.engine.get(failing.id))?.state).toBe('failed');
    expect((await h.engine.get(delivered.id))?.state).toBe('delivered');
    expect((await counter(h, key('ann'))).images).toBe(0);
    // What stays: the delivered set, at what RunComfy charged (3 × US$0.03).
    const finalDay = await guildDay();
    expect(finalDay.images).toBe(3);
    expect(finalDay.jobs).toBe(1);
    expect((await guildMonth()).microUsd).toBe(90_000);
    expect((await h.engine.get(delivered.id))?.cost).toBeCloseTo(0.09);
    expect((await h.engine.get(delivered.id))?.reservation?.state).toBe('settled');
    // And the room is there again.
    await expect(submit(h, 'dee', 8, limits)).resolves.toBeDefined();
  });

  it('corrects the money to the charged cost when RunComfy’s bill differs from the estimate', async () => {
    // RunComfy's model info is unreachable: the configured price (US$0.10) is the estimate;
    // the bill (US$0.03 per image) is what stays on the month.
    h = await createHarness({
      emulator: { queueMs: 1_000, baseRunMs: 1_000 },
      engine: { pricePerImageUsd: 0.1 },
    });
    h.emulator.inject({ route: 'model', kind: 'server-error', status: 503, times: 10 });
    await h.engine.start();
    expect(h.engine.pricing.quote.source).toBe('config');
    const job = await submit(h, 'eve', 2, NO_LIMITS);
    expect(job.estimate).toEqual({ usd: 0.2, perImageUsd: 0.1, source: 'config' });
    expect((await counter(h, usageKeys.guildMonth(GUILD, monthKey(Date.now())))).microUsd).toBe(200_000);
    await h.advance(20_000, 250);
    expect((await h.engine.get(job.id))?.state).toBe('delivered');
    expect((await counter(h, usageKeys.guildMonth(GUILD, monthKey(Date.now())))).microUsd).toBe(60_000);
  });

  it('takes the price from RunComfy’s model info when it answers', async () => {
    h = await createHarness({ emulator: { pricePerImageUsd: 0.04 }, engine: { pricePerImageUsd: 0.5 } });
    await h.engine.start();
    expect(h.engine.pricing.quote).toMatchObject({ priceUsd: 0.04, unit: 'image', source: 'runcomfy' });
    expect(h.engine.pricing.estimate(4)).toEqual({ usd: 0.16, perImageUsd: 0.04, source: 'runcomfy' });
  });
});

describe('no refund for work RunComfy may have done', () => {
  const day = () => dayKey(Date.now());

  it('a submit reset after RunComfy took it stays charged (counted as undelivered); one refused or never sent is given back', {
    timeout: 60_000,
  }, async () => {
    h = await createHarness({ emulator: { queueMs: 1_000, baseRunMs: 1_000 } });
    await h.engine.start();
    const userDay = (user: string) => counter(h!, usageKeys.userDay(user, day()));
    const guildMonth = () => counter(h!, usageKeys.guildMonth(GUILD, monthKey(Date.now())));

    // RunComfy takes the job, then the connection resets before its answer.
    h.emulator.inject({ kind: 'connection-reset', route: 'submit', afterProcessing: true, times: 1 });
    const reset = submit(h, 'uma', 3, NO_LIMITS, 'uncertain1');
    await expect(reset).rejects.toMatchObject({ code: 'runcomfy_submit_uncertain' });
    const uncertain = await h.engine.get('uncertain1');
    expect(uncertain?.state).toBe('failed');
    expect(uncertain?.failure?.code).toBe('runcomfy_submit_uncertain');
    expect(uncertain?.reservation?.state).toBe('settled');
    expect(h.emulator.jobs()).toHaveLength(1); // RunComfy has it (and will bill it)…
    expect(await userDay('uma')).toMatchObject({ images: 3, undelivered: 3, jobs: 1 }); // …so it stays counted
    expect((await guildMonth()).undelivered).toBe(3);

    // A 5xx answer: RunComfy got the request; it stays charged too, told as uncertain.
    h.emulator.inject({ kind: 'server-error', route: 'submit', status: 502, times: 1 });
    await expect(submit(h, 'uma', 2, NO_LIMITS, 'uncertain2')).rejects.toMatchObject({
      code: 'runcomfy_submit_uncertain',
    });
    expect(await userDay('uma')).toMatchObject({ images: 5, undelivered: 5 });

    // A clear refusal (validation, 422001) starts nothing: all of it comes back.
    h.emulator.inject({ kind: 'http-error', route: 'submit', status: 422, errorCode: 422001, times: 1 });
    await expect(submit(h, 'vic', 4, NO_LIMITS, 'refused')).rejects.toBeDefined();
    expect((await h.engine.get('refused'))?.reservation?.state).toBe('released');
    expect(await userDay('vic')).toMatchObject({ images: 0, undelivered: 0, jobs: 0 });
  });

  it('a job past its deadline once RunComfy started it stays charged; one RunComfy confirms cancelled does not', {
    timeout: 60_000,
  }, async () => {
    h = await createHarness({
      emulator: { queueMs: 1_000, baseRunMs: 600_000 },
      engine: { deadlineMs: 60_000 },
    });
    await h.engine.start();
    const running = await submit(h, 'wes', 2, NO_LIMITS);
    await h.advance(90_000, 1_000);
    const ended = await h.engine.get(running.id);
    expect(ended?.state).toBe('timed_out');
    expect(ended?.stateTimes.running).toBeDefined();
    expect(ended?.reservation?.state).toBe('settled');
    expect(await counter(h, usageKeys.userDay('wes', day()))).toMatchObject({ images: 2, undelivered: 2 });
    await h.close();

    // Still in RunComfy's queue at the deadline: cancelled there, confirmed, so nothing is kept.
    h = await createHarness({ emulator: { queueMs: 600_000, baseRunMs: 1_000 }, engine: { deadlineMs: 60_000 } });
    await h.engine.start();
    const queued = await submit(h, 'xia', 2, NO_LIMITS);
    await h.advance(90_000, 1_000);
    const dropped = await h.engine.get(queued.id);
    expect(dropped?.state).toBe('timed_out');
    expect(h.emulator.job(queued.requestId!)?.cancelled).toBe(true);
    expect(dropped?.reservation?.state).toBe('released');
    expect(await counter(h, usageKeys.userDay('xia', day()))).toMatchObject({ images: 0, undelivered: 0 });
  });
});
