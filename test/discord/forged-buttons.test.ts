/**
 * Buttons are only custom_ids: a modified client can send `sd1:<action>:<any job id>` from any
 * channel. Every action checks who acts and that the job was visible where the click came from.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotHarness, createBotHarness } from '../helpers/bot-harness.js';
import { resultMessages, waitForCardTitle } from '../helpers/discord-waits.js';

let h: BotHarness;

beforeAll(async () => {
  h = await createBotHarness();
});
afterAll(async () => {
  await h?.close();
});

/** A message in #general to hang a forged click on (any message will do for a modified client). */
function someMessageIn(name: string, author: { id: string }) {
  return h.discord.sendUserMessage(author, h.discord.channelByName(name), 'hello');
}

async function refusedEphemerally(click: ReturnType<BotHarness['discord']['clickButton']>, text: string) {
  const response = await click.waitForResponse();
  expect(response.type).toBe(4);
  expect((response.data?.['flags'] as number) & 64).toBe(64);
  expect(String(response.data?.['content'])).toContain(text);
}

describe('forged button clicks', () => {
  it('Reroll of a DM set from a public channel is refused and its prompt never appears there', {
    timeout: 60_000,
  }, async () => {
    const owner = h.discord.createUser({ username: 'dm-owner' });
    h.discord.addMember(h.discord.defaultGuild, { user: owner });
    const secret = 'my secret birthday surprise for Alice';
    const handle = h.discord.runSlashCommand({ user: owner }, 'imagine', { prompt: secret, count: 1 });
    const card = await handle.waitForOriginal();
    expect(card.guildId).toBeNull();
    await waitForCardTitle(h.discord, card.data.id, 'Done', 30_000);

    const general = h.discord.channelByName('general');
    const stranger = h.discord.createUser({ username: 'forger' });
    h.discord.addMember(h.discord.defaultGuild, { user: stranger });
    const bait = someMessageIn('general', stranger);
    const jobsBefore = h.runcomfy.jobs().length;
    for (const who of [stranger, owner]) {
      const click = h.discord.clickButton(who, bait, `sd1:reroll:${handle.id}`, { validate: false });
      await refusedEphemerally(click, 'does not belong to a set shown here');
    }
    expect(h.runcomfy.jobs().length).toBe(jobsBefore);
    expect(await h.bot.engine.get(handle.id)).toBeDefined();
    const leaked = h.discord
      .channelMessages(general.data.id)
      .filter((m) => JSON.stringify(m.data).includes('birthday'));
    expect(leaked).toEqual([]);
  });

  it('Reroll of a set from another channel of the same server is refused', { timeout: 60_000 }, async () => {
    const owner = h.discord.createUser({ username: 'elsewhere-owner' });
    const general = h.discord.channelByName('general');
    const handle = h.discord.runSlashCommand({ user: owner, channel: general }, 'imagine', {
      prompt: 'a quiet harbour',
      count: 1,
    });
    const card = await handle.waitForOriginal();
    await waitForCardTitle(h.discord, card.data.id, 'Done', 30_000);
    const other = h.discord.createChannel(h.discord.defaultGuild, { name: 'elsewhere' });
    const clicker = h.discord.createUser({ username: 'other-room' });
    const bait = h.discord.sendUserMessage(clicker, other, 'hi');
    const jobsBefore = h.runcomfy.jobs().length;
    const click = h.discord.clickButton(clicker, bait, `sd1:reroll:${handle.id}`, { validate: false });
    await refusedEphemerally(click, 'does not belong to a set shown here');
    expect(h.runcomfy.jobs().length).toBe(jobsBefore);
  });

  it('a deleted set cannot be rerolled, even from its own channel', { timeout: 60_000 }, async () => {
    const owner = h.discord.createUser({ username: 'deleting-owner' });
    const general = h.discord.channelByName('general');
    const handle = h.discord.runSlashCommand({ user: owner, channel: general }, 'imagine', {
      prompt: 'a regrettable drawing',
      count: 1,
    });
    const card = await handle.waitForOriginal();
    await waitForCardTitle(h.discord, card.data.id, 'Done', 30_000);
    const results = resultMessages(h.discord, general.data.id, handle.id);
    const del = h.discord.clickButton(owner, results.at(-1)!, `sd1:delete:${handle.id}`);
    await del.waitForOriginal((m) => !m.loading);
    expect(resultMessages(h.discord, general.data.id, handle.id)).toHaveLength(0);

    const jobsBefore = h.runcomfy.jobs().length;
    const bait = someMessageIn('general', owner);
    const click = h.discord.clickButton(owner, bait, `sd1:reroll:${handle.id}`, { validate: false });
    await refusedEphemerally(click, 'was deleted');
    expect(h.runcomfy.jobs().length).toBe(jobsBefore);
  });

  it('a moderator cannot cancel or delete from a channel where the job was not shown', {
    timeout: 60_000,
  }, async () => {
    const owner = h.discord.createUser({ username: 'mod-target' });
    const general = h.discord.channelByName('general');
    const handle = h.discord.runSlashCommand({ user: owner, channel: general }, 'imagine', {
      prompt: 'a tidy desk',
      count: 1,
    });
    const card = await handle.waitForOriginal();
    await waitForCardTitle(h.discord, card.data.id, 'Done', 30_000);
    const other = h.discord.createChannel(h.discord.defaultGuild, { name: 'mods-elsewhere' });
    const moderator = h.discord.createUser({ username: 'moderator' });
    h.discord.addMember(h.discord.defaultGuild, { user: moderator, permissions: ['ManageMessages'] });
    const bait = h.discord.sendUserMessage(moderator, other, 'hi');
    const click = h.discord.clickButton(moderator, bait, `sd1:delete:${handle.id}`, { validate: false });
    await refusedEphemerally(click, 'Only the person who asked');
    expect(resultMessages(h.discord, general.data.id, handle.id).length).toBeGreaterThan(0);
  });
});
