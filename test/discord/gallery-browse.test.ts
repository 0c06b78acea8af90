/**
 * Acceptance: /gallery browse with and without filters, paging both ways, over 1,000+ indexed
 * sets; a button pressed by someone who did not open the browser is refused. /history over
 * one person's sets across servers and DMs. The index is filled through GalleryIndex on the
 * bot's own store (1,200 sets, the normal add path), the browsing goes through the real bot
 * and discord.js.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../src/emulators/discord/index.js';
import { type GalleryEntry, GalleryIndex } from '../../src/guilds/gallery-index.js';
import { type BotHarness, createBotHarness } from '../helpers/bot-harness.js';
import { buttonIds } from '../helpers/discord-waits.js';

let h: BotHarness;
let entries: GalleryEntry[];
/** The seeded members by name (the emulator's createUser makes a new user per call). */
const users = new Map<string, { id: string; username: string }>();
const SETS = 1_200;

const SUBJECTS = [
  'a lighthouse at dusk',
  'koi pond posters',
  '一座燈塔 在海邊',
  '雨中的紙船',
  'a paper boat on a rainy street',
  'mountain village in winter',
  '城市夜景 霓虹燈',
  'portrait of a red fox',
];

beforeAll(async () => {
  // The memory store: filling 1,200 sets one add at a time on SQLite takes a minute on a busy
  // machine (every add is a few fsync'd writes); paging reads the same buckets either way.
  h = await createBotHarness({ storeUrl: 'memory://' });
  const guild = h.discord.defaultGuild;
  for (const username of ['alice', 'bob', 'carol', 'dave', 'erin']) {
    const user = h.discord.createUser({ username });
    users.set(username, user);
    h.discord.addMember(guild, { user: user.id });
  }
  const makers = ['alice', 'bob', 'carol', 'dave'].map((name) => users.get(name)!);
  const index = new GalleryIndex(h.bot.engine.jobs.store);
  const base = Date.now() - SETS * 60_000;
  entries = Array.from({ length: SETS }, (_, i) => {
    const user = makers[i % makers.length]!;
    // Every 50th of alice's sets was made in a DM: /history shows it, the server's browser does not.
    const inDm = user.username === 'alice' && i % 50 === 0;
    return {
      jobId: `seed${String(i).padStart(5, '0')}`,
      userId: user.id,
      guildId: inDm ? null : guild.id,
      channelId: h.discord.channelByName('general').data.id,
      prompt: `${SUBJECTS[i % SUBJECTS.length]} #${i}`,
      seed: i,
      aspect: '16:9',
      count: 1 + (i % 15),
      quality: 'fast',
      createdAt: base + i * 60_000,
      resultUrl: `https://discord.com/channels/${guild.id}/1/${1000 + i}`,
      ...(i % 3 === 0 ? { postUrl: `https://discord.com/channels/${guild.id}/2/${5000 + i}` } : {}),
      previewUrl: `${h.discord.cdnUrl}/attachments/1/${i}/seedream-seed${i}-sheet.jpg`,
    };
  });
  const started = performance.now();
  for (const entry of entries) await index.add(entry);
  console.info(`indexed ${SETS} sets in ${Math.round(performance.now() - started)} ms`);
}, 300_000);

afterAll(async () => {
  await h?.close();
});

const footer = (message: StoredMessage | undefined) => message?.data.embeds?.[0]?.footer?.text;
const title = (message: StoredMessage | undefined) => message?.data.embeds?.[0]?.title;
const newestFirst = (filter: (e: GalleryEntry) => boolean) => entries.filter(filter).reverse();

async function openBrowser(user: string, command: string, options: Record<string, string> = {}) {
  const channel = h.discord.channelByName('general');
  const handle = h.discord.runSlashCommand({ user: users.get(user)!.id, channel }, command, options);
  const message = await handle.waitForOriginal((m) => !m.loading, { timeoutMs: 15_000 });
  expect(message.ephemeral).toBe(true);
  expect(handle.responseTimeMs).toBeLessThan(3_000);
  return message;
}

/** Presses ◀ or ▶ and waits for the page to change; answers the page and how long it took. */
async function press(user: string, message: StoredMessage, direction: 'gprev' | 'gnext') {
  const id = buttonIds(h.discord.message(message.id)).find((c) => c.startsWith(`sd1:${direction}:`))!;
  const before = footer(h.discord.message(message.id));
  const started = performance.now();
  const click = h.discord.clickButton(users.get(user)!.id, h.discord.message(message.id)!, id);
  const response = await click.waitForResponse({ timeoutMs: 10_000 });
  const took = performance.now() - started;
  return { response, took, before, after: h.discord.message(message.id)! };
}

