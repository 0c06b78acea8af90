/** The other interaction and channel flows a bot uses: autocomplete, modals, threads, forum and media posts, DMs. */
import {
  ActionRowBuilder,
  ChannelType,
  type Client,
  type ForumChannel,
  GatewayIntentBits,
  type Interaction,
  MessageFlags,
  ModalBuilder,
  type TextChannel,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DiscordEmulator, startDiscordEmulator } from '../../../src/emulators/discord/index.js';
import { provokesContractViolations } from '../../helpers/contract.js';
import { loginClient, pngImage, rejectionOf } from './helpers.js';

const DANA = '300000000000000001';

describe('interaction and channel flows', () => {
  let emulator: DiscordEmulator;
  let client: Client<true>;
  let onInteraction: (interaction: Interaction) => Promise<void> = async () => {};
  const handlerErrors: unknown[] = [];

  beforeAll(async () => {
    emulator = await startDiscordEmulator({
      users: [{ id: DANA, username: 'dana', locale: 'zh-CN' }],
      guilds: [
        {
          name: 'Flows',
          channels: [
            { name: 'general' },
            { name: 'gallery', type: 'forum', availableTags: [{ name: 'sets' }] },
            { name: 'strict-forum', type: 'forum', requireTag: true, availableTags: [{ name: 'sets' }] },
            { name: 'media', type: 'media' },
          ],
          members: [{ user: DANA }],
        },
      ],
    });
    client = await loginClient(emulator, {
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages],
    });
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
  });

  const general = () => client.channels.cache.get(emulator.channelByName('general').data.id) as TextChannel;

  it('dispatches interaction payloads complete enough for discord.js', async () => {
    let seen: Interaction | undefined;
    onInteraction = async (interaction) => {
      seen = interaction;
      if (interaction.isChatInputCommand()) await interaction.reply({ content: 'ok', withResponse: true });
    };
    const handle = emulator.runSlashCommand(
      { user: DANA, channel: emulator.channelByName('general').data.id },
      'imagine',
      { prompt: 'a' },
    );
    await handle.waitForOriginal();
    const payload = handle.payload;
    expect(payload).toMatchObject({
      type: 2,
      entitlements: [],
      authorizing_integration_owners: { 0: emulator.defaultGuild.id },
      locale: 'zh-CN',
      guild_locale: 'en-US',
      context: 0,
      attachment_size_limit: 10 * 1024 * 1024,
      data: { name: 'imagine', type: 1, options: [{ name: 'prompt', type: 3, value: 'a' }] },
    });
    expect(typeof (payload['member'] as { permissions: string }).permissions).toBe('string');
    expect(typeof payload['app_permissions']).toBe('string');
    expect(seen?.memberPermissions?.has('SendMessages')).toBe(true);
    expect(seen?.memberPermissions?.has('ManageMessages')).toBe(false);
    expect(seen?.appPermissions.has('AttachFiles')).toBe(true);
    expect(seen?.channel?.id).toBe(emulator.channelByName('general').data.id);
    expect(handle.responseWallMs).toBeGreaterThan(0);
    expect(handlerErrors).toEqual([]);
  });

  it('autocomplete: the focused option arrives as typed text, the bot answers with choices (type 8)', async () => {
    await client.application.commands.set([
      {
        name: 'style',
        description: 'Pick a style',
        options: [
          { type: 3, name: 'name', description: 'Style', autocomplete: true, required: true },
          { type: 4, name: 'count', description: 'Count' },
        ],
      },
    ]);
    onInteraction = async (interaction) => {
      if (!interaction.isAutocomplete()) return;
      const typed = interaction.options.getFocused();
      await interaction.respond(
        ['watercolor', 'ink', 'pixel'].filter((s) => s.startsWith(typed)).map((s) => ({ name: s, value: s })),
      );
    };
    const handle = emulator.autocomplete(
      { user: DANA, guild: emulator.defaultGuild.id },
      'style',
      { name: 'wa', count: 2 },
      'name',
    );
    expect(await handle.choices()).toEqual([{ name: 'watercolor', value: 'watercolor' }]);
    expect(handle.response?.type).toBe(8);
    const options = (handle.payload['data'] as { options: unknown[] }).options;
    expect(options).toContainEqual({ name: 'name', type: 3, value: 'wa', focused: true });

    // More than 25 choices is refused, as Discord does.
    provokesContractViolations();
    let refused!: (code: number | string | undefined) => void;
    const refusal = new Promise<number | string | undefined>((resolve) => {
      refused = resolve;
    });
    onInteraction = async (interaction) => {
      if (!interaction.isAutocomplete()) return;
      const error = await rejectionOf(() =>
        interaction.respond(Array.from({ length: 26 }, (_, i) => ({ name: `s${i}`, value: `s${i}` }))),
      );
      refused(error.code);
    };
    const tooMany = emulator.autocomplete(
      { user: DANA, guild: emulator.defaultGuild.id },
      'style',
      { name: '' },
      'name',
    );
    expect(await refusal).toBe(50035);
    expect(tooMany.response).toBeUndefined();
    expect(handlerErrors).toEqual([]);
  });

  it('modals: shown with type 9, submitted as type 5, answered with a reply', async () => {
    onInteraction = async (interaction) => {
      if (interaction.isChatInputCommand()) {
        const modal = new ModalBuilder()
          .setCustomId('sd1:prompt')
          .setTitle('Edit prompt')
          .addComponents(
            new ActionRowBuilder<TextInputBuilder>().addComponents(
              new TextInputBuilder().setCustomId('prompt').setLabel('Prompt').setStyle(TextInputStyle.Paragraph),
            ),
          );
        await interaction.showModal(modal);
      } else if (interaction.isModalSubmit()) {
        await interaction.reply({
          content: `prompt: ${interaction.fields.getTextInputValue('prompt')}`,
          flags: MessageFlags.Ephemeral,
        });
      }
    };
    const shown = emulator.runSlashCommand({ user: DANA, guild: emulator.defaultGuild.id }, 'edit');
    expect((await shown.waitForResponse()).type).toBe(9);
    const submitted = emulator.submitModal(DANA, shown, { prompt: 'a red fox' });
    const reply = await submitted.waitForOriginal();
    expect(reply.data.content).toBe('prompt: a red fox');
    expect(reply.ephemeral).toBe(true);
  });

  it('after a defer, the first follow-up fills the placeholder and keeps it ephemeral', async () => {
    onInteraction = async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      await interaction.followUp({ content: 'filled' });
      await interaction.followUp({ content: 'second' });
    };
    const handle = emulator.runSlashCommand({ user: DANA, guild: emulator.defaultGuild.id }, 'defer-follow');
    const second = await handle.waitForFollowUp((m) => m.data.content === 'second');
    const original = handle.original()!;
    expect(original.data.content).toBe('filled');
    expect(original.ephemeral).toBe(true);
    expect(original.data.edited_timestamp).toBeNull();
    expect(second.ephemeral).toBe(false);
    expect(handle.followUps().map((m) => m.data.content)).toEqual(['second']);
  });

  it('a deferred update (6) lets the bot edit the clicked message through @original', async () => {
    onInteraction = async (interaction) => {
      if (interaction.isChatInputCommand()) {
        await interaction.reply({
          content: 'page 1',
          components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Next', custom_id: 'sd1:next' }] }],
        });
      } else if (interaction.isButton()) {
        await interaction.deferUpdate();
        await interaction.editReply({ content: 'page 2' });
      }
    };
    const handle = emulator.runSlashCommand({ user: DANA, guild: emulator.defaultGuild.id }, 'pages');
    const page = await handle.waitForOriginal();
    const click = emulator.clickButton(DANA, page, 'sd1:next');
    expect((await click.waitForResponse()).type).toBe(6);
    await emulator.waitForMessage((m) => m.id === page.id && m.data.content === 'page 2');
    expect(click.original()?.id).toBe(page.id);
    expect(() => emulator.clickButton(DANA, page, 'sd1:missing')).toThrow(/no button/);
  });

  it('select menus and Components V2 media galleries', async () => {
    const files = await Promise.all([pngImage(40, 30, 4), pngImage(40, 30, 5)]);
    onInteraction = async (interaction) => {
      if (interaction.isChatInputCommand()) {
        await interaction.reply({
          flags: MessageFlags.IsComponentsV2,
          files: [
            { attachment: files[0]!, name: 'a.png' },
            { attachment: files[1]!, name: 'b.png' },
          ],
          components: [
            { type: 12, items: [{ media: { url: 'attachment://a.png' } }, { media: { url: 'attachment://b.png' } }] },
            {
              type: 1,
              components: [
                {
                  type: 3,
                  custom_id: 'sd1:page',
                  options: [
                    { label: 'Page 1', value: '1' },
                    { label: 'Page 2', value: '2' },
                  ],
                },
              ],
            },
          ],
        });
      } else if (interaction.isStringSelectMenu()) {
        await interaction.update({ components: [{ type: 10, content: `page ${interaction.values[0]}` }] });
      }
    };
    const handle = emulator.runSlashCommand({ user: DANA, guild: emulator.defaultGuild.id }, 'browse');
    const original = await handle.waitForOriginal();
    const gallery = original.data.components[0] as unknown as {
      items: Array<{ media: { url: string; width: number } }>;
    };
    expect(gallery.items[0]!.media.url).toBe(original.data.attachments[0]!.url);
    expect(gallery.items[0]!.media.width).toBe(40);

    const pick = emulator.selectMenu(DANA, original, 'sd1:page', ['2']);
    expect((await pick.waitForResponse()).type).toBe(7);
    // Discord numbers components sent without an id.
    expect(emulator.message(original.id)?.data.components).toEqual([{ id: 1, type: 10, content: 'page 2' }]);

    // Components V2 messages cannot carry content.
    const error = await rejectionOf(() =>
      general().send({
        content: 'nope',
        flags: MessageFlags.IsComponentsV2,
        components: [{ type: 10, content: 'x' }],
      } as never),
    );
    expect(error.code).toBe(50035);
  });

  it('forum and media posts carry their first message and files; threads start from messages', async () => {
    const forum = client.channels.cache.get(emulator.channelByName('gallery').data.id) as ForumChannel;
    expect(forum.type).toBe(ChannelType.GuildForum);
    const image = await pngImage(80, 45, 6);
    const post = await forum.threads.create({
      name: 'A lighthouse at dusk',
      appliedTags: [forum.availableTags[0]!.id],
      message: { content: 'by @dana', files: [{ attachment: image, name: 'set.png' }], allowedMentions: { parse: [] } },
    });
    const starter = emulator.message(post.id)!;
    expect(starter.channelId).toBe(post.id);
    expect(starter.data.attachments[0]?.width).toBe(80);
    expect(emulator.channelMessages(post.id)).toHaveLength(1);
    expect(emulator.state.channels.get(post.id)?.data.applied_tags).toEqual([forum.availableTags[0]!.id]);

    const strict = client.channels.cache.get(emulator.channelByName('strict-forum').data.id) as ForumChannel;
    const untagged = await rejectionOf(() => strict.threads.create({ name: 'x', message: { content: 'x' } }));
    expect(untagged.code).toBe(40067);

    const media = client.channels.cache.get(emulator.channelByName('media').data.id) as ForumChannel;
    const withFile = await media.threads.create({
      name: 'set',
      message: { files: [{ attachment: image, name: 'm.png' }] },
    });
    expect(emulator.message(withFile.id)?.data.attachments).toHaveLength(1);
    const noFile = await rejectionOf(() => media.threads.create({ name: 'set', message: { content: 'text only' } }));
    expect(noFile.code).toBe(50035);

    // Posting into a forum directly is not possible.
    const direct = await rejectionOf(() =>
      client.rest.post(`/channels/${forum.id}/messages`, { body: { content: 'x' } }),
    );
    expect(direct.code).toBe(50008);

    const anchor = await general().send('thread here');
    const thread = await anchor.startThread({ name: 'Discussion' });
    expect(thread.id).toBe(anchor.id);
    await thread.send('inside');
    expect(emulator.channelMessages(thread.id).map((m) => m.data.content)).toEqual(['inside']);
  });

  it('DMs: created per user, refused (50007) when the user closed DMs; slash commands from DMs', async () => {
    const user = await client.users.fetch(DANA);
    const dm = await user.send('your set is ready');
    expect(emulator.channelMessages(dm.channelId).map((m) => m.data.content)).toEqual(['your set is ready']);
    const closed = emulator.createUser({ username: 'private', acceptsDirectMessages: false });
    const error = await rejectionOf(async () => (await client.users.fetch(closed.id)).send('hi'));
    expect(error.status).toBe(403);
    expect(error.code).toBe(50007);

    onInteraction = async (interaction) => {
      if (interaction.isChatInputCommand())
        await interaction.reply({ content: `dm from ${interaction.user.username}` });
    };
    const handle = emulator.runSlashCommand({ user: DANA }, 'imagine');
    expect(handle.payload['user']).toMatchObject({ id: DANA });
    expect(handle.payload['member']).toBeUndefined();
    expect((await handle.waitForOriginal()).data.content).toBe('dm from dana');
  });

  it('channel history: pages newest first, edits and deletes with Discord’s ownership rules', async () => {
    const channel = emulator.createChannel(emulator.defaultGuild.id, { name: `history-${Date.now()}` });
    const target = (await client.channels.fetch(channel.data.id)) as TextChannel;
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await target.send(`m${i}`));
    const page = await target.messages.fetch({ limit: 2, before: sent[4]!.id });
    expect([...page.values()].map((m) => m.content)).toEqual(['m3', 'm2']);
    const after = await target.messages.fetch({ limit: 10, after: sent[2]!.id });
    expect([...after.values()].map((m) => m.content)).toEqual(['m4', 'm3']);

    await sent[0]!.edit('edited');
    expect(emulator.message(sent[0]!.id)?.data.edited_timestamp).not.toBeNull();

    const mine = emulator.sendUserMessage(DANA, channel.data.id, 'a member speaks');
    const fromUser = await target.messages.fetch(mine.id);
    const notMine = await rejectionOf(() => fromUser.edit('hijack'));
    expect(notMine.code).toBe(50005);
    const cannotDelete = await rejectionOf(() => fromUser.delete());
    expect(cannotDelete.code).toBe(50013);
    await sent[1]!.delete();
    expect(emulator.channelMessages(channel.data.id).map((m) => m.data.content)).toEqual([
      'edited',
      'm2',
      'm3',
      'm4',
      'a member speaks',
    ]);
  });

  it('waitForMessage sees messages as they arrive, and MESSAGE_CREATE reaches bots with the intent', async () => {
    const created = new Promise<string>((resolve) => {
      client.on('messageCreate', (message) => {
        if (message.content === 'hello bot') resolve(message.author.username);
      });
    });
    const waiting = emulator.waitForMessage((m) => m.data.content === 'pong', { includeExisting: false });
    emulator.sendUserMessage(DANA, emulator.channelByName('general').data.id, 'hello bot');
    expect(await created).toBe('dana');
    await general().send('pong');
    expect((await waiting).data.author.id).toBe(emulator.botUser.id);
  });
});
