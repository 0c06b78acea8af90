import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setParameters } from '../../src/models/registry.js';
import { type BotHarness, createBotHarness } from '../helpers/bot-harness.js';
import { buttonIds, displayedText, resultMessages, waitForCardTitle, waitUntil } from '../helpers/discord-waits.js';
import { duplicateKeys } from '../helpers/log-lines.js';

let h: BotHarness;

beforeAll(async () => {
  h = await createBotHarness();
});
afterAll(async () => {
  await h?.close();
});

async function finishedSet(username: string, prompt: string, count = 2, locale?: string) {
  const user = h.discord.createUser({ username, ...(locale ? { locale } : {}) });
  const channel = h.discord.channelByName('general');
  const handle = h.discord.runSlashCommand({ user, channel }, 'imagine', { prompt, count, seed: 7 });
  const card = await handle.waitForOriginal();
  await waitUntil(
    () =>
      resultMessages(h.discord, channel.data.id, handle.id).length > 0 &&
      h.discord.message(card.data.id)?.data.embeds?.[0]?.color === 0x57f287,
    'the set',
  );
  return { user, channel, handle, card, results: resultMessages(h.discord, channel.data.id, handle.id) };
}

describe('result buttons', () => {
  it('Reroll makes a new set for the clicker with the same settings and a new seed', { timeout: 60_000 }, async () => {
    const { results, handle } = await finishedSet('roller', 'a windmill in spring');
    const clicker = h.discord.createUser({ username: 'reroller' });
    const click = h.discord.clickButton(clicker, results.at(-1)!, `sd1:reroll:${handle.id}`);
    const response = await click.waitForResponse();
    expect(response.type).toBe(4); // a new public status card, at once
    const card = await click.waitForOriginal();
    await waitForCardTitle(h.discord, card.data.id, 'Done', 30_000);
    const original = await h.bot.engine.get(handle.id);
    const rerolled = await h.bot.engine.get(click.id);
    expect(rerolled?.owner.userId).toBe(clicker.id);
    expect(rerolled?.input.text).toBe(original?.input.text);
    expect(rerolled?.input.image_size).toBe(original?.input.image_size);
    expect(rerolled?.input.seed).not.toBe(original?.input.seed);
  });

  it('Delete is refused to others and removes the set for its requester', { timeout: 60_000 }, async () => {
    // Twelve images: two messages of images (10 + 2) and the overview message after them;
    // Delete takes all three.
    const { user, channel, handle, card } = await finishedSet('deleter', 'a harbour at night', 12);
    const cardStatus = () => h.discord.message(card.data.id)?.data.embeds?.[0]?.fields?.at(-1)?.value ?? '';
    await waitUntil(() => cardStatus().includes('https://discord.com/channels/'), 'the card’s link to the set');
    const results = resultMessages(h.discord, channel.data.id, handle.id);
    expect(results).toHaveLength(3);
    const stranger = h.discord.createUser({ username: 'not-the-owner' });
    const refused = h.discord.clickButton(stranger, results.at(-1)!, `sd1:delete:${handle.id}`);
    const refusal = await refused.waitForResponse();
    expect((refusal.data?.['flags'] as number) & 64).toBe(64);
    expect(resultMessages(h.discord, channel.data.id, handle.id)).toHaveLength(results.length);

    const click = h.discord.clickButton(user, results.at(-1)!, `sd1:delete:${handle.id}`);
    const reply = await click.waitForOriginal((m) => !m.loading);
    expect(reply.ephemeral).toBe(true);
    expect(resultMessages(h.discord, channel.data.id, handle.id)).toHaveLength(0);
    // The card no longer leads to the deleted messages.
    expect(cardStatus()).toMatch(/^Done in \d+s: 12 image\(s\)\.\nThe images were deleted\.$/);
  });
});