describe('/gallery browse over 1,200 indexed sets', () => {
  it('pages both ways through the whole server, newest first', { timeout: 120_000 }, async () => {
    const all = newestFirst((e) => e.guildId !== null);
    let page = await openBrowser('alice', 'gallery browse');
    expect(footer(page)).toBe(`Page 1 of ${all.length}`);
    expect(title(page)).toBe(all[0]!.prompt);
    expect(page.data.embeds![0]!.image?.url).toBe(all[0]!.previewUrl);
    const [prev, next] = page.data.components![0]!.components!;
    expect(prev!.disabled).toBe(true);
    expect(next!.disabled).toBe(false);
    // The link button goes to the post (or to the result when there is no post).
    const link = page.data.components![0]!.components![2]!;
    expect(link.url).toBe(all[0]!.postUrl ?? all[0]!.resultUrl);

    const timings: number[] = [];
    for (let k = 1; k <= 5; k++) {
      const step = await press('alice', page, 'gnext');
      expect(step.response.type).toBe(7); // the same ephemeral message, updated
      timings.push(step.took);
      page = step.after;
      expect(footer(page)).toBe(`Page ${k + 1} of ${all.length}`);
      expect(title(page)).toBe(all[k]!.prompt);
    }
    for (let k = 4; k >= 2; k--) {
      const step = await press('alice', page, 'gprev');
      timings.push(step.took);
      page = step.after;
      expect(footer(page)).toBe(`Page ${k + 1} of ${all.length}`);
      expect(title(page)).toBe(all[k]!.prompt);
    }
    timings.sort((a, b) => a - b);
    console.info(
      `browse: ${all.length} sets, page turn median ${Math.round(timings[timings.length >> 1]!)} ms, max ${Math.round(timings.at(-1)!)} ms`,
    );
    expect(timings.at(-1)!).toBeLessThan(2_000);
  });

  it('refuses a button pressed by someone who did not open the browser', { timeout: 60_000 }, async () => {
    const page = await openBrowser('alice', 'gallery browse');
    const { response, after } = await press('bob', page, 'gnext');
    expect(response.type).toBe(4);
    expect((response.data?.['flags'] as number) & 64).toBe(64); // only bob sees the refusal
    expect(String(response.data?.['content'])).toContain('belongs to whoever opened it');
    expect(footer(after)).toBe(footer(page)); // alice's page did not move
  });

  it('filters by member, both ways', { timeout: 60_000 }, async () => {
    const carol = users.get('carol')!;
    const mine = newestFirst((e) => e.userId === carol.id && e.guildId !== null);
    let page = await openBrowser('alice', 'gallery browse', { user: carol.id });
    expect(footer(page)).toBe(`Page 1 of ${mine.length}`);
    for (let k = 1; k <= 3; k++) {
      page = (await press('alice', page, 'gnext')).after;
      expect(title(page)).toBe(mine[k]!.prompt);
    }
    page = (await press('alice', page, 'gprev')).after;
    expect(title(page)).toBe(mine[2]!.prompt);
    expect(footer(page)).toBe(`Page 3 of ${mine.length}`);
  });

  it('searches words in English and Chinese, and stops at the last page', { timeout: 60_000 }, async () => {
    // A word prefix finds the word; all words must match.
    const light = newestFirst((e) => e.guildId !== null && /lighthouse/.test(e.prompt));
    let page = await openBrowser('alice', 'gallery browse', { search: 'Light dusk' });
    expect(footer(page)).toBe(`Page 1 of ${light.length}`);
    expect(title(page)).toBe(light[0]!.prompt);
    // Chinese has no spaces: a term matches anywhere in the prompt.
    const tower = newestFirst((e) => e.guildId !== null && e.prompt.includes('燈塔'));
    page = await openBrowser('alice', 'gallery browse', { search: '燈塔' });
    expect(footer(page)).toBe(`Page 1 of ${tower.length}`);
    expect(title(page)).toBe(tower[0]!.prompt);
    // Narrow enough to reach the end: search and member together.
    const carol = users.get('carol')!;
    const few = newestFirst(
      (e) => e.guildId !== null && e.userId === carol.id && e.prompt.includes('霓虹') && e.prompt.includes('#11'),
    );
    page = await openBrowser('alice', 'gallery browse', { search: '霓虹 #11', user: carol.id });
    expect(few.length).toBeGreaterThan(2);
    for (let k = 1; k < few.length; k++) page = (await press('alice', page, 'gnext')).after;
    expect(footer(page)).toBe(`Page ${few.length} of ${few.length}`);
    expect(page.data.components![0]!.components![1]!.disabled).toBe(true);
    page = (await press('alice', page, 'gprev')).after;
    expect(title(page)).toBe(few[few.length - 2]!.prompt);

    const none = await openBrowser('alice', 'gallery browse', { search: 'zeppelin' });
    expect(none.data.content).toBe('No sets match that search.');
    expect(none.data.components ?? []).toEqual([]);
  });
});

describe('/history', () => {
  it('pages through your own sets across servers and DMs', { timeout: 60_000 }, async () => {
    const alice = users.get('alice')!;
    const mine = newestFirst((e) => e.userId === alice.id);
    expect(mine.some((e) => e.guildId === null)).toBe(true);
    let page = await openBrowser('alice', 'history');
    expect(footer(page)).toBe(`Page 1 of ${mine.length}`);
    page = (await press('alice', page, 'gnext')).after;
    expect(title(page)).toBe(mine[1]!.prompt);
    const fresh = await openBrowser('erin', 'history');
    expect(fresh.data.content).toBe('You have no sets yet. Make one with /imagine.');
  });
});
