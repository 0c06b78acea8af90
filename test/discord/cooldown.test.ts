/**
 * Per-member cooldown (COMMAND_COOLDOWN): a burst of /imagine from one member costs one set,
 * the rest are told "slow down" privately; buttons have their own turn. The limiter itself
 * with fake time (memory) and across two processes on one Redis (when REDIS_URL is set).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCooldown } from '../../src/discord/cooldown.js';
import { openStore } from '../../src/store/store.js';
import { type BotHarness, createBotHarness } from '../helpers/bot-harness.js';
import { buttonIds, waitUntil } from '../helpers/discord-waits.js';
import { testEnv } from '../helpers/test-env.js';

describe('cooldown in the bot', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await createBotHarness({ env: { COMMAND_COOLDOWN: '2s' }, runcomfy: { queueMs: 60_000 } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('40 /imagine in a burst from one member: one is served, 39 are told to slow down', {
    timeout: 60_000,
  }, async () => {
    const user = h.discord.createUser({ username: 'burster' });
    const channel = h.discord.channelByName('general');
    const handles = Array.from({ length: 40 }, (_, i) =>
      h.discord.runSlashCommand({ user, channel }, 'imagine', { prompt: `burst number ${i}`, count: 1 }),
    );
    const responses = await Promise.all(handles.map((handle) => handle.waitForResponse()));
    const slowed = responses.filter((r) => String(r.data?.['content']).startsWith('Slow down: try again in'));
    expect(slowed).toHaveLength(39);
    for (const r of slowed) {
      expect((r.data?.['flags'] as number) & 64).toBe(64);
      expect(String(r.data?.['content'])).toMatch(/^Slow down: try again in [12] s\.$/);
    }
    await waitUntil(() => h.runcomfy.jobs().length >= 1, 'the one submit');
    expect(h.runcomfy.jobs().filter((j) => j.input.text.includes('burst number'))).toHaveLength(1);

    // A button has its own turn: Cancel right after the command works.
    const served = handles[responses.findIndex((r) => !slowed.includes(r))]!;
    const card = await served.waitForOriginal();
    await waitUntil(() => buttonIds(h.discord.message(card.data.id)).includes(`sd1:cancel:${served.id}`), 'Cancel');
    const click = h.discord.clickButton(user, card.data.id, `sd1:cancel:${served.id}`);
    const followUp = await click.waitForOriginal((m) => !m.loading);
    expect(followUp.data.content).toContain('Cancelled');

    // Another member is not slowed by the first one's cooldown.
    const other = h.discord.createUser({ username: 'bystander' });
    const theirs = h.discord.runSlashCommand({ user: other, channel }, 'imagine', { prompt: 'a calm sea', count: 1 });
    expect((await theirs.waitForResponse()).type).toBe(4);
    expect(String((await theirs.waitForResponse()).data?.['content'] ?? '')).not.toContain('Slow down');
  });
});

describe('cooldown limiter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('in memory: the member may act again once the cooldown has passed', async () => {
    vi.useFakeTimers();
    const store = await openStore({ url: 'memory://' });
    try {
      const cooldown = await createCooldown(store, 2_000);
      expect(await cooldown.take('command', 'u1')).toBe(0);
      const wait = await cooldown.take('command', 'u1');
      expect(wait).toBeGreaterThan(1_500);
      expect(wait).toBeLessThanOrEqual(2_000);
      expect(await cooldown.take('button', 'u1')).toBe(0); // its own turn
      expect(await cooldown.take('command', 'u2')).toBe(0); // another member
      vi.advanceTimersByTime(1_000);
      expect(await cooldown.take('command', 'u1')).toBeGreaterThan(0);
      vi.advanceTimersByTime(1_001);
      expect(await cooldown.take('command', 'u1')).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('COMMAND_COOLDOWN=0 turns it off', async () => {
    const store = await openStore({ url: 'memory://' });
    const cooldown = await createCooldown(store, 0);
    expect(await cooldown.take('command', 'u1')).toBe(0);
    expect(await cooldown.take('command', 'u1')).toBe(0);
    await store.close();
  });

  it.skipIf(!testEnv.REDIS_URL)('on Redis: decided atomically for every process', async () => {
    const prefix = `cooldown-test-${process.pid}-${Date.now()}`;
    const a = await openStore({ url: testEnv.REDIS_URL!, prefix });
    const b = await openStore({ url: testEnv.REDIS_URL!, prefix });
    try {
      const first = await createCooldown(a, 2_000);
      const second = await createCooldown(b, 2_000);
      // Twenty at once from two processes: exactly one gets through.
      const waits = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? first : second).take('command', 'shared-member')),
      );
      expect(waits.filter((w) => w === 0)).toHaveLength(1);
      for (const w of waits.filter((x) => x > 0)) expect(w).toBeLessThanOrEqual(2_000);
    } finally {
      const client = (await a.redisClient()) as { del(keys: string[]): Promise<number> };
      await client.del([`${prefix}:cooldown:command:shared-member`]);
      await a.close();
      await b.close();
    }
  });
});
