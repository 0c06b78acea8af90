/**
 * Spending under control, end to end through the real bot on both emulators: 200 concurrent
 * /imagine from 50 members against a server's quota, the fair queue's Cancel, quotas coming
 * back on cancel and failure, and /usage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayKey, usageKeys, usageRecordSchema } from '../../src/accounting/usage.js';
import type { InteractionHandle, StoredMessage } from '../../src/emulators/discord/index.js';
import type { JobRecord } from '../../src/engine/job.js';
import { type BotHarness, createBotHarness } from '../helpers/bot-harness.js';
import { buttonIds, displayedText, resultMessages, waitUntil } from '../helpers/discord-waits.js';

let h: BotHarness;

/**
 * The whole scene (bot, Discord and RunComfy) shares one process on a shared 2-core test machine:
 * Discord's clock runs at a fifth of real time so that its 3-second rule measures the bot, not
 * the machine's load. Real (wall) response times are printed.
 */
const SLOWDOWN = 5;

beforeAll(async () => {
  const base = Date.now();
  h = await createBotHarness({
    discord: { clock: () => base + (Date.now() - base) / SLOWDOWN },
    // The first 8 (the global cap) stay queued at RunComfy until the burst is over, so no quota
    // comes back during it and exactly the server's 100 images are accepted.
    runcomfy: { queueMs: ({ index }) => (index < 8 ? 8_000 : 300), baseRunMs: 500, perImageMs: 50 },
    env: {
      USER_DAILY_IMAGES: '6',
      GUILD_DAILY_IMAGES: '100',
      GUILD_MONTHLY_BUDGET_USD: '0',
      MAX_ACTIVE_JOBS_PER_USER: '4',
      MAX_ACTIVE_JOBS_PER_GUILD: '0',
      MAX_JOBS_IN_FLIGHT: '8',
    },
  });
});
afterAll(async () => {
  await h?.close();
});

/** Every text the member saw in answer to an interaction: first response, @original, follow-ups. */
function seen(handle: InteractionHandle): string {
  const parts: unknown[] = [handle.response?.data];
  const original = handle.original();
  if (original && !original.deleted) parts.push(original.data.content, original.data.embeds);
  for (const message of handle.followUps()) parts.push(message.data.content, message.data.embeds);
  return JSON.stringify(parts);
}

