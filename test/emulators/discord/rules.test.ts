/**
 * One test per Discord rule the emulator enforces, each proving the status and error code a
 * real discord.js client receives.
 */
import {
  type ChatInputCommandInteraction,
  type Client,
  DiscordAPIError,
  type Interaction,
  MessageFlags,
  Routes,
  type TextChannel,
} from 'discord.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, type DiscordEmulator, startDiscordEmulator } from '../../../src/emulators/discord/index.js';
import { contractRefusalOf, loginClient, rejectionOf } from './helpers.js';

const ALICE = '200000000000000001';

describe('Discord rules', () => {
  const clock = createManualClock(Date.UTC(2026, 0, 1));
  let emulator: DiscordEmulator;
  let client: Client<true>;
  let onInteraction: (interaction: Interaction) => Promise<void> = async () => {};
  const handlerErrors: unknown[] = [];

  beforeAll(async () => {
    emulator = await startDiscordEmulator({
      clock,
      guilds: [
        {
          name: 'Rules',
          channels: [
            { name: 'open' },
            { name: 'read-only', overwrites: [{ id: '@bot', deny: ['SendMessages'] }] },
            { name: 'no-files', overwrites: [{ id: '@bot', deny: ['AttachFiles'] }] },
            { name: 'hidden', overwrites: [{ id: '@bot', deny: ['ViewChannel'] }] },
          ],
          members: [{ user: { id: ALICE, username: 'alice' } }],
        },
        { name: 'Small uploads', uploadLimitBytes: 1_000, channels: [{ name: 'tiny' }] },
      ],
    });
    client = await loginClient(emulator);
    client.on('interactionCreate', (interaction) => {
      onInteraction(interaction).catch((error: unknown) => handlerErrors.push(error));
    });
  });

  afterAll(async () => {
    await client?.destroy();
    await emulator?.close();
  });

  beforeEach(() => {
    handlerErrors.length = 0;
    emulator.faults.clear();
  });

  const channel = (name: string) => client.channels.cache.get(emulator.channelByName(name).data.id) as TextChannel;

  /** The next chat-input interaction the bot receives, held until the test lets it go. */
  function nextCommand(): Promise<ChatInputCommandInteraction> {
    return new Promise((resolve) => {
      onInteraction = async (interaction) => {
        if (interaction.isChatInputCommand()) resolve(interaction);
      };
    });
  }

  function run(name = 'imagine') {
    return emulator.runSlashCommand({ user: ALICE, channel: emulator.channelByName('open').data.id }, name, {
      prompt: 'x',
    });
  }

  it('answers 10062 Unknown interaction to a first response after 3 seconds', async () => {
    const received = nextCommand();
    const handle = run();
    const interaction = await received;
    clock.advance(3_001);
    const error = await rejectionOf(() => interaction.deferReply());
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect(error.status).toBe(404);
    expect(error.code).toBe(10062);
    expect(handle.response).toBeUndefined();
    expect(emulator.interaction(handle.id)?.rejectedCallbacks.map((r) => r.code)).toEqual([10062]);
    expect(emulator.interactionTimings().find((t) => t.id === handle.id)?.metDeadline).toBe(false);
  });

  it('accepts a first response at exactly 3 seconds', async () => {
    const received = nextCommand();
    const handle = run();
    const interaction = await received;
    clock.advance(3_000);
    await interaction.deferReply();
    expect(handle.responseTimeMs).toBe(3_000);
  });

  it('answers 40060 when an interaction is acknowledged twice', async () => {
    const received = nextCommand();
    run();
    const interaction = await received;
    await interaction.reply({ content: 'first' });
    // discord.js refuses a second reply locally, so send the raw callback as a buggy bot would.
    const error = await rejectionOf(() =>
      client.rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
        body: { type: 4, data: { content: 'second' } },
        auth: false,
      }),
    );
    expect(error.status).toBe(400);
    expect(error.code).toBe(40060);
  });

  it('expires interaction tokens after 15 minutes (401 / 50027)', async () => {
    const received = nextCommand();
    const handle = run();
    const interaction = await received;
    await interaction.deferReply();
    clock.advance(14 * 60_000);
    await interaction.editReply({ content: 'still in time' });
    clock.advance(60_001);
    const edit = await rejectionOf(() => interaction.editReply({ content: 'too late' }));
    expect(edit.status).toBe(401);
    expect(edit.code).toBe(50027);
    const followUp = await rejectionOf(() => interaction.followUp({ content: 'too late' }));
    expect(followUp.code).toBe(50027);
    expect(handle.original()?.data.content).toBe('still in time');
  });

  it('rejects more than 10 embeds (50035)', async () => {
    const embeds = Array.from({ length: 11 }, (_, i) => ({ description: `embed ${i}` }));
    const error = await contractRefusalOf(() => channel('open').send({ embeds }));
    expect(error.status).toBe(400);
    expect(error.code).toBe(50035);
    expect(error.rawError).toMatchObject({ errors: { embeds: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } });
  });

  it('rejects embeds totalling more than 6,000 characters (50035)', async () => {
    const embeds = [{ description: 'a'.repeat(4_000) }, { description: 'b'.repeat(2_001) }];
    const error = await rejectionOf(() => channel('open').send({ embeds }));
    expect(error.code).toBe(50035);
    expect(error.rawError).toMatchObject({ errors: { embeds: { _errors: [{ code: 'MAX_EMBED_SIZE_EXCEEDED' }] } } });
    // Exactly 6,000 is fine.
    await channel('open').send({ embeds: [{ description: 'a'.repeat(4_000) }, { description: 'b'.repeat(2_000) }] });
  });

  it.each([
    ['title', { title: 't'.repeat(257) }, ['title']],
    ['description', { description: 'd'.repeat(4_097) }, ['description']],
    ['fields', { fields: Array.from({ length: 26 }, (_, i) => ({ name: `n${i}`, value: 'v' })) }, ['fields']],
    ['field name', { fields: [{ name: 'n'.repeat(257), value: 'v' }] }, ['fields', '0', 'name']],
    ['field value', { fields: [{ name: 'n', value: 'v'.repeat(1_025) }] }, ['fields', '0', 'value']],
    ['footer', { footer: { text: 'f'.repeat(2_049) } }, ['footer', 'text']],
    ['author', { author: { name: 'a'.repeat(257) } }, ['author', 'name']],
  ])('rejects an embed whose %s is too long (50035)', async (_label, embed, path) => {
    const error = await contractRefusalOf(() => channel('open').send({ embeds: [embed] }));
    expect(error.status).toBe(400);
    expect(error.code).toBe(50035);
    let node = (error.rawError as { errors: Record<string, unknown> }).errors['embeds'] as Record<string, unknown>;
    for (const key of ['0', ...path]) node = node[key] as Record<string, unknown>;
    expect(node['_errors']).toBeDefined();
  });

  it('rejects more than 10 attachments (50035 naming attachments)', async () => {
    const files = Array.from({ length: 11 }, (_, i) => ({ attachment: Buffer.from(`file ${i}`), name: `f${i}.txt` }));
    const error = await contractRefusalOf(() => channel('open').send({ files }));
    expect(error.status).toBe(400);
    expect(error.code).toBe(50035);
    expect(error.rawError).toMatchObject({ errors: { attachments: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } });
    await channel('open').send({ files: files.slice(0, 10) });
  });

  it('rejects a file over the per-file upload limit (413 / 40005) and tells interactions the limit', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1);
    const error = await rejectionOf(() => channel('open').send({ files: [{ attachment: big, name: 'big.bin' }] }));
    expect(error.status).toBe(413);
    expect(error.code).toBe(40005);
    await channel('open').send({ files: [{ attachment: big.subarray(1), name: 'exactly-10-mib.bin' }] });

    // A guild with a smaller limit enforces its own, and interactions there say so.
    const tiny = client.channels.cache.get(
      emulator.channelByName('tiny', [...emulator.state.guilds.values()][1]!).data.id,
    ) as TextChannel;
    const small = await rejectionOf(() => tiny.send({ files: [{ attachment: Buffer.alloc(1_001), name: 'a.bin' }] }));
    expect(small.code).toBe(40005);
    const received = nextCommand();
    emulator.runSlashCommand({ user: ALICE, channel: tiny.id }, 'imagine', { prompt: 'x' });
    expect((await received).attachmentSizeLimit).toBe(1_000);
  });

  it('rejects a request over 25 MiB in total (413 / 40005)', async () => {
    const part = Buffer.alloc(9 * 1024 * 1024);
    const files = [0, 1, 2].map((i) => ({ attachment: part, name: `part${i}.bin` }));
    const error = await rejectionOf(() => channel('open').send({ files }));
    expect(error.status).toBe(413);
    expect(error.code).toBe(40005);
  });

  it('rejects content over 2,000 characters (50035)', async () => {
    const error = await rejectionOf(() => channel('open').send({ content: 'x'.repeat(2_001) }));
    expect(error.status).toBe(400);
    expect(error.code).toBe(50035);
    expect(error.rawError).toMatchObject({ errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } });
    // Characters are code points: 2,000 emoji fit.
    await channel('open').send({ content: '🎨'.repeat(2_000) });
  });

  it('rejects a custom_id over 100 characters (50035)', async () => {
    const components = [{ type: 1, components: [{ type: 2, style: 1, label: 'Go', custom_id: 'c'.repeat(101) }] }];
    const error = await contractRefusalOf(() => channel('open').send({ content: 'x', components }));
    expect(error.code).toBe(50035);
    expect(error.rawError).toMatchObject({
      errors: {
        components: { 0: { components: { 0: { custom_id: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH' }] } } } } },
      },
    });
  });

  it('rejects more than 5 buttons in a row (50035)', async () => {
    const buttons = Array.from({ length: 6 }, (_, i) => ({ type: 2, style: 2, label: `${i}`, custom_id: `b${i}` }));
    const error = await contractRefusalOf(() =>
      channel('open').send({ content: 'x', components: [{ type: 1, components: buttons }] }),
    );
    expect(error.code).toBe(50035);
    expect(error.rawError).toMatchObject({
      errors: { components: { 0: { components: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH' }] } } } },
    });
  });

  it('answers 10008 Unknown Message for messages that do not exist', async () => {
    const fetchError = await rejectionOf(() => channel('open').messages.fetch('1234567890123456789'));
    expect(fetchError.status).toBe(404);
    expect(fetchError.code).toBe(10008);
    const sent = await channel('open').send('to delete');
    await sent.delete();
    const editError = await rejectionOf(() => sent.edit('again'));
    expect(editError.code).toBe(10008);
  });

  it('answers 50013 Missing Permissions (and 50001 Missing Access) when the channel says so', async () => {
    const denied = await rejectionOf(() => channel('read-only').send('hello'));
    expect(denied.status).toBe(403);
    expect(denied.code).toBe(50013);

    await channel('no-files').send('text is fine');
    const noFiles = await rejectionOf(() =>
      channel('no-files').send({ files: [{ attachment: Buffer.from('x'), name: 'x.txt' }] }),
    );
    expect(noFiles.code).toBe(50013);

    const hidden = await rejectionOf(() =>
      client.rest.post(Routes.channelMessages(emulator.channelByName('hidden').data.id), { body: { content: 'hi' } }),
    );
    expect(hidden.status).toBe(403);
    expect(hidden.code).toBe(50001);

    // Interaction responses do not need the bot's channel permissions, as on Discord.
    const received = nextCommand();
    const handle = emulator.runSlashCommand(
      { user: ALICE, channel: emulator.channelByName('read-only').data.id },
      'imagine',
      {},
    );
    const interaction = await received;
    expect(interaction.appPermissions.has('SendMessages')).toBe(false);
    await interaction.reply({ content: 'answered anyway' });
    expect((await handle.waitForOriginal()).data.content).toBe('answered anyway');
  });

  it('records allowed_mentions so a test can prove nobody was pinged', async () => {
    const quiet = await channel('open').send({
      content: `<@${ALICE}> your set is ready @everyone`,
      allowedMentions: { parse: [] },
    });
    const stored = emulator.message(quiet.id)!;
    expect(stored.allowedMentions).toEqual({ parse: [] });
    expect(stored.pinged).toEqual({ users: [], roles: [], everyone: false });
    expect(stored.data.mentions).toEqual([]);
    expect(emulator.state.pingLog.filter((p) => p.messageId === quiet.id)).toEqual([]);

    // Without allowed_mentions Discord would ping: the emulator records that too.
    const loud = await client.rest.post(Routes.channelMessages(channel('open').id), {
      body: { content: `<@${ALICE}> hi` },
    });
    const loudId = (loud as { id: string }).id;
    expect(emulator.message(loudId)?.pinged.users).toEqual([ALICE]);
    expect(emulator.state.pingLog.at(-1)).toMatchObject({ messageId: loudId, users: [ALICE] });
  });

  it('keeps ephemeral responses out of the channel history but on the interaction', async () => {
    const received = nextCommand();
    const handle = run();
    const interaction = await received;
    await interaction.reply({ content: 'only you can see this', flags: MessageFlags.Ephemeral });
    const original = await handle.waitForOriginal();
    expect(original.ephemeral).toBe(true);
    expect(emulator.channelMessages(original.channelId).some((m) => m.id === original.id)).toBe(false);
    const notFound = await rejectionOf(() => channel('open').messages.fetch(original.id));
    expect(notFound.code).toBe(10008);
    expect(handlerErrors).toEqual([]);
  });
});
