/**
 * The bot's image downloads go through the checked lookup: the emulator names its files
 * `localhost` (as a CDN name), the resolver is injected (no real DNS), and what it answers
 * decides whether the bot may connect.
 */
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotHarness, createBotHarness } from '../helpers/bot-harness.js';
import { resultMessages, waitForCardTitle } from '../helpers/discord-waits.js';

let h: BotHarness;
let answer = '127.0.0.1';
const asked: string[] = [];

beforeAll(async () => {
  h = await createBotHarness({
    runcomfy: { filesHost: 'localhost' },
    env: { RUNCOMFY_OUTPUT_HOSTS: 'localhost' },
    resolveOutputHost: async (hostname): Promise<LookupAddress[]> => {
      asked.push(hostname);
      return [{ address: answer, family: 4 }];
    },
  });
});
afterAll(async () => {
  await h?.close();
});

function imagine(username: string, prompt: string) {
  const user = h.discord.createUser({ username });
  const channel = h.discord.channelByName('general');
  return { channel, handle: h.discord.runSlashCommand({ user, channel }, 'imagine', { prompt, count: 2 }) };
}

describe('output hosts in the bot', () => {
  // First: a kept-alive connection from an earlier download would be reused without a lookup.
  it('refuses a name that resolves to a private address: nothing is fetched from it', { timeout: 60_000 }, async () => {
    answer = '10.0.0.7';
    const { handle } = imagine('cdn-private', 'two lakes');
    let job = await h.bot.engine.get(handle.id);
    for (let i = 0; i < 400 && job?.state !== 'failed'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      job = await h.bot.engine.get(handle.id);
    }
    expect(job?.state).toBe('failed');
    const log = h.logs.map((line) => JSON.parse(line)).filter((e) => e.jobId === handle.id);
    expect(JSON.stringify(log)).toContain('image_host_refused');
  });
  it('downloads from the address the resolver gave when the allow-list names loopback', {
    timeout: 60_000,
  }, async () => {
    answer = '127.0.0.1';
    const { channel, handle } = imagine('cdn-ok', 'two harbours');
    const card = await handle.waitForOriginal();
    await waitForCardTitle(h.discord, card.data.id, 'Done', 30_000);
    expect(asked).toContain('localhost');
    expect(resultMessages(h.discord, channel.data.id, handle.id).flatMap((m) => m.data.attachments ?? [])).toHaveLength(
      2,
    );
  });
});
