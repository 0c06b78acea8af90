/**
 * Acceptance: Discord faults (429 on edits, 5xx, a deleted status message, missing permission
 * in the channel) do not lose the job: the results still arrive, or the user is told why.
 * Each test runs the real bot and discord.js against both emulators with faults injected on
 * the Discord side only.
 */
import { describe, type ExpectStatic, it, type TestContext } from 'vitest';
import type { StoredMessage } from '../../src/emulators/discord/index.js';
import type { JobRecord } from '../../src/engine/job.js';
import { t } from '../../src/i18n/index.js';
import { type BotHarness, type BotHarnessOptions, createBotHarness } from '../helpers/bot-harness.js';
import { isComponentsV2, mediaGalleries } from '../helpers/discord-waits.js';

/** A clock that runs in real time and can be moved forward (past the 15-minute token life). */
function jumpableClock() {
  let offset = 0;
  const clock = () => Date.now() + offset;
  return Object.assign(clock, {
    jump(ms: number) {
      offset += ms;
    },
  });
}

/** mulberry32, for reproducible fault probabilities. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * A bot and both emulators of its own for one test. The tests run concurrently, so the
 * clean-up hangs on the test's own context (the global hook cannot tell concurrent tests apart).
 */
async function start(context: TestContext, options: BotHarnessOptions = {}): Promise<BotHarness> {
  const h = await createBotHarness({
    ...options,
    // Long enough in the queue and running for several card edits, and for a test to act mid-job.
    runcomfy: { queueMs: 1_500, baseRunMs: 1_000, perImageMs: 50, ...options.runcomfy },
  });
  context.onTestFinished(() => h.close());
  return h;
}