async function counter(key: string) {
  return (await h.bot.engine.jobs.store.get('stats', key, usageRecordSchema)) ?? { images: 0, microUsd: 0, jobs: 0 };
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('200 concurrent /imagine from 50 members', () => {
  it('nobody and no server passes a limit; refusals are private and say when they reset; cancel and failure give quota back', {
    timeout: 180_000,
  }, async () => {
    const guildId = h.discord.defaultGuild.id;
    const channel = h.discord.channelByName('general');
    const users = Array.from({ length: 50 }, (_, i) => h.discord.createUser({ username: `crowd${i}` }));
    // The first three generations RunComfy starts will fail.
    h.runcomfy.inject({ kind: 'job-fails', error: { message: 'upstream failure' }, times: 3 });
    let maxInFlight = 0;
    h.bot.engine.on('state', () => {
      maxInFlight = Math.max(maxInFlight, h.bot.engine.inFlightCount);
    });

    // A first command warms the bot up (its first interaction pays for lazy loading).
    await h.discord.runSlashCommand({ user: users[0]!, channel }, 'usage', {}).waitForResponse();

    const handles = users.flatMap((user, u) =>
      Array.from({ length: 4 }, (_, k) =>
        h.discord.runSlashCommand({ user, channel }, 'imagine', { prompt: `crowd ${u}-${k} lighthouse`, count: 2 }),
      ),
    );
    await Promise.all(handles.map((handle) => handle.waitForResponse({ timeoutMs: 15_000 })));
    const slowest = Math.max(...handles.map((handle) => handle.responseTimeMs ?? Number.POSITIVE_INFINITY));
    const wall = handles.map((handle) => handle.responseWallMs ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
    // Every request ends up either recorded or refused with a quota answer (a few lose the
    // race for the last images after their card went up).
    let jobs: Array<JobRecord | undefined> = [];
    await until(async () => {
      jobs = await Promise.all(handles.map((handle) => h.bot.engine.get(handle.id)));
      return handles.every((handle, i) => jobs[i] !== undefined || /resets/.test(seen(handle)));
    }, 'every request to be accepted or refused');
    const accepted = handles.filter((_, i) => jobs[i] !== undefined);
    const refused = handles.filter((_, i) => jobs[i] === undefined);
    const privately = refused.filter((handle) => {
      const original = handle.original();
      const first = Number(handle.response?.data?.['flags'] ?? 0) & 64;
      return (first && !original) || original?.deleted === true || original?.ephemeral === true;
    });
    const byUser = new Map<string, number>();
    for (const job of jobs) if (job) byUser.set(job.owner.userId, (byUser.get(job.owner.userId) ?? 0) + 2);
    console.info(
      `200 concurrent /imagine: ${accepted.length} accepted (${2 * accepted.length} images; the server's day is 100), ${refused.length} refused ` +
        `(${privately.length} privately); first answers in ${Math.round(wall[100]!)} ms (median), ${Math.round(wall.at(-1)!)} ms (slowest), wall clock; ` +
        `most images by one member ${Math.max(...byUser.values())}`,
    );

    expect(slowest).toBeLessThan(3_000);
    expect(accepted).toHaveLength(50);
    expect(refused).toHaveLength(150);
    expect(privately).toHaveLength(150); // no public card is left for a refused request
    for (const [, images] of byUser) expect(images).toBeLessThanOrEqual(6);
    const day = dayKey(Date.now());
    // The server's counter holds exactly what the accepted jobs reserved (less any already failed).
    const now = await Promise.all(accepted.map((handle) => h.bot.engine.get(handle.id)));
    const holding = now.filter((job) => job?.reservation?.state !== 'released').length;
    expect((await counter(usageKeys.guildDay(guildId, day))).images).toBe(2 * holding);
    for (const handle of refused) expect(seen(handle)).toMatch(/<t:\d+:R>/);
    expect(refused.some((handle) => seen(handle).includes('This server has used 100 of its 100 images'))).toBe(true);

    // Jobs beyond the global cap wait in the bot's queue with their place and a Cancel button.
    // 8 went to RunComfy at once (the global cap); the other 42 waited their turn.
    const waiting = accepted.filter((handle) => jobs[handles.indexOf(handle)]?.stateTimes.waiting !== undefined);
    expect(waiting).toHaveLength(42);
    const lastInLine = h.bot.engine.waitingOrder().at(-1)!;
    const sample = handles.find((handle) => handle.id === lastInLine)!;
    const sampleCard = await waitUntil(() => {
      const card = h.discord.message(sample.original()!.data.id);
      return card?.data.embeds?.[0]?.title === 'Waiting for a free slot' ? card : undefined;
    }, 'a waiting card');
    expect(JSON.stringify(sampleCard.data.embeds)).toMatch(/position \d+/);
    expect(JSON.stringify(sampleCard.data.embeds)).toContain('≈ US$ 0.06 (2 × US$ 0.03)');
    expect(buttonIds(sampleCard)).toEqual([`sd1:cancel:${sample.id}`]);

    // Cancel every job still waiting: each gives its 2 images back at once.
    // A card gets its Cancel button with its first edit after the job is recorded (cards are
    // edited under Discord's global 50 requests/s, so some come later than the sample's).
    for (const handle of waiting) {
      if ((await h.bot.engine.get(handle.id))?.state !== 'waiting') continue;
      await waitUntil(() => {
        const card = h.discord.message(handle.original()!.data.id);
        return card && buttonIds(card).includes(`sd1:cancel:${handle.id}`) ? card : undefined;
      }, `the Cancel button of ${handle.id}`);
    }
    // Read after that wait: meanwhile the first jobs finish and free slots, and the jobs that
    // take them are sent (RunComfy may start them before a click, and Cancel then says so).
    const stillWaiting = [];
    for (const handle of waiting) {
      if ((await h.bot.engine.get(handle.id))?.state === 'waiting') stillWaiting.push(handle);
    }
    const clicks = stillWaiting.map((handle) => {
      const job = jobs[handles.indexOf(handle)]!;
      return h.discord.clickButton(job.owner.userId, handle.original()!.data.id, `sd1:cancel:${handle.id}`);
    });
    await Promise.all(
      clicks.map((click) => click.waitForOriginal((m: StoredMessage) => !m.loading, { timeoutMs: 30_000 })),
    );
    for (const click of clicks) expect(click.original()?.data.content).toContain('Cancelled');
    const afterCancel = (await counter(usageKeys.guildDay(guildId, day))).images;
    expect(afterCancel).toBeLessThanOrEqual(100 - 2 * stillWaiting.length);

    // The rest finish: three fail upstream (quota back), the others are delivered (quota kept).
    let ended: Array<JobRecord | undefined> = [];
    await until(
      async () => {
        ended = await Promise.all(accepted.map((handle) => h.bot.engine.get(handle.id)));
        return ended.every((job) => job && ['delivered', 'failed', 'cancelled'].includes(job.state));
      },
      'every accepted job to end',
      120_000,
    );
    const delivered = ended.filter((job) => job?.state === 'delivered');
    const failed = ended.filter((job) => job?.state === 'failed');
    expect(failed).toHaveLength(3);
    expect(maxInFlight).toBeLessThanOrEqual(8);
    expect((await counter(usageKeys.guildDay(guildId, day))).images).toBe(2 * delivered.length);
    for (const user of users) {
      const mine = delivered.filter((job) => job?.owner.userId === user.id).length;
      expect((await counter(usageKeys.userDay(user.id, day))).images).toBe(2 * mine);
    }
    // The result says what RunComfy charged (include_cost), and so does the final card.
    const done = delivered[0]!;
    const results = resultMessages(h.discord, channel.data.id, done.id);
    expect(displayedText(results[0])).toContain('Charged: US$ 0.06');
    await waitUntil(
      () =>
        JSON.stringify(h.discord.message(String(done.surface.cardMessageId))?.data.embeds).includes(
          'US$ 0.06 charged',
        ) || undefined,
      'the final card to show the charge',
    );

    // Everything submitted to RunComfy was within the server's quota.
    const sentImages = h.runcomfy.jobs().reduce((n, job) => n + job.input.sequential_image_generation_options, 0);
    expect(sentImages).toBeLessThanOrEqual(100);

    // The quota that came back is usable again at once: a member whose sets were cancelled or
    // failed gets a card now.
    const member = users.find((user) => !delivered.some((job) => job?.owner.userId === user.id))!;
    const again = h.discord.runSlashCommand({ user: member, channel }, 'imagine', {
      prompt: 'crowd again lighthouse',
      count: 2,
    });
    const card = await again.waitForOriginal();
    expect(card.ephemeral).toBe(false);
    await until(async () => (await h.bot.engine.get(again.id)) !== undefined, 'the new job to be recorded');

    // /usage tells a member where they and the server stand.
    const usage = h.discord.runSlashCommand({ user: member, channel }, 'usage', {});
    const answer = await usage.waitForResponse();
    expect(Number(answer.data?.['flags'] ?? 0) & 64).toBe(64);
    const text = JSON.stringify(answer.data);
    expect(text).toContain('You, today');
    expect(text).toMatch(/of 6 images · \d+ left · resets <t:\d+:R>/);
    expect(text).toMatch(/of 100 images/);
  });
});
