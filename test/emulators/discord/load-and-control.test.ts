/** Load the benchmark will apply, and the HTTP control API the sandbox uses. */
import type { Client } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, type DiscordEmulator, startDiscordEmulator } from '../../../src/emulators/discord/index.js';
import { loginClient } from './helpers.js';

describe('under load and over HTTP', () => {
  let emulator: DiscordEmulator;
  let client: Client<true>;

  beforeAll(async () => {
    // A frozen clock: this test is about throughput, not about the 3 s deadline on a busy CI machine.
    emulator = await startDiscordEmulator({ clock: createManualClock(), controlApi: true });
    client = await loginClient(emulator);
    client.on('interactionCreate', async (interaction) => {
      if (interaction.isChatInputCommand()) await interaction.deferReply();
    });
  });

  afterAll(async () => {
    await client?.destroy();
    await emulator?.close();
  });

  it('dispatches 500 slash commands from 200 users and records every first response', async () => {
    const users = Array.from({ length: 200 }, (_, i) => emulator.createUser({ username: `load-${i}` }).id);
    const channel = emulator.channelByName('general').data.id;
    const started = performance.now();
    const handles = Array.from({ length: 500 }, (_, i) =>
      emulator.runSlashCommand({ user: users[i % 200]!, channel }, 'imagine', { prompt: `p${i}` }),
    );
    const dispatchMs = performance.now() - started;
    expect(dispatchMs).toBeLessThan(1_000);
    await Promise.all(handles.map((h) => h.waitForResponse({ timeoutMs: 20_000 })));
    const timings = emulator.interactionTimings();
    expect(timings).toHaveLength(500);
    expect(timings.every((t) => t.responseType === 5 && t.firstResponseWallMs !== undefined)).toBe(true);
    expect(emulator.state.internalErrors).toEqual([]);
  }, 30_000);

  it('acts as users over /_emulator/ and reports what happened', async () => {
    const base = emulator.apiUrl.replace(/\/api$/, '');
    const state = (await (await fetch(`${base}/_emulator/state`)).json()) as {
      guilds: Array<{ id: string; channels: Array<{ id: string }> }>;
    };
    expect(state.guilds[0]?.channels.length).toBeGreaterThan(0);
    const response = await fetch(`${base}/_emulator/slash`, {
      method: 'POST',
      body: JSON.stringify({
        user: 'http-user',
        guild: state.guilds[0]!.id,
        name: 'imagine',
        options: { prompt: 'via http' },
      }),
    });
    const { id } = (await response.json()) as { id: string };
    await emulator.interaction(id)!.firstResponse;
    const view = (await (await fetch(`${base}/_emulator/interactions/${id}`)).json()) as {
      response: { type: number };
      original: { loading: boolean };
    };
    expect(view.response.type).toBe(5);
    expect(view.original.loading).toBe(true);
    const bad = await fetch(`${base}/_emulator/slash`, {
      method: 'POST',
      body: '{"user":"x","guild":"nope","name":"a"}',
    });
    expect(bad.status).toBe(400);
  });
});
