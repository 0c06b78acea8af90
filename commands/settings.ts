/**
 * /settings show · defaults · limits · roles · channels · dms — a server's own choices
 * (Manage Server; Discord hides the command from others and the handler checks again).
 * Everything is read from the store at each request, so a change applies to the next one.
 */
import {
  type APIApplicationCommandBasicOption,
  type APIEmbed,
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  type ChatInputCommandInteraction,
  MessageFlags,
  PermissionFlagsBits,
} from 'discord.js';
import type { QuotaLimits } from '../src/accounting/quota.js';
import { isServerManager, limitsOf, SettingsForbiddenError, SettingsGuildOnlyError } from '../src/discord/access.js';
import { named, type SlashCommand } from '../src/discord/command.js';
import type { BotContext } from '../src/discord/context.js';
import { formatUsd, NO_MENTIONS } from '../src/discord/text.js';
import { InputError } from '../src/errors.js';
import type { GuildSettings } from '../src/guilds/guild-settings.js';
import { resolveLocale, t } from '../src/i18n/index.js';
import {
  ASPECT_RATIO_KEYS,
  ASPECT_RATIOS,
  aspectRatioLabel,
  getAspectRatio,
  parseAspectRatio,
} from '../src/models/seedream-sequential/aspect-ratios.js';
import {
  MAX_IMAGES,
  MIN_IMAGES,
  QUALITY_OPTIONS,
  type Quality,
  SEEDREAM_DEFAULTS,
} from '../src/models/seedream-sequential/input.js';

/** The limits' option names (catalogue keys under settings.limits.options) and record fields. */
const LIMIT_OPTIONS: ReadonlyArray<{ key: LimitKey; field: keyof QuotaLimits; money?: true }> = [
  { key: 'user_daily_images', field: 'userDailyImages' },
  { key: 'server_daily_images', field: 'guildDailyImages' },
  { key: 'server_monthly_usd', field: 'guildMonthlyUsd', money: true },
  { key: 'user_active', field: 'activePerUser' },
  { key: 'server_active', field: 'activePerGuild' },
];
type LimitKey = 'user_daily_images' | 'server_daily_images' | 'server_monthly_usd' | 'user_active' | 'server_active';
const MAX_USD = 1_000_000;
const MAX_COUNT = 100_000;

/** The option's name as Discord sends it (the en-US one). */
const optionName = (key: LimitKey) => t('en-US', `settings.limits.options.${key}.name`);

const TEXT_CHANNELS = [
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
  ChannelType.GuildForum,
  ChannelType.GuildMedia,
  ChannelType.GuildVoice,
] as const;

