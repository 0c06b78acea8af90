/**
 * Plain types of what the emulator stores and serves. Wire objects (`Api*`) use Discord's
 * snake_case field names, so what a test inspects is exactly what discord.js received.
 */
import type { PermissionInput } from './permissions.js';

export type Snowflake = string;

export type JsonObject = Record<string, unknown>;

export interface ApiUser {
  id: Snowflake;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: string | null;
  bot?: boolean;
  system?: boolean;
  public_flags: number;
  flags?: number;
  /** The server tag a user shows; Discord sends the key on every user (null without one). */
  primary_guild?: null;
}

export interface ApiRole {
  id: Snowflake;
  name: string;
  color: number;
  colors: { primary_color: number; secondary_color: number | null; tertiary_color: number | null };
  hoist: boolean;
  icon: string | null;
  unicode_emoji: string | null;
  position: number;
  permissions: string;
  managed: boolean;
  mentionable: boolean;
  flags: number;
  tags?: JsonObject;
}

export interface ApiOverwrite {
  id: Snowflake;
  type: 0 | 1;
  allow: string;
  deny: string;
}

export interface ApiForumTag {
  id: Snowflake;
  name: string;
  moderated: boolean;
  emoji_id: Snowflake | null;
  emoji_name: string | null;
}

export interface ApiThreadMetadata {
  archived: boolean;
  auto_archive_duration: number;
  archive_timestamp: string;
  locked: boolean;
  invitable?: boolean;
  create_timestamp: string;
}

export interface ApiChannel {
  id: Snowflake;
  type: number;
  guild_id?: Snowflake;
  name?: string;
  position?: number;
  permission_overwrites?: ApiOverwrite[];
  parent_id?: Snowflake | null;
  topic?: string | null;
  nsfw?: boolean;
  last_message_id?: Snowflake | null;
  rate_limit_per_user?: number;
  recipients?: ApiUser[];
  flags?: number;
  available_tags?: ApiForumTag[];
  applied_tags?: Snowflake[];
  default_reaction_emoji?: JsonObject | null;
  default_sort_order?: number | null;
  default_forum_layout?: number;
  owner_id?: Snowflake;
  thread_metadata?: ApiThreadMetadata;
  message_count?: number;
  member_count?: number;
  total_message_sent?: number;
  /** Only in interaction payloads: the invoking member's permissions here. */
  permissions?: string;
}

export interface ApiMember {
  user: ApiUser;
  nick: string | null;
  avatar: string | null;
  banner: string | null;
  roles: Snowflake[];
  joined_at: string;
  premium_since: string | null;
  deaf: boolean;
  mute: boolean;
  flags: number;
  pending: boolean;
  communication_disabled_until: string | null;
  /** Only in interaction payloads: permissions in the channel, as a decimal string. */
  permissions?: string;
}

export interface ApiEmbedMedia {
  url: string;
  proxy_url?: string;
  width?: number;
  height?: number;
  content_type?: string;
  flags?: number;
}

export interface ApiEmbed {
  type?: string;
  title?: string;
  description?: string;
  url?: string;
  timestamp?: string;
  color?: number;
  footer?: { text: string; icon_url?: string; proxy_icon_url?: string };
  image?: ApiEmbedMedia;
  thumbnail?: ApiEmbedMedia;
  video?: ApiEmbedMedia;
  provider?: { name?: string; url?: string };
  author?: { name: string; url?: string; icon_url?: string; proxy_icon_url?: string };
  fields?: Array<{ name: string; value: string; inline?: boolean }>;
}

export interface ApiAttachment {
  id: Snowflake;
  filename: string;
  title?: string;
  description?: string;
  content_type?: string;
  size: number;
  url: string;
  proxy_url: string;
  width?: number | null;
  height?: number | null;
  ephemeral?: boolean;
  duration_secs?: number;
  waveform?: string;
  flags?: number;
}

/** A message component as sent (buttons, rows, selects, Components V2 parts). */
export interface ApiComponent {
  type: number;
  custom_id?: string;
  label?: string;
  style?: number;
  url?: string;
  disabled?: boolean;
  /** Children of action rows, sections and containers. */
  components?: ApiComponent[];
  [field: string]: unknown;
}

export interface ApiAllowedMentions {
  parse?: Array<'users' | 'roles' | 'everyone'>;
  users?: Snowflake[];
  roles?: Snowflake[];
  replied_user?: boolean;
}

export interface ApiMessageInteractionMetadata {
  id: Snowflake;
  type: number;
  name?: string;
  command_type?: number;
  user: ApiUser;
  authorizing_integration_owners: Record<string, string>;
  original_response_message_id?: Snowflake;
  interacted_message_id?: Snowflake;
  /** A modal submit's: the interaction that showed the modal. */
  triggering_interaction_metadata?: ApiMessageInteractionMetadata;
}

