/** Discord permission bits (names as discord.js spells them) and the overwrite arithmetic Discord applies. */
export const PermissionFlags = {
  CreateInstantInvite: 1n << 0n,
  KickMembers: 1n << 1n,
  BanMembers: 1n << 2n,
  Administrator: 1n << 3n,
  ManageChannels: 1n << 4n,
  ManageGuild: 1n << 5n,
  AddReactions: 1n << 6n,
  ViewAuditLog: 1n << 7n,
  PrioritySpeaker: 1n << 8n,
  Stream: 1n << 9n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  SendTTSMessages: 1n << 12n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  MentionEveryone: 1n << 17n,
  UseExternalEmojis: 1n << 18n,
  ViewGuildInsights: 1n << 19n,
  Connect: 1n << 20n,
  Speak: 1n << 21n,
  MuteMembers: 1n << 22n,
  DeafenMembers: 1n << 23n,
  MoveMembers: 1n << 24n,
  UseVAD: 1n << 25n,
  ChangeNickname: 1n << 26n,
  ManageNicknames: 1n << 27n,
  ManageRoles: 1n << 28n,
  ManageWebhooks: 1n << 29n,
  ManageGuildExpressions: 1n << 30n,
  UseApplicationCommands: 1n << 31n,
  RequestToSpeak: 1n << 32n,
  ManageEvents: 1n << 33n,
  ManageThreads: 1n << 34n,
  CreatePublicThreads: 1n << 35n,
  CreatePrivateThreads: 1n << 36n,
  UseExternalStickers: 1n << 37n,
  SendMessagesInThreads: 1n << 38n,
  UseEmbeddedActivities: 1n << 39n,
  ModerateMembers: 1n << 40n,
  ViewCreatorMonetizationAnalytics: 1n << 41n,
  UseSoundboard: 1n << 42n,
  CreateGuildExpressions: 1n << 43n,
  CreateEvents: 1n << 44n,
  UseExternalSounds: 1n << 45n,
  SendVoiceMessages: 1n << 46n,
  SendPolls: 1n << 49n,
  UseExternalApps: 1n << 50n,
  PinMessages: 1n << 51n,
} as const;

export type PermissionName = keyof typeof PermissionFlags;

/** A bit set as bigint, a decimal string (Discord's wire form), or a list of names. */
export type PermissionInput = bigint | number | string | readonly PermissionName[];

export const ALL_PERMISSIONS = Object.values(PermissionFlags).reduce((all, bit) => all | bit, 0n);

/** What a fresh server grants @everyone (close to Discord's defaults for text work). */
export const DEFAULT_EVERYONE_PERMISSIONS = resolvePermissions([
  'CreateInstantInvite',
  'AddReactions',
  'Stream',
  'ViewChannel',
  'SendMessages',
  'EmbedLinks',
  'AttachFiles',
  'ReadMessageHistory',
  'MentionEveryone',
  'UseExternalEmojis',
  'Connect',
  'Speak',
  'UseVAD',
  'ChangeNickname',
  'UseApplicationCommands',
  'RequestToSpeak',
  'CreatePublicThreads',
  'CreatePrivateThreads',
  'UseExternalStickers',
  'SendMessagesInThreads',
  'UseEmbeddedActivities',
  'SendVoiceMessages',
  'SendPolls',
  'UseExternalApps',
]);

/** The bot's own role by default: what an invite with the usual bot scopes would grant. */
export const DEFAULT_BOT_PERMISSIONS = resolvePermissions([
  'ViewChannel',
  'SendMessages',
  'SendMessagesInThreads',
  'CreatePublicThreads',
  'EmbedLinks',
  'AttachFiles',
  'ReadMessageHistory',
  'UseExternalEmojis',
  'AddReactions',
  'UseApplicationCommands',
]);

/** What an app may do in a DM it was invoked from. */
export const DM_APP_PERMISSIONS = resolvePermissions([
  'ViewChannel',
  'SendMessages',
  'EmbedLinks',
  'AttachFiles',
  'ReadMessageHistory',
  'AddReactions',
  'UseExternalEmojis',
  'MentionEveryone',
]);

