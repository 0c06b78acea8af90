/**
 * Who may generate where, per server (/settings): the roles allowed (none chosen: everyone;
 * members with Manage Server always may), the channels where /imagine may be used (none
 * chosen: all), and whether members may generate in DMs, which are then charged to the first
 * server (by id) they share with the bot that allows it. Also resolves the limits that apply:
 * the bot's defaults with the server's own choices on top.
 */
import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type GuildMemberRoleManager,
  type ModalSubmitInteraction,
  PermissionFlagsBits,
  type PermissionsBitField,
  type StringSelectMenuInteraction,
} from 'discord.js';
import { effectiveLimits, type QuotaLimits } from '../accounting/quota.js';
import { AppError } from '../errors.js';
import type { GuildSettings } from '../guilds/guild-settings.js';
import type { BotContext } from './context.js';

export class ChannelNotAllowedError extends AppError {
  constructor(channelIds: string[]) {
    super('channel_not_allowed', 'This channel is not one where /imagine may be used', {
      params: { channels: channelIds.map((id) => `<#${id}>`).join(', ') },
    });
  }
}

export class RoleNotAllowedError extends AppError {
  constructor(roleIds: string[]) {
    super('role_not_allowed', 'The member has none of the roles allowed to generate', {
      params: { roles: roleIds.map((id) => `<@&${id}>`).join(', ') },
    });
  }
}

export class DmNotAllowedError extends AppError {
  constructor() {
    super('dm_not_allowed', 'No server shared with the bot allows generating in DMs');
  }
}

export class SettingsForbiddenError extends AppError {
  constructor() {
    super('settings_forbidden', 'Changing settings needs Manage Server');
  }
}

export class SettingsGuildOnlyError extends AppError {
  constructor() {
    super('settings_guild_only', '/settings was used outside a server');
  }
}

export interface Access {
  /** The server the request is charged to: the one it was made in, or the DM's server. */
  billingGuildId: string | null;
  settings: GuildSettings;
  limits: QuotaLimits;
}

type Requester = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction | StringSelectMenuInteraction;

/** Throws a typed, localised refusal when the member may not generate here. */
export async function resolveAccess(interaction: Requester, context: BotContext): Promise<Access> {
  const guildId = interaction.guildId;
  if (guildId) {
    const settings = await context.settings.get(guildId);
    const channels = settings.allowedChannels ?? [];
    if (channels.length > 0) {
      const channel = interaction.channel;
      const parentId = channel?.isThread() ? channel.parentId : null;
      const here = [interaction.channelId, parentId].filter((id): id is string => typeof id === 'string');
      if (!here.some((id) => channels.includes(id))) throw new ChannelNotAllowedError(channels);
    }
    if (!isServerManager(interaction) && !rolesAllow(settings, memberRoleIds(interaction.member), guildId)) {
      throw new RoleNotAllowedError(settings.allowedRoles ?? []);
    }
    return { billingGuildId: guildId, settings, limits: limitsOf(context, settings) };
  }
  const home = await dmHome(interaction.user.id, context);
  if (!home) throw new DmNotAllowedError();
  return { billingGuildId: home.guildId, settings: home.settings, limits: limitsOf(context, home.settings) };
}

/** The server a member's DMs are charged to: the first (by id) they share with the bot that allows DMs. */
export async function dmHome(
  userId: string,
  context: BotContext,
): Promise<{ guildId: string; settings: GuildSettings } | undefined> {
  for (const guildId of context.members.guildIds().slice(0, 100)) {
    const settings = await context.settings.get(guildId);
    if (!(settings.dmAllowed ?? context.quota.dmAllowed)) continue;
    const roles = await context.members.memberRoles(guildId, userId);
    if (roles === undefined) continue;
    if (rolesAllow(settings, roles, guildId)) return { guildId, settings };
  }
  return undefined;
}

/** Whether the member has Manage Server here: they may always generate, and change settings and the gallery. */
export function isServerManager(interaction: { memberPermissions: Readonly<PermissionsBitField> | null }): boolean {
  return interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) === true;
}

/** The limits that apply in a server: the bot's defaults with the server's choices on top. */
export function limitsOf(context: BotContext, settings: GuildSettings): QuotaLimits {
  return effectiveLimits(context.quota.defaults, settings.limits);
}

function rolesAllow(settings: GuildSettings, roles: string[], guildId: string): boolean {
  const allowed = settings.allowedRoles ?? [];
  // @everyone's role id is the server's id: allowing it allows everyone.
  return allowed.length === 0 || allowed.includes(guildId) || roles.some((role) => allowed.includes(role));
}

function memberRoleIds(member: Requester['member']): string[] {
  if (!member) return [];
  const roles = (member as { roles: string[] | GuildMemberRoleManager }).roles;
  return Array.isArray(roles) ? roles : [...roles.cache.keys()];
}
