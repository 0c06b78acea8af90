/** The control API a sandbox uses: acting as seeded users by name, and granting or denying the bot in a channel. */
import { once } from 'node:events';
import { type Client, PermissionFlagsBits, type TextChannel } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordEmulator, startDiscordEmulator } from '../../../src/emulators/discord/index.js';
import { loginClient } from './helpers.js';

describe('control API', () => {
  let emulator: DiscordEmulator;
  let client: Client<true>;
  let base: string;

  beforeAll(async () => {
    emulator = await startDiscordEmulator({
      controlApi: true,
      users: [{ username: 'alice' }],
      guilds: [
        {
          name: 'Sandbox',
          channels: [
            { name: 'general' },
            { name: 'gallery', overwrites: [{ id: '@everyone', deny: ['SendMessages'] }] },
          ],
        },
      ],
    });
    client = await loginClient(emulator);
    client.on('interactionCreate', async (interaction) => {
      if (interaction.isChatInputCommand()) await interaction.deferReply();
    });
    base = emulator.apiUrl.replace(/\/api$/, '');
  });

  afterAll(async () => {
    await client?.destroy();
    await emulator?.close();
  });

  const post = (route: string, body: unknown) =>
    fetch(`${base}/_emulator/${route}`, { method: 'POST', body: JSON.stringify(body) });

  it('acts as an existing user named in the body instead of creating another', async () => {
    const alice = emulator.state.ensureUser('alice').user;
    const usersBefore = emulator.state.users.size;
    const response = await post('slash', { user: 'alice', name: 'imagine', options: { prompt: 'p' } });
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };
    expect(emulator.interaction(id)?.userId).toBe(alice.id);
    expect(emulator.state.users.size).toBe(usersBefore);
  });

  it('grants and denies the bot permissions in a channel by name, keeping other overwrites; the bot hears of it', async () => {
    const gallery = emulator.channelByName('gallery').data.id;
    const cached = () => (client.channels.cache.get(gallery) as TextChannel).permissionsFor(client.user)!;
    expect(cached().has(PermissionFlagsBits.ManageThreads)).toBe(false);

    const updated = once(client, 'channelUpdate', { signal: AbortSignal.timeout(5_000) });
    const granted = await post('permissions', { channel: '#gallery', allow: ['ManageThreads'] });
    expect(granted.status).toBe(200);
    const body = (await granted.json()) as { channel: string; permissions: string[] };
    expect(body.channel).toBe(gallery);
    expect(body.permissions).toContain('ManageThreads');
    await updated;
    expect(cached().has(PermissionFlagsBits.ManageThreads)).toBe(true);

    const denied = await post('permissions', { channel: gallery, deny: 'ManageThreads, AttachFiles' });
    const after = (await denied.json()) as { permissions: string[] };
    expect(after.permissions).not.toContain('ManageThreads');
    expect(after.permissions).not.toContain('AttachFiles');
    expect(after.permissions).toContain('ViewChannel');
    expect(after.permissions).not.toContain('SendMessages'); // @everyone's deny still applies
    const overwrites = emulator.channelByName('gallery').data.permission_overwrites ?? [];
    expect(overwrites).toHaveLength(2); // @everyone's stays, the bot has one of its own
    expect(overwrites.filter((o) => o.id === emulator.botUser.id)).toHaveLength(1);
  });

  it('refuses unknown permission names and channels with a reason', async () => {
    const badName = await post('permissions', { channel: '#gallery', allow: ['ManageEverything'] });
    expect(badName.status).toBe(400);
    expect(((await badName.json()) as { message: string }).message).toContain('ManageThreads');
    const badChannel = await post('permissions', { channel: '#nowhere', allow: ['ManageThreads'] });
    expect(badChannel.status).toBe(400);
    expect(((await badChannel.json()) as { message: string }).message).toContain('nowhere');
  });
});