export function resolvePermissions(input: PermissionInput | undefined | null): bigint {
  if (input === undefined || input === null) return 0n;
  if (typeof input === 'bigint') return input;
  if (typeof input === 'number') return BigInt(input);
  if (typeof input === 'string') {
    if (/^\d+$/.test(input)) return BigInt(input);
    return bitOf(input);
  }
  return input.reduce((all, name) => all | bitOf(name), 0n);
}

function bitOf(name: string): bigint {
  const bit = (PermissionFlags as Record<string, bigint>)[name];
  if (bit === undefined) throw new Error(`Unknown permission name "${name}"`);
  return bit;
}

/** The names of the bits set, in flag order (Administrator alone stands for all). */
export function permissionNames(bits: bigint): PermissionName[] {
  return (Object.entries(PermissionFlags) as Array<[PermissionName, bigint]>)
    .filter(([, bit]) => (bits & bit) === bit)
    .map(([name]) => name);
}

export function hasPermission(bits: bigint, permission: PermissionName): boolean {
  return (
    (bits & PermissionFlags.Administrator) === PermissionFlags.Administrator ||
    (bits & PermissionFlags[permission]) !== 0n
  );
}

export interface ResolvedOverwrite {
  id: string;
  /** 0 role, 1 member */
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

/** Guild-level permissions: @everyone, then every role the member has; owners and admins get everything. */
export function computeBasePermissions(input: {
  guildId: string;
  ownerId: string;
  userId: string;
  memberRoleIds: readonly string[];
  rolePermissions: (roleId: string) => bigint | undefined;
}): bigint {
  if (input.userId === input.ownerId) return ALL_PERMISSIONS;
  let bits = input.rolePermissions(input.guildId) ?? 0n;
  for (const roleId of input.memberRoleIds) bits |= input.rolePermissions(roleId) ?? 0n;
  if ((bits & PermissionFlags.Administrator) !== 0n) return ALL_PERMISSIONS;
  return bits;
}

const SEND_DEPENDENT =
  PermissionFlags.SendTTSMessages |
  PermissionFlags.MentionEveryone |
  PermissionFlags.AttachFiles |
  PermissionFlags.EmbedLinks |
  PermissionFlags.SendPolls |
  PermissionFlags.SendVoiceMessages;

/**
 * Channel permissions as Discord computes them: base, then the @everyone overwrite, then role
 * overwrites together, then the member's own overwrite. Losing ViewChannel loses everything, and
 * losing SendMessages implicitly loses what depends on sending (files, embeds, @everyone).
 */
export function computeChannelPermissions(input: {
  base: bigint;
  guildId: string;
  userId: string;
  memberRoleIds: readonly string[];
  overwrites: readonly ResolvedOverwrite[];
  isThread?: boolean;
}): bigint {
  if ((input.base & PermissionFlags.Administrator) !== 0n) return ALL_PERMISSIONS;
  let bits = input.base;
  const everyone = input.overwrites.find((o) => o.type === 0 && o.id === input.guildId);
  if (everyone) bits = (bits & ~everyone.deny) | everyone.allow;
  let roleAllow = 0n;
  let roleDeny = 0n;
  for (const overwrite of input.overwrites) {
    if (overwrite.type === 0 && overwrite.id !== input.guildId && input.memberRoleIds.includes(overwrite.id)) {
      roleAllow |= overwrite.allow;
      roleDeny |= overwrite.deny;
    }
  }
  bits = (bits & ~roleDeny) | roleAllow;
  const member = input.overwrites.find((o) => o.type === 1 && o.id === input.userId);
  if (member) bits = (bits & ~member.deny) | member.allow;
  if ((bits & PermissionFlags.ViewChannel) === 0n) return 0n;
  const sendBit = input.isThread ? PermissionFlags.SendMessagesInThreads : PermissionFlags.SendMessages;
  if ((bits & sendBit) === 0n) bits &= ~SEND_DEPENDENT;
  return bits;
}
