/**
 * /gallery setup channel:<text, forum or media> · /gallery off · /gallery browse [user] [search]
 * Setup and off need Manage Server (checked here, so browse stays open to every member);
 * setup checks the bot's permissions in the channel at once and names whatever is missing.
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  type ChatInputCommandInteraction,
  MessageFlags,
} from 'discord.js';
import { isServerManager } from '../src/discord/access.js';
import { named, type SlashCommand } from '../src/discord/command.js';
import type { BotContext } from '../src/discord/context.js';
import { DISCORD_ERRORS, discordErrorCode } from '../src/discord/discord-api.js';
import { checkGalleryChannel, type PermissionName, permissionList } from '../src/discord/gallery/permissions.js';
import { NO_MENTIONS } from '../src/discord/text.js';
import { guildScope } from '../src/guilds/gallery-index.js';
import type { GalleryKind } from '../src/guilds/gallery-settings.js';
import { resolveLocale, t } from '../src/i18n/index.js';

const MAX_SEARCH_LENGTH = 200;

export const gallery: SlashCommand = {
  definition: {
    type: ApplicationCommandType.ChatInput,
    ...named('gallery.command'),
    dm_permission: false,
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        ...named('gallery.setup'),
        options: [
          {
            type: ApplicationCommandOptionType.Channel,
            ...named('gallery.setup.options.channel'),
            required: true,
            channel_types: [
              ChannelType.GuildText,
              ChannelType.GuildAnnouncement,
              ChannelType.GuildForum,
              ChannelType.GuildMedia,
            ],
          },
        ],
      },
      { type: ApplicationCommandOptionType.Subcommand, ...named('gallery.off') },
      {
        type: ApplicationCommandOptionType.Subcommand,
        ...named('gallery.browse'),
        options: [
          { type: ApplicationCommandOptionType.User, ...named('gallery.browse.options.user') },
          {
            type: ApplicationCommandOptionType.String,
            ...named('gallery.browse.options.search'),
            max_length: MAX_SEARCH_LENGTH,
          },
        ],
      },
    ],
  },

  async execute(interaction, context) {
    const locale = resolveLocale(interaction.locale, interaction.guildLocale);
    if (!interaction.inGuild()) {
      await interaction.reply({ content: t(locale, 'gallery.replies.guild_only'), flags: MessageFlags.Ephemeral });
      return;
    }
    const sub = interaction.options.getSubcommand(true);
    if (sub === 'browse') {
      const user = interaction.options.getUser('user');
      const search = interaction.options.getString('search')?.trim();
      await context.gallery.browser.open(interaction, context, {
        scope: guildScope(interaction.guildId),
        kind: 'guild',
        filter: { ...(user ? { userId: user.id } : {}), ...(search ? { search } : {}) },
      });
      return;
    }
    if (!isServerManager(interaction)) {
      await interaction.reply({
        content: t(locale, 'gallery.replies.need_manage_server'),
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    if (sub === 'setup') await setup(interaction, context, locale);
    else await turnOff(interaction, context, locale);
  },
};

async function setup(interaction: ChatInputCommandInteraction<'cached' | 'raw'>, context: BotContext, locale: string) {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const channelId = interaction.options.getChannel('channel', true).id;
  const channel = `<#${channelId}>`;
  let kind: GalleryKind | undefined;
  let missing: PermissionName[];
  try {
    const check = await checkGalleryChannel(context.api, channelId);
    kind = check.kind;
    missing = check.missing;
  } catch (error) {
    // Without View Channel the bot cannot even read the channel to check the rest.
    if (discordErrorCode(error) !== DISCORD_ERRORS.missingAccess) throw error;
    missing = ['ViewChannel'];
    kind = 'text';
  }
  if (!kind) {
    await interaction.editReply({ content: t(locale, 'gallery.replies.wrong_type', { channel }) });
    return;
  }
  if (missing.length > 0) {
    await interaction.editReply({
      content: t(locale, 'gallery.replies.missing', { channel, permissions: permissionList(locale, missing) }),
      allowedMentions: NO_MENTIONS,
    });
    return;
  }
  const galleryKind = kind;
  // A new setting: any failure episode of the old one ends here, so a later failure is news again.
  await context.settings.update(interaction.guildId, (current) => ({
    ...current,
    gallery: { channelId, kind: galleryKind, locale, setBy: interaction.user.id, setAt: context.clock() },
  }));
  context.log.info({ guildId: interaction.guildId, channelId, kind }, 'gallery set up');
  await interaction.editReply({
    content: t(locale, `gallery.replies.ready_${galleryKind}`, { channel }),
    allowedMentions: NO_MENTIONS,
  });
}

async function turnOff(
  interaction: ChatInputCommandInteraction<'cached' | 'raw'>,
  context: BotContext,
  locale: string,
) {
  let previous: string | undefined;
  await context.settings.update(interaction.guildId, (current) => {
    previous = current.gallery?.channelId;
    if (!current.gallery) return current;
    const { gallery: _off, ...rest } = current;
    return rest;
  });
  await interaction.reply({
    content: previous
      ? t(locale, 'gallery.replies.off', { channel: `<#${previous}>` })
      : t(locale, 'gallery.replies.already_off'),
    flags: MessageFlags.Ephemeral,
    allowedMentions: NO_MENTIONS,
  });
}
