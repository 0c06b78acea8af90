/** Raw interactions from a modified client: a missing required option is the member's input error. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotHarness, createBotHarness } from '../helpers/bot-harness.js';

let h: BotHarness;

beforeAll(async () => {
  h = await createBotHarness();
});
afterAll(async () => {
  await h?.close();
});

function interactionErrorLogs(): Array<{ level: string; code: string; interactionId: string }> {
  return h.logs.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'interaction error');
}

describe('raw interactions', () => {
  it('/imagine without its prompt gets the input error, logged at info, and nothing is sent', async () => {
    const user = h.discord.createUser({ username: 'raw-sender' });
    const channel = h.discord.channelByName('general');
    const before = h.runcomfy.jobs().length;
    const handle = h.discord.runSlashCommand({ user, channel }, 'imagine', { count: 2 }, { validate: false });
    const response = await handle.waitForResponse();
    expect((response.data?.['flags'] as number) & 64).toBe(64);
    const text = JSON.stringify(response.data?.['embeds']);
    expect(text).toContain('without its required option “prompt”');
    expect(text).not.toContain('on our side');
    const logged = interactionErrorLogs().find((entry) => entry.interactionId === handle.id);
    expect(logged).toMatchObject({ level: 'info', code: 'option_missing' });
    expect(h.runcomfy.jobs().length).toBe(before);
  });
});
