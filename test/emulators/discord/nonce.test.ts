import { REST, Routes } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordEmulator, startDiscordEmulator } from '../../../src/emulators/discord/index.js';

let emulator: DiscordEmulator;
let rest: REST;

beforeAll(async () => {
  emulator = await startDiscordEmulator();
  rest = new REST({ api: emulator.apiUrl }).setToken(emulator.botToken);
});
afterAll(async () => {
  await emulator.close();
});

describe('enforce_nonce', () => {
  it('answers a repeated create with the first message, and creates nothing new', async () => {
    const channel = emulator.channelByName('general').data.id;
    const body = { content: 'part 1', nonce: 'abc123', enforce_nonce: true };
    const first = (await rest.post(Routes.channelMessages(channel), { body })) as { id: string };
    const again = (await rest.post(Routes.channelMessages(channel), { body })) as { id: string };
    expect(again.id).toBe(first.id);
    expect(emulator.channelMessages(channel).filter((m) => m.data.content === 'part 1')).toHaveLength(1);
  });

  it('creates a new message when the nonce differs or is not enforced', async () => {
    const channel = emulator.channelByName('general').data.id;
    const a = (await rest.post(Routes.channelMessages(channel), {
      body: { content: 'x', nonce: 'n1', enforce_nonce: true },
    })) as { id: string };
    const b = (await rest.post(Routes.channelMessages(channel), {
      body: { content: 'x', nonce: 'n2', enforce_nonce: true },
    })) as { id: string };
    const c = (await rest.post(Routes.channelMessages(channel), { body: { content: 'x', nonce: 'n1' } })) as {
      id: string;
    };
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
  });
});