async function until<T>(check: () => T | undefined | Promise<T | undefined>, what: () => string, timeoutMs = 80_000) {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const TERMINAL = new Set(['delivered', 'failed', 'cancelled', 'timed_out', 'expired']);

function jobEnded(harness: BotHarness, jobId: string): Promise<JobRecord> {
  let last: JobRecord | undefined;
  return until(
    async () => {
      last = await harness.bot.engine.get(jobId);
      return last && TERMINAL.has(last.state) ? last : undefined;
    },
    () =>
      `job ${jobId} to end (it is ${last?.state}); the log:\n${harness.logs
        .filter((line) => line.includes(jobId) || /"level":"(warn|error|fatal)"/.test(line))
        .slice(-12)
        .join('')}`,
  );
}

function cardTitle(harness: BotHarness, messageId: string): string | undefined {
  return harness.discord.message(messageId)?.data.embeds?.[0]?.title;
}

function cardSays(harness: BotHarness, messageId: string, title: string): Promise<StoredMessage> {
  return until(
    () => (cardTitle(harness, messageId) === title ? harness.discord.message(messageId) : undefined),
    () => `card ${messageId} to say "${title}" (it says "${cardTitle(harness, messageId)}")`,
  );
}

/** Every message (channel posts and follow-ups) carrying one of the job's images. */
function resultMessages(harness: BotHarness, jobId: string): StoredMessage[] {
  return [...harness.discord.state.messages.values()].filter(
    (m) => !m.deleted && (m.data.attachments ?? []).some((a) => a.filename.startsWith(`seedream-${jobId}-`)),
  );
}

/**
 * The whole set, each image exactly once (`seedream-<job>-<n>.<ext>`, a gallery item titled n/N), and no file
 * posted twice (a set may also carry extras such as a contact sheet).
 */
function expectCompleteSet(expect: ExpectStatic, harness: BotHarness, jobId: string, count: number): StoredMessage[] {
  const results = resultMessages(harness, jobId);
  const files = results.flatMap((m) => (m.data.attachments ?? []).map((a) => a.filename));
  expect(new Set(files).size, files.join(', ')).toBe(files.length);
  const numbered = files
    .map((name) => new RegExp(`^seedream-${jobId}-(\\d+)\\.\\w+$`).exec(name)?.[1])
    .filter((n) => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  expect(numbered).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  // Titled n/N: the items of the messages' media galleries.
  const titles = results
    .flatMap((m) => mediaGalleries(m).flatMap((gallery) => gallery.map((item) => item.description ?? '')))
    .filter((t) => /^\d+\/\d+$/.test(t));
  expect(titles.sort()).toEqual(Array.from({ length: count }, (_, i) => `${i + 1}/${count}`).sort());
  for (const message of results) {
    expect(isComponentsV2(message)).toBe(true);
    expect(message.allowedMentions).toEqual({ parse: [] });
    expect(message.pinged).toEqual({ users: [], roles: [], everyone: false });
  }
  return results;
}

function requests(harness: BotHarness, route: RegExp, since = 0) {
  return harness.discord.state.requestLog.filter((r) => r.at >= since && route.test(`${r.method} ${r.path}`));
}

const DONE = t('en-US', 'card.title.delivered');
const FAILED = t('en-US', 'card.title.failed');
const QUEUED = t('en-US', 'card.title.queued');

const CARD_EDIT = /^PATCH \/(webhooks\/\d+\/[^/]+\/messages\/@original|channels\/\d+\/messages\/\d+)$/;
const CHANNEL_POST = /^POST \/channels\/\d+\/messages$/;

describe.concurrent('Discord faults do not lose the job', () => {
  // The longest (11 images in two messages, plus a delivery backoff): first, so it starts at once.
  it('5xx bursts on message creation: delivered exactly once, no duplicate attachments', {
    timeout: 120_000,
  }, async (context) => {
    const { expect } = context;
    const harness = await start(context, { discord: { random: seeded(503) } });
    const channel = harness.discord.channelByName('general');
    // A burst longer than discord.js's own retries (3), so the engine's delivery retry is needed too…
    const burst = harness.discord.faults.serverError('POST /channels/*/messages', { status: 500, times: 6 });
    // …then 502/503 at random on the later parts.
    const flaky = harness.discord.faults.serverError('POST /channels/*/messages', {
      status: 503,
      probability: 0.5,
      times: 8,
    });
    const handle = harness.discord.runSlashCommand({ user: 'flaky', channel }, 'imagine', {
      prompt: 'eleven koi in a pond',
      count: 11,
    });
    const card = await handle.waitForOriginal();
    const job = await jobEnded(harness, handle.id);
    expect(job.state).toBe('delivered');
    const results = expectCompleteSet(expect, harness, handle.id, 11);
    expect(results.length).toBeGreaterThan(1); // 11 images need more than one message (10 attachments each)
    for (const message of results) {
      expect(message.source).toBe('channel');
      expect(typeof message.data.nonce).toBe('string'); // posted with a nonce (enforce_nonce)
    }
    expect(new Set(results.map((m) => m.data.nonce)).size).toBe(results.length);
    const posts = requests(harness, CHANNEL_POST);
    const failed = posts.filter((r) => r.status >= 500);
    console.log(
      `5xx: ${failed.length} of ${posts.length} result posts answered 5xx (burst ${burst.hits}, random ${flaky.hits}); ` +
        `${results.length} messages, delivery attempts ${job.deliveryAttempts}`,
    );
    expect(burst.hits).toBe(6);
    expect(failed.length).toBe(burst.hits + flaky.hits);
    expect(posts.filter((r) => r.status === 200)).toHaveLength(results.length);
    await cardSays(harness, card.data.id, DONE);
  });

  it.for(['webhook', 'channel'] as const)(
    '429 storm on card edits (%s route): delivered, and the card ends in its final state',
    { timeout: 120_000 },
    async (route, context) => {
      const { expect } = context;
      const clock = jumpableClock();
      const harness = await start(context, { clock, discord: { clock, random: seeded(429) } });
      const channel = harness.discord.channelByName('general');
      const handle = harness.discord.runSlashCommand({ user: 'storm', channel }, 'imagine', {
        prompt: 'a lighthouse in a storm',
        count: 2,
      });
      const card = await handle.waitForOriginal();
      if (route === 'channel') {
        // Past the interaction token's life: the card can only be edited through the channel route.
        clock.jump(15 * 60_000 + 1_000);
      }
      const storm = [
        harness.discord.faults.rateLimit('PATCH /webhooks/*/*/messages/*', { retryAfterMs: 120, probability: 0.7 }),
        harness.discord.faults.rateLimit('PATCH /channels/*/messages/*', { retryAfterMs: 120, probability: 0.7 }),
      ];
      const job = await jobEnded(harness, handle.id);
      expect(job.state).toBe('delivered');
      expectCompleteSet(expect, harness, handle.id, 2);
      const final = await cardSays(harness, card.data.id, DONE);
      expect(final.data.components ?? []).toEqual([]);
      expect(final.data.embeds?.[0]?.fields?.at(-1)?.value).toContain('2 image(s)');

      const edits = requests(harness, CARD_EDIT);
      const limited = edits.filter((r) => r.status === 429);
      const used = edits
        .filter((r) => r.status === 200)
        .map((r) => (r.path.startsWith('/webhooks') ? 'webhook' : 'channel'));
      console.log(
        `429 storm (${route}): ${limited.length} of ${edits.length} card edits answered 429; ` +
          `faults hit ${storm.map((f) => f.hits).join(' + ')}`,
      );
      expect(limited.length).toBeGreaterThan(0);
      expect(used.at(-1)).toBe(route);
      // Rate limits are waited out, never reported as failures.
      expect(harness.logs.filter((l) => l.includes('status card edit failed'))).toEqual([]);
    },
  );

  it('status card deleted by a moderator mid-job: results still arrive, no more edits of it', {
    timeout: 120_000,
  }, async (context) => {
    const { expect } = context;
    const harness = await start(context);
    const channel = harness.discord.channelByName('general');
    const handle = harness.discord.runSlashCommand({ user: 'deleted', channel }, 'imagine', {
      prompt: 'a card that vanishes',
      count: 2,
    });
    const card = await handle.waitForOriginal();
    await cardSays(harness, card.data.id, QUEUED);
    const deletedAt = harness.discord.state.now();
    harness.discord.state.deleteMessage(harness.discord.message(card.data.id)!);

    const job = await jobEnded(harness, handle.id);
    expect(job.state).toBe('delivered');
    expect(job.surface.cardGone).toBe(true);
    const results = expectCompleteSet(expect, harness, handle.id, 2);
    expect(results.every((m) => m.source === 'channel')).toBe(true);
    // Give a stray edit loop time to show itself.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const editsAfter = requests(harness, CARD_EDIT, deletedAt);
    console.log(
      `deleted card: ${editsAfter.length} edit attempt(s) after the deletion (${editsAfter.map((r) => r.status).join(', ')})`,
    );
    // At most the updater's first failed edit and the delivery's final one; never a 2xx.
    expect(editsAfter.length).toBeLessThanOrEqual(2);
    expect(editsAfter.every((r) => r.status === 404 && r.code === 10008)).toBe(true);
    expect(harness.discord.message(card.data.id)?.deleted).toBe(true);
  });

  it('Discord refuses the result post as an invalid form body: no retry, and the card says so in the member’s language', {
    timeout: 120_000,
  }, async (context) => {
    const { expect } = context;
    const harness = await start(context);
    const channel = harness.discord.channelByName('general');
    // What real Discord answered to the old 31-character nonces: permanent, whatever the retry.
    const refusal = harness.discord.faults.refuse('POST /channels/*/messages', {
      errors: { nonce: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' }] } },
    });
    const handle = harness.discord.runSlashCommand({ user: 'refused', channel, locale: 'zh-TW' }, 'imagine', {
      prompt: 'a message Discord will not take',
      count: 2,
    });
    const card = await handle.waitForOriginal();
    const job = await jobEnded(harness, handle.id);
    expect(job.state).toBe('failed');
    expect(job.failure?.code).toBe('delivery_refused');
    expect(job.deliveryAttempts).toBe(1);
    // One post, refused; nothing retried (neither by the engine nor as a follow-up).
    const posts = requests(harness, CHANNEL_POST);
    expect(posts.map((r) => `${r.status}/${r.code}`)).toEqual(['400/50035']);
    expect(refusal.hits).toBe(1);
    expect(handle.followUps()).toEqual([]);
    expect(resultMessages(harness, handle.id)).toEqual([]);
    // Told on the card, in Traditional Chinese, with the reference that is also in the log.
    const failedTitle = t('zh-TW', 'card.title.failed');
    const final = await cardSays(harness, card.data.id, failedTitle);
    const reason = t('zh-TW', 'errors.delivery_refused', { code: 50035 });
    expect(final.data.embeds?.[0]?.fields?.at(-1)?.value).toBe(t('zh-TW', 'card.status.ended', { reason }));
    expect(final.data.embeds?.[0]?.footer?.text).toContain(handle.id);
    expect(harness.logs.some((l) => l.includes(handle.id) && l.includes('delivery_refused'))).toBe(true);
    // Within one card edit of the refusal: apart from an edit already under way, the next says it.
    const editsAfter = requests(harness, CARD_EDIT, posts[0]!.at).filter((r) => r.status === 200);
    expect(editsAfter.length).toBeGreaterThanOrEqual(1);
    expect(editsAfter.length).toBeLessThanOrEqual(2);
  });

  it.for(['SendMessages+AttachFiles', 'AttachFiles'] as const)(
    'bot denied %s after the card, token alive: results arrive as interaction follow-ups',
    {
      timeout: 120_000,
    },
    async (denied, context) => {
      const { expect } = context;
      const deny = denied.split('+') as Array<'SendMessages' | 'AttachFiles'>;
      const harness = await start(context);
      const channel = harness.discord.channelByName('general');
      const handle = harness.discord.runSlashCommand({ user: 'locked', channel }, 'imagine', {
        prompt: 'a locked channel',
        count: 2,
      });
      const card = await handle.waitForOriginal();
      harness.discord.setChannelOverwrites(channel, [{ id: '@bot', deny }]);

      const job = await jobEnded(harness, handle.id);
      expect(job.state).toBe('delivered');
      const results = expectCompleteSet(expect, harness, handle.id, 2);
      expect(results.every((m) => m.source === 'follow-up' && !m.ephemeral)).toBe(true);
      expect(handle.followUps().map((m) => m.id)).toEqual(results.map((m) => m.id));
      // The channel route was tried and refused; nothing got through it.
      const refused = requests(harness, CHANNEL_POST);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.every((r) => r.status === 403 && r.code === 50013)).toBe(true);
      const final = await cardSays(harness, card.data.id, DONE);
      expect(final.data.embeds?.[0]?.fields?.at(-1)?.value).toContain(results[0]!.id);
    },
  );

  it('bot denied SendMessages/AttachFiles, token expired: the job fails with delivery_failed and the card says why', {
    timeout: 120_000,
  }, async (context) => {
    const { expect } = context;
    const clock = jumpableClock();
    const harness = await start(context, { clock, discord: { clock } });
    const channel = harness.discord.channelByName('general');
    const handle = harness.discord.runSlashCommand({ user: 'expired', channel }, 'imagine', {
      prompt: 'a channel that closed',
      count: 2,
    });
    const card = await handle.waitForOriginal();
    harness.discord.setChannelOverwrites(channel, [{ id: '@bot', deny: ['SendMessages', 'AttachFiles'] }]);
    clock.jump(15 * 60_000 + 1_000); // the interaction token is dead: no follow-up possible

    const job = await jobEnded(harness, handle.id);
    expect(job.state).toBe('failed');
    expect(job.failure?.code).toBe('delivery_failed');
    expect(resultMessages(harness, handle.id)).toEqual([]);
    expect(handle.followUps()).toEqual([]);
    // Told, on the card, in words and with the job's reference.
    const final = await cardSays(harness, card.data.id, FAILED);
    const status = final.data.embeds?.[0]?.fields?.at(-1)?.value ?? '';
    expect(status).toBe(t('en-US', 'card.status.ended', { reason: t('en-US', 'errors.delivery_failed') }));
    expect(final.data.embeds?.[0]?.footer?.text).toContain(handle.id);
    expect(final.data.components ?? []).toEqual([]);
    // One attempt, no retry storm against a channel that refuses.
    expect(requests(harness, CHANNEL_POST)).toHaveLength(1);
  });
});