async function waitUntilJob(id: string) {
  for (;;) {
    const job = await h.bot.engine.get(id);
    if (job) return job;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('seeds', () => {
  it('a set asked for without a seed is made with one the bot chose: sent, on the card and on the result', async () => {
    const user = h.discord.createUser({ username: 'seedless' });
    const channel = h.discord.channelByName('general');
    const handle = h.discord.runSlashCommand({ user, channel }, 'imagine', { prompt: 'a tin robot', count: 1 });
    const first = await handle.waitForOriginal();
    // The card goes up before the job is recorded.
    await waitUntil(() => h.discord.message(first.data.id)?.data.embeds?.[0]?.footer !== undefined, 'the card');
    const seed = setParameters(await waitUntilJob(handle.id)).seed;
    expect(Number.isInteger(seed) && seed! >= 0 && seed! <= 2_147_483_647).toBe(true);
    const seedField = (m = h.discord.message(first.data.id)) =>
      m?.data.embeds?.[0]?.fields?.find((f) => f.name === 'Seed');
    expect(seedField(first)?.value).toBe(String(seed));
    const card = await waitForCardTitle(h.discord, first.data.id, 'Done', 30_000);
    expect(seedField(card)?.value).toBe(String(seed));
    const job = await h.bot.engine.get(handle.id);
    expect(h.runcomfy.job(job!.requestId!)?.input.seed).toBe(seed);
    const [result] = resultMessages(h.discord, channel.data.id, handle.id);
    expect(displayedText(result)).toContain(`seed ${seed} ·`);
    // The card's "Done in" and the result's time are one figure.
    const took = /· (\d+s|\d+m \d+s)$/m.exec(displayedText(result))?.[1];
    expect(took).toBeDefined();
    expect(card.data.embeds?.[0]?.fields?.at(-1)?.value).toMatch(new RegExp(`^Done in ${took}:`));
  });
});

describe('languages and places', () => {
  it('speaks the member’s language on the card (zh-TW)', { timeout: 60_000 }, async () => {
    const { card } = await finishedSet('taiwan', '一座燈塔', 1, 'zh-TW');
    const final = h.discord.message(card.data.id)!;
    expect(final.data.embeds?.[0]?.title).toBe('完成');
    expect(JSON.stringify(final.data.embeds)).toContain('張數');
  });

  it('works in a DM with the bot', { timeout: 60_000 }, async () => {
    const user = h.discord.createUser({ username: 'dm-user' });
    // DMs are charged to a server the member shares with the bot (one that allows DMs).
    h.discord.addMember(h.discord.defaultGuild, { user });
    const handle = h.discord.runSlashCommand({ user }, 'imagine', { prompt: 'a paper boat', count: 2 });
    const card = await handle.waitForOriginal();
    expect(card.guildId).toBeNull();
    await waitForCardTitle(h.discord, card.data.id, 'Done', 30_000);
    const results = resultMessages(h.discord, card.channelId, handle.id);
    expect(results.flatMap((m) => m.data.attachments ?? [])).toHaveLength(2);
    expect(buttonIds(results.at(-1))).toContain(`sd1:delete:${handle.id}`);
  });
});

// Last: every line the bot logged above, plus a member's mistake.
describe('log lines', () => {
  it('carry no key twice, no empty stack and no token', async () => {
    const user = h.discord.createUser({ username: 'mistaken' });
    const channel = h.discord.channelByName('general');
    const handle = h.discord.runSlashCommand({ user, channel }, 'imagine', { prompt: '3 images of a cat', count: 5 });
    await handle.waitForResponse();
    const errorLine = await waitUntil(() => h.logs.find((l) => l.includes('"interaction error"')), 'the error line');
    expect(JSON.parse(errorLine)).toMatchObject({ interactionId: handle.id, userId: user.id, code: 'count_mismatch' });
    expect(errorLine).not.toContain('"stack"');
    const tokens = [h.discord.botToken, h.runcomfy.token];
    for (const line of h.logs) {
      expect(duplicateKeys(line), line).toEqual([]);
      expect(line).not.toContain('"stack":""');
      for (const token of tokens) expect(line).not.toContain(token);
      expect(line).not.toMatch(/aW50ZXJhY3Rpb246/);
    }
  });
});
