/** What the emulator terminal prints of the bot's messages: what members see, not "1 embed(s)". */
import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  type Client,
  ContainerBuilder,
  EmbedBuilder,
  MessageFlags,
  ModalBuilder,
  StringSelectMenuBuilder,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createManualClock,
  type DiscordEmulator,
  type ManualClock,
  startDiscordEmulator,
} from '../../../src/emulators/discord/index.js';
import {
  renderInline,
  renderInteractionResponse,
  renderMessage,
  stateNames,
  viewOf,
} from '../../../src/emulators/discord/render-text.js';
import { loginClient, pngImage } from './helpers.js';

describe('render-text', () => {
  let emulator: DiscordEmulator;
  let client: Client<true>;
  let clock: ManualClock;
  let general: string;

  beforeAll(async () => {
    clock = createManualClock(Date.UTC(2026, 11, 6, 4, 0));
    emulator = await startDiscordEmulator({
      clock,
      users: [{ username: 'alice' }, { username: 'bob' }],
      guilds: [
        {
          name: 'Sandbox',
          roles: [{ name: 'Moderators' }],
          channels: [{ name: 'general' }, { name: 'gallery' }],
          members: [{ user: 'alice' }, { user: 'bob' }],
        },
      ],
    });
    general = emulator.channelByName('general').data.id;
    client = await loginClient(emulator);
  });

  afterAll(async () => {
    await client?.destroy();
    await emulator?.close();
  });

  const text = (id: string, event: 'posted' | 'edited' = 'posted') =>
    renderMessage(viewOf(emulator.state, emulator.message(id)!, event), stateNames(emulator.state));

  it('prints content, every embed part, buttons, selects and files with their CDN URLs', async () => {
    const alice = emulator.state.ensureUser('alice').user.id;
    const gallery = emulator.channelByName('gallery').data.id;
    const moderators = [...emulator.defaultGuild.roles.values()].find((r) => r.name === 'Moderators')!.id;
    const channel = client.channels.cache.get(general);
    if (!channel?.isSendable()) throw new Error('no #general');
    const unix = Math.floor(clock.now() / 1000) + 300;
    const sent = await channel.send({
      content: `Hi <@${alice}>, see <#${gallery}> and <@&${moderators}>, ready <t:${unix}:R>`,
      embeds: [
        new EmbedBuilder()
          .setTitle('Done')
          .setDescription('>>> a lighthouse\nat dusk')
          .addFields({ name: 'Images', value: '4' }, { name: 'Requested by', value: `<@${alice}>` })
          .setImage('attachment://set-1.png')
          .setThumbnail('https://example.com/t.png')
          .setFooter({ text: 'Job 42' }),
        new EmbedBuilder().setImage('attachment://set-2.png'),
      ],
      files: [
        new AttachmentBuilder(await pngImage(64, 48, 1), { name: 'set-1.png' }),
        new AttachmentBuilder(await pngImage(64, 48, 2), { name: 'set-2.png' }),
        new AttachmentBuilder(Buffer.from('hello'), { name: 'notes.txt' }),
      ],
      components: [
        new ActionRowBuilder<ButtonBuilder>().addComponents(
          new ButtonBuilder().setCustomId('sd1:reroll:42').setLabel('Reroll').setStyle(ButtonStyle.Primary),
          new ButtonBuilder()
            .setCustomId('sd1:delete:42')
            .setLabel('Delete')
            .setStyle(ButtonStyle.Danger)
            .setDisabled(true),
          new ButtonBuilder().setURL('https://example.com/set').setLabel('Open').setStyle(ButtonStyle.Link),
        ),
        new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(
          new StringSelectMenuBuilder()
            .setCustomId('pick')
            .setPlaceholder('Pick one')
            .addOptions({ label: 'First', value: '1' }, { label: 'Second', value: '2', default: true }),
        ),
      ],
    });
    const stored = emulator.message(sent.id)!;
    const [one, two, notes] = stored.data.attachments;
    const printed = text(sent.id);
    expect(printed.split('\n')).toEqual([
      `+ posted in #general · message ${sent.id} · everyone in #general`,
      '    Hi @alice, see #gallery and @Moderators, ready in 5 min (2026-12-06 04:05 UTC)',
      '    ┌ Done',
      '    │ >>> a lighthouse',
      '    │ at dusk',
      '    │ Images: 4',
      '    │ Requested by: @alice',
      `    │ image: set-1.png (${one!.size} B) → ${one!.url}`,
      '    │ thumbnail: https://example.com/t.png',
      '    │ footer: Job 42',
      '    └',
      '    ┌ (embed 2 of 2)',
      `    │ image: set-2.png (${two!.size} B) → ${two!.url}`,
      '    └',
      '    buttons: [Reroll] (sd1:reroll:42)  [Delete] (sd1:delete:42) disabled  [Open] → https://example.com/set',
      '    select (pick) "Pick one": First (1) | *Second (2)',
      `    file: notes.txt (5 B) → ${notes!.url}`,
    ]);
    expect(one!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/cdn\/attachments\//);
  });

  it('marks an ephemeral answer as seen only by the member, names the command, and shows "thinking…" before it', async () => {
    const answered = new Promise<void>((resolve) => {
      client.once('interactionCreate', async (interaction) => {
        if (!interaction.isChatInputCommand()) return;
        await interaction.deferReply({ flags: MessageFlags.Ephemeral });
        placeholder = text((await interaction.fetchReply()).id);
        await interaction.editReply({ content: 'You have **2** images left today.' });
        resolve();
      });
    });
    let placeholder = '';
    const handle = emulator.runSlashCommand({ user: 'bob', channel: general }, 'usage');
    await answered;
    const id = handle.record.originalMessageId!;
    expect(placeholder.split('\n')).toEqual([
      `+ posted in #general · message ${id} · answers bob's /usage · only bob sees this`,
      '    emulator-bot is thinking…',
    ]);
    expect(text(id, 'edited').split('\n')).toEqual([
      `~ edited in #general · message ${id} · answers bob's /usage · only bob sees this`,
      '    You have **2** images left today.',
    ]);
  });

  it('prints Components V2 text and media, and a form a member is shown', async () => {
    const channel = client.channels.cache.get(general);
    if (!channel?.isSendable()) throw new Error('no #general');
    const sent = await channel.send({
      flags: MessageFlags.IsComponentsV2,
      files: [new AttachmentBuilder(await pngImage(32, 32), { name: 'sheet.png' })],
      components: [
        new ContainerBuilder()
          .addTextDisplayComponents((t) => t.setContent('## Overview\n4 images'))
          .addMediaGalleryComponents((g) => g.addItems((i) => i.setURL('attachment://sheet.png'))),
      ],
    });
    const sheet = emulator.message(sent.id)!.data.attachments[0]!;
    expect(text(sent.id).split('\n').slice(1)).toEqual([
      '    ┌ container',
      '    │ ## Overview',
      '    │ 4 images',
      '    │ gallery of 1 image:',
      `    │   1. sheet.png (${sheet.size} B) → ${sheet.url}`,
      '    └',
    ]);

    client.once('interactionCreate', async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.showModal(
        new ModalBuilder()
          .setCustomId('edit-prompt')
          .setTitle('Edit the prompt')
          .addComponents(
            new ActionRowBuilder<TextInputBuilder>().addComponents(
              new TextInputBuilder().setCustomId('prompt').setLabel('Prompt').setStyle(TextInputStyle.Paragraph),
            ),
          ),
      );
    });
    const handle = emulator.runSlashCommand({ user: 'alice', channel: general }, 'edit');
    await handle.waitForResponse();
    expect(renderInteractionResponse(handle.record, stateNames(emulator.state))?.split('\n')).toEqual([
      '? alice sees a form: Edit the prompt (edit-prompt)',
      '    Prompt [prompt] paragraph required',
      '    (fill it in: submit <field>:<value> …)',
    ]);
  });

  it('shows ids it cannot name as ids, and past times as "ago"', () => {
    const names = { user: () => undefined, channel: () => undefined, role: () => undefined, now: () => 10_000_000 };
    expect(renderInline('<@1> <#2> <@&3> <t:0:R> <t:0:f>', names)).toBe(
      '@1 #2 @3 3 h ago (1970-01-01 00:00 UTC) 1970-01-01 00:00 UTC',
    );
  });
});
