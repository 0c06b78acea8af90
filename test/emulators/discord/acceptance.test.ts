/**
 * The acceptance flow, all through the real discord.js client: a slash command arrives,
 * the bot defers, edits the original with two files, two embeds and a button, follows up with a
 * file, and receives the button click.
 */
import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  type Client,
  EmbedBuilder,
  type Interaction,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
} from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordEmulator, startDiscordEmulator } from '../../../src/emulators/discord/index.js';
import { loginClient, pngImage } from './helpers.js';

describe('acceptance: slash command → defer → files, embeds, button → follow-up → click', () => {
  let emulator: DiscordEmulator;
  let client: Client<true>;
  const seen: Interaction[] = [];

  beforeAll(async () => {
    emulator = await startDiscordEmulator({
      guilds: [
        {
          name: 'Art Club',
          preferredLocale: 'zh-TW',
          roles: [{ name: 'Moderators', permissions: ['ManageMessages'] }],
          channels: [{ name: 'art' }],
          members: [
            { user: { id: '100000000000000001', username: 'alice', locale: 'zh-TW' } },
            { user: { id: '100000000000000002', username: 'mod' }, roles: ['Moderators'] },
          ],
        },
      ],
    });
    client = await loginClient(emulator);
  });

  afterAll(async () => {
    await client?.destroy();
    await emulator?.close();
  });

  it('runs the whole flow through the real client code', async () => {
    const guild = emulator.defaultGuild;
    const channel = emulator.channelByName('art');
    const [imageA, imageB, imageC] = await Promise.all([pngImage(64, 36, 1), pngImage(64, 36, 2), pngImage(32, 32, 3)]);

    // Register the command the way a deploy script would (bulk PUT to the guild).
    const definition = new SlashCommandBuilder()
      .setName('imagine')
      .setDescription('Generate a set of images')
      .setNameLocalizations({ 'zh-TW': '生成' })
      .addStringOption((o) => o.setName('prompt').setDescription('What to draw').setRequired(true).setMaxLength(2000))
      .addIntegerOption((o) => o.setName('count').setDescription('How many').setMinValue(1).setMaxValue(15));
    await client.application.commands.set([definition.toJSON()], guild.id);
    expect(emulator.commands(guild.id).map((c) => c.name)).toEqual(['imagine']);

    client.on('interactionCreate', async (interaction) => {
      seen.push(interaction);
      if (interaction.isChatInputCommand() && interaction.commandName === 'imagine') {
        await interaction.deferReply();
        const files = [
          new AttachmentBuilder(imageA, { name: 'set-1.png' }),
          new AttachmentBuilder(imageB, { name: 'set-2.png', description: 'second image' }),
        ];
        const embeds = [
          new EmbedBuilder()
            .setTitle(interaction.options.getString('prompt', true))
            .setURL('https://example.com/set')
            .setImage('attachment://set-1.png'),
          new EmbedBuilder().setURL('https://example.com/set').setImage('attachment://set-2.png'),
        ];
        const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
          new ButtonBuilder().setCustomId('sd1:cancel:job-1').setLabel('Cancel').setStyle(ButtonStyle.Danger),
        );
        await interaction.editReply({
          content: 'Your set',
          files,
          embeds,
          components: [row],
          allowedMentions: { parse: [] },
        });
        await interaction.followUp({
          files: [new AttachmentBuilder(imageC, { name: 'extra.png' })],
          allowedMentions: { parse: [] },
        });
      } else if (interaction.isButton()) {
        const allowed = interaction.memberPermissions?.has(PermissionFlagsBits.ManageMessages) ?? false;
        if (!allowed) {
          await interaction.reply({ content: 'Only moderators can cancel', flags: MessageFlags.Ephemeral });
          return;
        }
        await interaction.update({ content: 'Cancelled', components: [] });
      }
    });

    const handle = emulator.runSlashCommand(
      { user: '100000000000000001', channel: channel.data.id, locale: 'zh-TW' },
      'imagine',
      { prompt: 'a lighthouse at dusk', count: 2 },
    );

    const first = await handle.waitForResponse();
    expect(first.type).toBe(5);
    expect(first.afterMs).toBeLessThanOrEqual(3000);

    const original = await handle.waitForOriginal();
    expect(original.data.content).toBe('Your set');
    expect(original.loading).toBe(false);
    expect(original.data.attachments.map((a) => [a.filename, a.width, a.height, a.content_type])).toEqual([
      ['set-1.png', 64, 36, 'image/png'],
      ['set-2.png', 64, 36, 'image/png'],
    ]);
    expect(original.data.attachments[1]!.description).toBe('second image');
    expect(original.data.embeds).toHaveLength(2);
    // attachment:// references resolve to the emulator's CDN, like Discord's own CDN URLs.
    expect(original.data.embeds[0]!.image?.url).toBe(original.data.attachments[0]!.url);
    expect(original.data.embeds[1]!.image?.url).toBe(original.data.attachments[1]!.url);
    expect(original.data.embeds[0]!.image?.url.startsWith(emulator.cdnUrl)).toBe(true);
    expect(original.data.components).toHaveLength(1);
    expect(original.allowedMentions).toEqual({ parse: [] });
    expect(original.data.interaction_metadata?.id).toBe(handle.id);
    expect(original.data.webhook_id).toBe(emulator.applicationId);

    // The CDN serves the real bytes.
    const served = await fetch(original.data.attachments[0]!.url);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer()).equals(imageA)).toBe(true);

    const followUp = await handle.waitForFollowUp();
    expect(followUp.data.attachments.map((a) => a.filename)).toEqual(['extra.png']);
    expect(emulator.attachmentBytes(followUp.data.attachments[0]!)?.equals(imageC)).toBe(true);
    expect(emulator.channelMessages(channel.data.id).map((m) => m.id)).toEqual([original.id, followUp.id]);

    // The interaction discord.js built saw the locale, guild locale and the member's permissions.
    const command = seen.find((i) => i.isChatInputCommand());
    expect(command?.locale).toBe('zh-TW');
    expect(command?.guildLocale).toBe('zh-TW');
    expect(command?.isChatInputCommand() && command.options.getInteger('count')).toBe(2);

    // A member without Manage Messages gets an ephemeral refusal; a moderator's click updates the message.
    const refused = emulator.clickButton('100000000000000001', original, 'sd1:cancel:job-1');
    const refusal = await refused.waitForOriginal();
    expect(refusal.ephemeral).toBe(true);
    expect(refusal.data.flags & 64).toBe(64);
    expect(emulator.channelMessages(channel.data.id)).toHaveLength(2);

    const click = emulator.clickButton('100000000000000002', original, 'sd1:cancel:job-1');
    expect((await click.waitForResponse()).type).toBe(7);
    const updated = emulator.message(original.id)!;
    expect(updated.data.content).toBe('Cancelled');
    expect(updated.data.components).toEqual([]);
    expect(updated.data.edited_timestamp).not.toBeNull();
    expect(seen.filter((i) => i.isButton())).toHaveLength(2);

    // Nobody was pinged by anything the bot posted.
    expect(emulator.state.pingLog).toEqual([]);
    expect(emulator.state.internalErrors).toEqual([]);
  });
});