export interface ApiMessage {
  id: Snowflake;
  channel_id: Snowflake;
  guild_id?: Snowflake;
  author: ApiUser;
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  tts: boolean;
  mention_everyone: boolean;
  mentions: ApiUser[];
  mention_roles: Snowflake[];
  attachments: ApiAttachment[];
  embeds: ApiEmbed[];
  pinned: boolean;
  type: number;
  flags: number;
  components: ApiComponent[];
  nonce?: string | number;
  webhook_id?: Snowflake;
  application_id?: Snowflake;
  interaction_metadata?: ApiMessageInteractionMetadata;
  interaction?: { id: Snowflake; type: number; name: string; user: ApiUser };
  message_reference?: { type?: number; message_id?: Snowflake; channel_id?: Snowflake; guild_id?: Snowflake };
  thread?: ApiChannel;
  position?: number;
}

export interface ApiCommandOptionChoice {
  name: string;
  name_localizations?: Record<string, string> | null;
  value: string | number;
}

export interface ApiCommandOption {
  type: number;
  name: string;
  name_localizations?: Record<string, string> | null;
  description: string;
  description_localizations?: Record<string, string> | null;
  required?: boolean;
  choices?: ApiCommandOptionChoice[];
  options?: ApiCommandOption[];
  channel_types?: number[];
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
  autocomplete?: boolean;
}

export interface ApiApplicationCommand {
  id: Snowflake;
  application_id: Snowflake;
  version: Snowflake;
  type: number;
  guild_id?: Snowflake;
  name: string;
  name_localizations?: Record<string, string> | null;
  description: string;
  description_localizations?: Record<string, string> | null;
  options?: ApiCommandOption[];
  default_member_permissions: string | null;
  dm_permission?: boolean;
  nsfw: boolean;
  integration_types: number[];
  contexts: number[] | null;
}

// ---------------------------------------------------------------------------------------------
// Specs: what tests and the start script hand the emulator to build a world.

/**
 * A user: a snowflake id, a username (any non-numeric string: `'alice'`), or an object carrying
 * an id (an `ApiUser`, a discord.js `User`, …). Unknown users are created on first use.
 */
export type UserRef = Snowflake | { id: Snowflake };

/** A guild: its id or anything carrying it (a `GuildRecord`, a discord.js `Guild`). */
export type GuildRef = Snowflake | { id: Snowflake };

/** A channel: its id, anything with an `id` (discord.js channels), or a `ChannelRecord` (`{ data: { id } }`). */
export type ChannelRef = Snowflake | { id: Snowflake } | { data: { id: Snowflake } };

export function guildIdOf(ref: GuildRef): Snowflake {
  return typeof ref === 'string' ? ref : ref.id;
}

export function channelIdOf(ref: ChannelRef): Snowflake {
  if (typeof ref === 'string') return ref;
  return 'data' in ref ? ref.data.id : ref.id;
}

export interface UserSpec {
  id?: Snowflake;
  username?: string;
  globalName?: string | null;
  /** The Discord client language of this user; drives `interaction.locale`. Default `en-US`. */
  locale?: string;
  bot?: boolean;
  /** False makes DMs to this user fail with 50007, as when a user closes DMs. */
  acceptsDirectMessages?: boolean;
}

export interface RoleSpec {
  id?: Snowflake;
  name: string;
  permissions?: PermissionInput;
  mentionable?: boolean;
  color?: number;
}

/**
 * A permission overwrite. `id` may be a role id, a user id, a role name, or one of the aliases
 * `@everyone` and `@bot` (the emulator's bot user).
 */
export interface OverwriteSpec {
  id: string;
  type?: 'role' | 'member';
  allow?: PermissionInput;
  deny?: PermissionInput;
}

export type ChannelKind = 'text' | 'announcement' | 'forum' | 'media' | 'category' | 'voice';

export interface ChannelSpec {
  id?: Snowflake;
  name: string;
  type?: ChannelKind | number;
  topic?: string | null;
  nsfw?: boolean;
  parentId?: Snowflake | null;
  overwrites?: OverwriteSpec[];
  /** Forum and media channels: the tags posts can carry. */
  availableTags?: Array<{ id?: Snowflake; name: string; moderated?: boolean }>;
  /** Forum and media channels: posts must carry at least one tag. */
  requireTag?: boolean;
}

export interface MemberSpec {
  user: UserRef | UserSpec;
  /** Role ids or role names of this guild. */
  roles?: string[];
  /** Grants these permissions through a role made for this member. */
  permissions?: PermissionInput;
  nick?: string | null;
}

export interface GuildSpec {
  id?: Snowflake;
  name?: string;
  /** The server's community language: `guild_locale` of interactions. Default `en-US`. */
  preferredLocale?: string;
  ownerId?: Snowflake;
  /** Per-file upload limit of this guild (boosted servers allow more). Default: the emulator's limit. */
  uploadLimitBytes?: number;
  everyonePermissions?: PermissionInput;
  /** Permissions of the bot's managed role in this guild. */
  botPermissions?: PermissionInput;
  roles?: RoleSpec[];
  /** Default: one text channel named `general`. */
  channels?: ChannelSpec[];
  members?: MemberSpec[];
}