export const settings: SlashCommand = {
  definition: {
    type: ApplicationCommandType.ChatInput,
    ...named('settings.command'),
    dm_permission: false,
    default_member_permissions: String(PermissionFlagsBits.ManageGuild),
    options: [
      { type: ApplicationCommandOptionType.Subcommand, ...named('settings.show') },
      {
        type: ApplicationCommandOptionType.Subcommand,
        ...named('settings.defaults'),
        options: [
          {
            type: ApplicationCommandOptionType.Integer,
            ...named('settings.defaults.options.count'),
            min_value: MIN_IMAGES,
            max_value: MAX_IMAGES,
          },
          {
            type: ApplicationCommandOptionType.String,
            ...named('settings.defaults.options.aspect'),
            choices: ASPECT_RATIOS.map((aspect) => ({
              name: aspect.labels['en-US'],
              name_localizations: { 'zh-TW': aspect.labels['zh-TW'], 'zh-CN': aspect.labels['zh-CN'] },
              value: aspect.key,
            })),
          },
          {
            type: ApplicationCommandOptionType.String,
            ...named('settings.defaults.options.quality'),
            choices: QUALITY_OPTIONS.map((quality) => ({
              name: t('en-US', `card.quality.${quality}`),
              name_localizations: {
                'zh-TW': t('zh-TW', `card.quality.${quality}`),
                'zh-CN': t('zh-CN', `card.quality.${quality}`),
              },
              value: quality,
            })),
          },
          { type: ApplicationCommandOptionType.Boolean, ...named('settings.defaults.options.reset') },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        ...named('settings.limits'),
        options: [
          ...LIMIT_OPTIONS.map(
            ({ key, money }): APIApplicationCommandBasicOption =>
              money
                ? {
                    type: ApplicationCommandOptionType.Number,
                    ...named(`settings.limits.options.${key}`),
                    min_value: 0,
                    max_value: MAX_USD,
                  }
                : {
                    type: ApplicationCommandOptionType.Integer,
                    ...named(`settings.limits.options.${key}`),
                    min_value: 0,
                    max_value: MAX_COUNT,
                  },
          ),
          { type: ApplicationCommandOptionType.Boolean, ...named('settings.limits.options.reset') },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        ...named('settings.roles'),
        options: [
          { type: ApplicationCommandOptionType.Role, ...named('settings.roles.options.add') },
          { type: ApplicationCommandOptionType.Role, ...named('settings.roles.options.remove') },
          { type: ApplicationCommandOptionType.Boolean, ...named('settings.roles.options.reset') },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        ...named('settings.channels'),
        options: [
          {
            type: ApplicationCommandOptionType.Channel,
            ...named('settings.channels.options.add'),
            channel_types: [...TEXT_CHANNELS],
          },
          {
            type: ApplicationCommandOptionType.Channel,
            ...named('settings.channels.options.remove'),
            channel_types: [...TEXT_CHANNELS],
          },
          { type: ApplicationCommandOptionType.Boolean, ...named('settings.channels.options.reset') },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        ...named('settings.dms'),
        options: [
          { type: ApplicationCommandOptionType.Boolean, ...named('settings.dms.options.allowed'), required: true },
        ],
      },
    ],
  },

  async execute(interaction, context) {
    const locale = resolveLocale(interaction.locale, interaction.guildLocale);
    if (!interaction.inGuild()) throw new SettingsGuildOnlyError();
    // Discord hides the command from members without Manage Server; a stale client may not.
    if (!isServerManager(interaction)) {
      throw new SettingsForbiddenError();
    }
    const guildId = interaction.guildId;
    const sub = interaction.options.getSubcommand(true);
    if (sub === 'show') {
      const current = await context.settings.get(guildId);
      await reply(interaction, undefined, renderSettings(current, context, guildId, locale));
      return;
    }
    const change = readChange(interaction, sub);
    if (!change) {
      await interaction.reply({ content: t(locale, 'settings.nothing'), flags: MessageFlags.Ephemeral });
      return;
    }
    const updated = await context.settings.update(guildId, change);
    context.log.info({ guildId, sub, by: interaction.user.id }, 'server settings changed');
    await reply(interaction, t(locale, 'settings.saved'), renderSettings(updated, context, guildId, locale));
  },
};

/** The change a sub-command asks for, or undefined when it names nothing to change. */
function readChange(
  interaction: ChatInputCommandInteraction,
  sub: string,
): ((current: GuildSettings) => GuildSettings) | undefined {
  const options = interaction.options;
  switch (sub) {
    case 'defaults': {
      const reset = options.getBoolean('reset') === true;
      const count = options.getInteger('count');
      const aspectRaw = options.getString('aspect');
      const qualityRaw = options.getString('quality');
      if (!reset && count === null && aspectRaw === null && qualityRaw === null) return undefined;
      const aspect = aspectRaw === null ? undefined : parseAspectRatio(aspectRaw);
      if (aspectRaw !== null && !aspect) {
        throw new InputError('aspect_unknown', `Unknown aspect ratio ${JSON.stringify(aspectRaw)}`, {
          params: { aspect: aspectRaw.slice(0, 100), allowed: ASPECT_RATIO_KEYS.join(', ') },
        });
      }
      const quality = qualityRaw === null ? undefined : QUALITY_OPTIONS.find((q) => q === qualityRaw);
      if (qualityRaw !== null && !quality) {
        throw new InputError('quality_unknown', `Unknown quality ${JSON.stringify(qualityRaw)}`, {
          params: { quality: qualityRaw.slice(0, 100), allowed: QUALITY_OPTIONS.join(', ') },
        });
      }
      if (count !== null && (count < MIN_IMAGES || count > MAX_IMAGES)) {
        throw new InputError('count_out_of_range', `Default count ${count} out of range`, {
          params: { requested: count, min: MIN_IMAGES, max: MAX_IMAGES },
        });
      }
      return (current) => {
        const base = reset ? {} : current.defaults;
        return {
          ...current,
          defaults: {
            ...base,
            ...(count === null ? {} : { count }),
            ...(aspect ? { aspect: aspect.key } : {}),
            ...(quality ? { quality } : {}),
          },
        };
      };
    }
    case 'limits': {
      const reset = options.getBoolean('reset') === true;
      const values: Partial<Record<keyof QuotaLimits, number>> = {};
      for (const { key, field, money } of LIMIT_OPTIONS) {
        const value = money ? options.getNumber(optionName(key)) : options.getInteger(optionName(key));
        if (value === null) continue;
        const max = money ? MAX_USD : MAX_COUNT;
        if (!Number.isFinite(value) || value < 0 || value > max) {
          throw new InputError('settings_value_invalid', `Limit ${key} out of range: ${value}`, {
            params: { value, min: 0, max },
          });
        }
        values[field] = money ? Math.round(value * 100) / 100 : Math.floor(value);
      }
      if (!reset && Object.keys(values).length === 0) return undefined;
      return (current) => {
        const limits = { ...(reset ? {} : current.limits), ...values };
        const { limits: _old, ...rest } = current;
        return Object.keys(limits).length === 0 ? rest : { ...rest, limits };
      };
    }
    case 'roles':
    case 'channels': {
      const reset = options.getBoolean('reset') === true;
      const add = sub === 'roles' ? options.getRole('add')?.id : options.getChannel('add')?.id;
      const remove = sub === 'roles' ? options.getRole('remove')?.id : options.getChannel('remove')?.id;
      if (!reset && add === undefined && remove === undefined) return undefined;
      const field = sub === 'roles' ? 'allowedRoles' : 'allowedChannels';
      return (current) => {
        let ids = reset ? [] : [...(current[field] ?? [])];
        if (remove !== undefined) ids = ids.filter((id) => id !== remove);
        if (add !== undefined && !ids.includes(add)) ids.push(add);
        const { [field]: _old, ...rest } = current;
        return ids.length === 0 ? rest : { ...rest, [field]: ids };
      };
    }
    case 'dms': {
      const allowed = options.getBoolean('allowed', true);
      return (current) => ({ ...current, dmAllowed: allowed });
    }
    default:
      return undefined;
  }
}

async function reply(
  interaction: ChatInputCommandInteraction,
  content: string | undefined,
  embed: APIEmbed,
): Promise<void> {
  await interaction.reply({
    ...(content ? { content } : {}),
    embeds: [embed],
    flags: MessageFlags.Ephemeral,
    allowedMentions: NO_MENTIONS,
  });
}

/** The server's settings as an embed: its own choices, and the bot's defaults where it made none. */
export function renderSettings(current: GuildSettings, context: BotContext, guildId: string, locale: string): APIEmbed {
  const ownOr = <T>(own: T | undefined, fallback: T, show: (value: T) => string) =>
    own === undefined ? t(locale, 'settings.model_default', { value: show(fallback) }) : show(own);
  const aspectText = (key: string) => {
    const aspect = getAspectRatio(key);
    return aspect ? aspectRatioLabel(aspect, locale) : key;
  };
  const defaults = t(locale, 'settings.defaults_line', {
    count: ownOr(current.defaults.count, SEEDREAM_DEFAULTS.count, String),
    aspect: ownOr(current.defaults.aspect, SEEDREAM_DEFAULTS.aspect, aspectText),
    quality: ownOr<Quality>(current.defaults.quality, SEEDREAM_DEFAULTS.quality, (q) => t(locale, `card.quality.${q}`)),
  });
  const effective = limitsOf(context, current);
  const limitLines = LIMIT_OPTIONS.map(({ key, field, money }) => {
    const value = effective[field];
    const shown =
      value === null
        ? t(locale, 'settings.no_limit')
        : money
          ? t(locale, 'settings.usd', { amount: formatUsd(value) })
          : String(value);
    const own = current.limits?.[field] !== undefined;
    return t(locale, `settings.limit.${key}`, {
      value: own ? shown : t(locale, 'settings.bot_default', { value: shown }),
    });
  });
  const roles = current.allowedRoles ?? [];
  const channels = current.allowedChannels ?? [];
  const dms = current.dmAllowed ?? context.quota.dmAllowed;
  const dmsText = t(locale, dms ? 'settings.dms_on' : 'settings.dms_off');
  return {
    title: t(locale, 'settings.title'),
    color: 0x5865f2,
    fields: [
      { name: t(locale, 'settings.field.defaults'), value: defaults },
      { name: t(locale, 'settings.field.limits'), value: limitLines.join('\n') },
      {
        name: t(locale, 'settings.field.roles'),
        value: `${
          roles.length === 0
            ? t(locale, 'settings.everyone')
            : roles.map((id) => (id === guildId ? '@everyone' : `<@&${id}>`)).join(', ')
        }\n${t(locale, 'settings.managers_note')}`,
      },
      {
        name: t(locale, 'settings.field.channels'),
        value: channels.length === 0 ? t(locale, 'settings.everywhere') : channels.map((id) => `<#${id}>`).join(', '),
      },
      {
        name: t(locale, 'settings.field.dms'),
        value: current.dmAllowed === undefined ? t(locale, 'settings.bot_default', { value: dmsText }) : dmsText,
      },
    ],
    footer: { text: t(locale, 'settings.footer') },
  };
}
