/** Gateway behaviour: shards own their guilds, dropped connections resume and replay, bad tokens fail. */
import { once } from 'node:events';
import { Client, type Interaction } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type DiscordEmulator, shardIdForGuild, startDiscordEmulator } from '../../../src/emulators/discord/index.js';
import { loginClient } from './helpers.js';

describe('gateway', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(options: Parameters<typeof startDiscordEmulator>[0] = {}): Promise<DiscordEmulator> {
    const emulator = await startDiscordEmulator(options);
    cleanups.push(() => emulator.close());
    return emulator;
  }

  async function login(emulator: DiscordEmulator, options: Parameters<typeof loginClient>[1] = {}) {
    const client = await loginClient(emulator, options);
    cleanups.push(() => client.destroy());
    return client;
  }

  it('two shards log in at once and each receives only its own guilds’ interactions', async () => {
    const emulator = await start({ guilds: [{ name: 'g1' }, { name: 'g2' }, { name: 'g3' }, { name: 'g4' }] });
    const guilds = [...emulator.state.guilds.values()];
    const owner = (guildId: string) => shardIdForGuild(guildId, 2);
    // Guild ids get distinct timestamps, so consecutive guilds spread over both shards.
    expect(new Set(guilds.map((g) => owner(g.id)))).toEqual(new Set([0, 1]));

    const [shard0, shard1] = await Promise.all([
      login(emulator, { shards: 0, shardCount: 2 }),
      login(emulator, { shards: 1, shardCount: 2 }),
    ]);
    for (const [shardId, client] of [shard0, shard1].entries()) {
      expect([...client.guilds.cache.keys()].sort()).toEqual(
        guilds
          .filter((g) => owner(g.id) === shardId)
          .map((g) => g.id)
          .sort(),
      );
    }

    const received: Array<{ shard: number; guildId: string | null }> = [];
    const listen = (client: Client, shard: number) =>
      client.on('interactionCreate', async (interaction: Interaction) => {
        received.push({ shard, guildId: interaction.guildId });
        if (interaction.isChatInputCommand()) await interaction.reply({ content: `shard ${shard}` });
      });
    listen(shard0, 0);
    listen(shard1, 1);

    const handles = guilds.map((g) =>
      emulator.runSlashCommand({ user: { username: `u-${g.name}` }, guild: g.id }, 'ping'),
    );
    const dm = emulator.runSlashCommand({ user: { username: 'dm-user' } }, 'ping');
    const originals = await Promise.all([...handles, dm].map((h) => h.waitForOriginal()));

    guilds.forEach((g, i) => {
      expect(originals[i]!.data.content).toBe(`shard ${owner(g.id)}`);
      expect(handles[i]!.record.deliveredTo).toBe(1);
    });
    expect(originals.at(-1)!.data.content).toBe('shard 0'); // DMs belong to shard 0
    expect(received).toHaveLength(5);
    for (const r of received) expect(r.guildId === null ? 0 : owner(r.guildId)).toBe(r.shard);
  });

  it('one client with two shards files each guild under its shard', async () => {
    const emulator = await start({ guilds: [{ name: 'a' }, { name: 'b' }] });
    const client = await login(emulator, { shards: [0, 1], shardCount: 2 });
    for (const guild of client.guilds.cache.values()) expect(guild.shardId).toBe(shardIdForGuild(guild.id, 2));
    expect(
      emulator
        .sessions()
        .map((s) => s.shardId)
        .sort(),
    ).toEqual([0, 1]);
  });

  it('a dropped connection resumes, and events sent meanwhile are replayed', async () => {
    const emulator = await start();
    const client = await login(emulator);
    const names: string[] = [];
    client.on('interactionCreate', async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      names.push(interaction.commandName);
      await interaction.reply({ content: interaction.commandName });
    });

    const resumed = once(client, 'shardResume');
    expect(emulator.dropConnection()).toBe(1);
    // While the bot is away the interaction waits in its session; RESUME replays it.
    const handle = emulator.runSlashCommand(
      { user: { username: 'eve' }, guild: emulator.defaultGuild.id },
      'while-away',
    );
    await resumed;
    expect((await handle.waitForOriginal()).data.content).toBe('while-away');

    // A close frame with a resumable code works the same way.
    const resumedAgain = once(client, 'shardResume');
    emulator.dropConnection(0, { mode: 'close', code: 4000 });
    await resumedAgain;
    const after = emulator.runSlashCommand({ user: 'eve', guild: emulator.defaultGuild.id }, 'after');
    await after.waitForOriginal();
    expect(names).toEqual(['while-away', 'after']);
    expect(emulator.sessions()).toHaveLength(1);
  });

  it('re-identifies after INVALID_SESSION and after op 7 RECONNECT resumes', async () => {
    const emulator = await start();
    const client = await login(emulator, { skipIdentifyThrottle: true });
    client.on('interactionCreate', async (i) => {
      if (i.isChatInputCommand()) await i.reply({ content: 'ok' });
    });
    const reconnected = once(client, 'shardResume');
    emulator.requestReconnect();
    await reconnected;
    await emulator.runSlashCommand({ user: 'u1', guild: emulator.defaultGuild.id }, 'one').waitForOriginal();

    const firstSession = emulator.sessions()[0]!.sessionId;
    const ready = once(client, 'shardReady');
    emulator.invalidateSessions();
    await ready;
    expect(emulator.sessions()[0]!.sessionId).not.toBe(firstSession);
    await emulator.runSlashCommand({ user: 'u1', guild: emulator.defaultGuild.id }, 'two').waitForOriginal();
  });

  it('answers heartbeats, and a client missing ACKs reconnects and resumes', async () => {
    const emulator = await start({ heartbeatIntervalMs: 150 });
    const client = await login(emulator);
    const beat = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (client.ws.ping >= 0) {
          clearInterval(check);
          resolve();
        }
      }, 10);
    });
    await beat;
    const resumed = once(client, 'shardResume');
    emulator.suppressHeartbeatAcks(1);
    await resumed;
    expect(emulator.sessions()).toHaveLength(1);
  });

  it('refuses a wrong token before the gateway, and nobody to dispatch to is an error', async () => {
    const emulator = await start();
    const client = new Client({ intents: [], rest: { api: emulator.apiUrl } });
    cleanups.push(() => client.destroy());
    await expect(client.login('not-the-token')).rejects.toThrow(/token/i);
    expect(() => emulator.runSlashCommand({ user: 'u', guild: emulator.defaultGuild.id }, 'x')).toThrow(
      /log a client in/,
    );
  });

  it('GUILD_CREATE reaches connected bots for guilds added later', async () => {
    const emulator = await start();
    const client = await login(emulator);
    const joined = once(client, 'guildCreate');
    const guild = emulator.createGuild({
      name: 'late',
      channels: [{ name: 'art' }, { name: 'gallery', type: 'forum' }],
    });
    const [created] = (await joined) as [{ id: string; channels: { cache: Map<string, unknown> } }];
    expect(created.id).toBe(guild.id);
    expect(created.channels.cache.size).toBe(2);
  });
});
