/**
 * Everything the emulated Discord knows: users, guilds (roles, members, channels), messages by
 * channel, uploads, registered commands and interactions. Wire objects are built here so the
 * gateway, REST and actor all describe the world the same way.
 */

import { EventEmitter } from 'node:events';
import { CdnSigner } from './cdn-signing.js';
import type { Clock } from './clock.js';
import type { InteractionRecord } from './interactions.js';
import {
  computeBasePermissions,
  computeChannelPermissions,
  DEFAULT_BOT_PERMISSIONS,
  DEFAULT_EVERYONE_PERMISSIONS,
  DM_APP_PERMISSIONS,
  type PermissionInput,
  type ResolvedOverwrite,
  resolvePermissions,
} from './permissions.js';
import { ChannelTypes, FORUM_LIKE_TYPES, THREAD_TYPES } from './rules/limits.js';
import { compareSnowflakes, type SnowflakeGenerator } from './snowflake.js';
import type {
  ApiAllowedMentions,
  ApiApplicationCommand,
  ApiChannel,
  ApiMember,
  ApiMessage,
  ApiOverwrite,
  ApiRole,
  ApiUser,
  ChannelKind,
  ChannelSpec,
  GuildSpec,
  JsonObject,
  MemberSpec,
  OverwriteSpec,
  RoleSpec,
  Snowflake,
  UserRef,
  UserSpec,
} from './types.js';

export interface UserRecord {
  user: ApiUser;
  locale: string;
  acceptsDirectMessages: boolean;
}

export interface MemberRecord {
  userId: Snowflake;
  roles: Snowflake[];
  nick: string | null;
  joinedAt: string;
}

export interface GuildRecord {
  id: Snowflake;
  name: string;
  ownerId: Snowflake;
  preferredLocale: string;
  uploadLimitBytes: number;
  joinedAt: string;
  roles: Map<Snowflake, ApiRole>;
  /** Channels and threads, in creation order. */
  channelIds: Snowflake[];
  members: Map<Snowflake, MemberRecord>;
  botRoleId: Snowflake;
}

export interface ChannelRecord {
  data: ApiChannel;
  guildId: Snowflake | null;
  /** Message ids of the visible history, oldest first (ids grow, so this is sorted). */
  history: Snowflake[];
  /** DMs: the user on the other side. */
  recipientId: Snowflake | null;
  requireTag: boolean;
}

export interface StoredUpload {
  id: Snowflake;
  channelId: Snowflake;
  filename: string;
  contentType: string | undefined;
  size: number;
  /** null when the emulator was told not to keep upload bytes. */
  bytes: Buffer | null;
}

export type MessageSource = 'channel' | 'interaction-response' | 'follow-up' | 'forum-post' | 'user';

export interface PingSet {
  users: Snowflake[];
  roles: Snowflake[];
  everyone: boolean;
}

/** A message as the bot left it, plus what only the emulator knows about it. */
export interface StoredMessage {
  readonly id: Snowflake;
  readonly channelId: Snowflake;
  readonly guildId: Snowflake | null;
  /** Exactly what REST returns for it now (attachment URLs point at the emulator's CDN). */
  data: ApiMessage;
  /** Ephemeral messages live on their interaction, never in the channel history. */
  readonly ephemeral: boolean;
  /** Deferred ("thinking…") and not yet edited. */
  loading: boolean;
  readonly source: MessageSource;
  /** The interaction this message answers, if any. */
  readonly interactionId: Snowflake | null;
  /** `allowed_mentions` exactly as the last create/edit sent it (undefined when absent). */
  allowedMentions: ApiAllowedMentions | undefined;
  /** Who got notified when the message was created (edits never notify). */
  pinged: PingSet;
  editCount: number;
  deleted: boolean;
}

export interface PingRecord extends PingSet {
  messageId: Snowflake;
  channelId: Snowflake;
}

export interface RequestLogEntry {
  method: string;
  /** Path after `/api/v10`, decoded. */
  path: string;
  /** The matched route pattern, e.g. `POST /channels/:channel/messages`. */
  route: string;
  status: number;
  /** Clock time the request arrived. */
  at: number;
  /** Wall time spent answering, in ms. */
  durationMs: number;
  /** Discord error code when the answer was an error. */
  code?: number;
  fault?: string;
}

export interface EmulatorEvents {
  messageCreate: [StoredMessage];
  messageUpdate: [StoredMessage];
  messageDelete: [StoredMessage];
  channelCreate: [ChannelRecord];
  channelUpdate: [ChannelRecord];
  /** A channel or thread was deleted (its messages are marked deleted first). */
  channelDelete: [ChannelRecord];
  guildCreate: [GuildRecord];
  interactionDispatch: [InteractionRecord];
  interactionResponse: [InteractionRecord];
  commandsUpdate: [{ guildId: Snowflake | null }];
}

export interface StateOptions {
  clock: Clock;
  ids: SnowflakeGenerator;
  applicationId: Snowflake;
  botUser: ApiUser;
  defaultUploadLimitBytes: number;
  retainUploads: boolean;
  /** How long a CDN URL stays valid; default about a day (see cdn-signing.ts). */
  cdnUrlLifetimeMs?: number;
}

const KIND_TO_TYPE: Record<ChannelKind, number> = {
  text: ChannelTypes.GuildText,
  announcement: ChannelTypes.GuildAnnouncement,
  forum: ChannelTypes.GuildForum,
  media: ChannelTypes.GuildMedia,
  category: ChannelTypes.GuildCategory,
  voice: ChannelTypes.GuildVoice,
};

/** Discord's timestamp format (microseconds, explicit offset). */
export function discordTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '000+00:00');
}

export function userIdOf(ref: UserRef): Snowflake {
  return typeof ref === 'string' ? ref : ref.id;
}

export class EmulatorState {
  readonly events = new EventEmitter<EmulatorEvents>();
  readonly users = new Map<Snowflake, UserRecord>();
  readonly guilds = new Map<Snowflake, GuildRecord>();
  readonly channels = new Map<Snowflake, ChannelRecord>();
  /** Every message ever posted, ephemeral and deleted ones included. */
  readonly messages = new Map<Snowflake, StoredMessage>();
  readonly uploads = new Map<Snowflake, StoredUpload>();
  readonly interactions = new Map<Snowflake, InteractionRecord>();
  readonly interactionsByToken = new Map<string, InteractionRecord>();
  readonly globalCommands = new Map<Snowflake, ApiApplicationCommand>();
  readonly guildCommands = new Map<Snowflake, Map<Snowflake, ApiApplicationCommand>>();
  /** Every notification the bot's messages caused; empty when the bot pinged nobody. */
  readonly pingLog: PingRecord[] = [];
  readonly requestLog: RequestLogEntry[] = [];
  /** Unexpected exceptions inside the emulator (a test can assert there were none). */
  readonly internalErrors: Error[] = [];
  private readonly dmChannelByUser = new Map<Snowflake, Snowflake>();
  private readonly userIdByName = new Map<string, Snowflake>();
  private userCounter = 0;

  /** Signs CDN URLs and checks them (they expire, as Discord's do). */
  readonly cdn: CdnSigner;

  constructor(readonly options: StateOptions) {
    this.cdn = new CdnSigner(options.clock, options.cdnUrlLifetimeMs);
    this.events.setMaxListeners(0);
    this.users.set(options.botUser.id, { user: options.botUser, locale: 'en-US', acceptsDirectMessages: false });
  }

  get botUser(): ApiUser {
    return this.options.botUser;
  }

  now(): number {
    return this.options.clock();
  }

  timestamp(): string {
    return discordTimestamp(this.options.clock());
  }

  nextId(): Snowflake {
    return this.options.ids.next();
  }

  // ---- world building -------------------------------------------------------------------------

  /** Creates a user; an existing id, or (without an id) an existing username, returns that user. */
  createUser(spec: UserSpec = {}): ApiUser {
    const knownId = spec.id ?? (spec.username ? this.userIdByName.get(spec.username) : undefined);
    const existing = knownId ? this.users.get(knownId) : undefined;
    if (existing) return existing.user;
    const id = spec.id ?? this.nextId();
    this.userCounter++;
    const username = spec.username ?? `user${this.userCounter}`;
    const user: ApiUser = {
      id,
      username,
      discriminator: spec.bot ? String(1000 + (this.userCounter % 9000)) : '0',
      global_name: spec.globalName === undefined ? username : spec.globalName,
      avatar: null,
      public_flags: 0,
      flags: 0,
      primary_guild: null,
    };
    if (spec.bot) user.bot = true;
    // First one wins: a later user with the same name is still reachable by id.
    if (!this.userIdByName.has(username)) this.userIdByName.set(username, id);
    this.users.set(id, {
      user,
      locale: spec.locale ?? 'en-US',
      acceptsDirectMessages: spec.acceptsDirectMessages ?? true,
    });
    return user;
  }

  /**
   * The user record for a reference: a snowflake id, a username (any non-numeric string), or a
   * spec. Unknown ones become users on first use, so tests stay short.
   */
  ensureUser(ref: UserRef | UserSpec): UserRecord {
    const spec: UserSpec =
      typeof ref === 'string' ? (/^\d+$/.test(ref) ? { id: ref } : { username: ref }) : (ref as UserSpec);
    const user = this.createUser(spec);
    return this.users.get(user.id)!;
  }

  createGuild(spec: GuildSpec = {}): GuildRecord {
    const id = spec.id ?? this.options.ids.nextGuildId();
    if (this.guilds.has(id)) throw new Error(`Guild ${id} already exists`);
    const owner = spec.ownerId
      ? this.ensureUser(spec.ownerId).user
      : this.createUser({ username: `owner-${this.guilds.size + 1}` });
    const now = this.timestamp();
    const botRoleId = this.nextId();
    const guild: GuildRecord = {
      id,
      name: spec.name ?? `Guild ${this.guilds.size + 1}`,
      ownerId: owner.id,
      preferredLocale: spec.preferredLocale ?? 'en-US',
      uploadLimitBytes: spec.uploadLimitBytes ?? this.options.defaultUploadLimitBytes,
      joinedAt: now,
      roles: new Map(),
      channelIds: [],
      members: new Map(),
      botRoleId,
    };
    this.guilds.set(id, guild);
    guild.roles.set(id, makeRole(id, '@everyone', 0, spec.everyonePermissions ?? DEFAULT_EVERYONE_PERMISSIONS));
    const botRole = makeRole(botRoleId, this.botUser.username, 1, spec.botPermissions ?? DEFAULT_BOT_PERMISSIONS);
    botRole.managed = true;
    botRole.tags = { bot_id: this.botUser.id };
    guild.roles.set(botRoleId, botRole);
    for (const role of spec.roles ?? []) this.createRole(id, role);
    guild.members.set(this.botUser.id, { userId: this.botUser.id, roles: [botRoleId], nick: null, joinedAt: now });
    guild.members.set(owner.id, { userId: owner.id, roles: [], nick: null, joinedAt: now });
    for (const member of spec.members ?? []) this.addMember(id, member);
    for (const channel of spec.channels ?? [{ name: 'general' }]) this.createChannel(id, channel, { silent: true });
    this.events.emit('guildCreate', guild);
    return guild;
  }

  createRole(guildId: Snowflake, spec: RoleSpec): ApiRole {
    const guild = this.requireGuild(guildId);
    const role = makeRole(spec.id ?? this.nextId(), spec.name, guild.roles.size, spec.permissions ?? 0n);
    role.mentionable = spec.mentionable ?? false;
    role.color = spec.color ?? 0;
    guild.roles.set(role.id, role);
    return role;
  }

  addMember(guildId: Snowflake, spec: MemberSpec): MemberRecord {
    const guild = this.requireGuild(guildId);
    const user = this.ensureUser(spec.user).user;
    const roles = (spec.roles ?? []).map((ref) => this.resolveRoleId(guild, ref));
    if (spec.permissions !== undefined) {
      roles.push(this.createRole(guildId, { name: `${user.username}-permissions`, permissions: spec.permissions }).id);
    }
    const member: MemberRecord = { userId: user.id, roles, nick: spec.nick ?? null, joinedAt: this.timestamp() };
    guild.members.set(user.id, member);
    return member;
  }

  /** A member record for this user, joining them with no roles if needed. */
  ensureMember(guildId: Snowflake, userId: Snowflake): MemberRecord {
    const guild = this.requireGuild(guildId);
    return guild.members.get(userId) ?? this.addMember(guildId, { user: userId });
  }

  createChannel(guildId: Snowflake, spec: ChannelSpec, opts: { silent?: boolean } = {}): ChannelRecord {
    const guild = this.requireGuild(guildId);
    const id = spec.id ?? this.nextId();
    if (this.channels.has(id)) throw new Error(`Channel ${id} already exists`);
    const type = typeof spec.type === 'number' ? spec.type : KIND_TO_TYPE[spec.type ?? 'text'];
    const data: ApiChannel = {
      id,
      type,
      guild_id: guildId,
      name: spec.name,
      position: guild.channelIds.length,
      permission_overwrites: (spec.overwrites ?? []).map((o) => this.resolveOverwrite(guild, o)),
      parent_id: spec.parentId ?? null,
      nsfw: spec.nsfw ?? false,
      flags: FORUM_LIKE_TYPES.has(type) && spec.requireTag ? 1 << 4 : 0,
    };
    if (type !== ChannelTypes.GuildCategory && type !== ChannelTypes.GuildVoice) {
      data.topic = spec.topic ?? null;
      data.last_message_id = null;
      data.rate_limit_per_user = 0;
    }
    if (FORUM_LIKE_TYPES.has(type)) {
      data.available_tags = (spec.availableTags ?? []).map((tag) => ({
        id: tag.id ?? this.nextId(),
        name: tag.name,
        moderated: tag.moderated ?? false,
        emoji_id: null,
        emoji_name: null,
      }));
      data.default_reaction_emoji = null;
      data.default_sort_order = null;
      data.default_forum_layout = 0;
    }
    const record: ChannelRecord = {
      data,
      guildId,
      history: [],
      recipientId: null,
      requireTag: spec.requireTag ?? false,
    };
    this.channels.set(id, record);
    guild.channelIds.push(id);
    if (!opts.silent) this.events.emit('channelCreate', record);
    return record;
  }

  /** Adds a thread (public/private) or a forum/media post under `parent`. */
  createThread(
    parent: ChannelRecord,
    input: {
      id?: Snowflake;
      name: string;
      type: number;
      ownerId: Snowflake;
      autoArchiveMinutes?: number;
      appliedTags?: Snowflake[];
    },
  ): ChannelRecord {
    const guild = this.requireGuild(parent.guildId!);
    const id = input.id ?? this.nextId();
    const now = this.timestamp();
    const data: ApiChannel = {
      id,
      type: input.type,
      guild_id: guild.id,
      parent_id: parent.data.id,
      owner_id: input.ownerId,
      name: input.name,
      last_message_id: null,
      rate_limit_per_user: 0,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      flags: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: input.autoArchiveMinutes ?? 4320,
        archive_timestamp: now,
        locked: false,
        create_timestamp: now,
      },
    };
    if (input.appliedTags) data.applied_tags = input.appliedTags;
    if (input.type === ChannelTypes.PrivateThread) data.thread_metadata!.invitable = true;
    const record: ChannelRecord = { data, guildId: guild.id, history: [], recipientId: null, requireTag: false };
    this.channels.set(id, record);
    guild.channelIds.push(id);
    this.events.emit('channelCreate', record);
    return record;
  }

  /** The bot's DM channel with a user (one per user, as on Discord). */
  dmChannelFor(userId: Snowflake): ChannelRecord {
    const existing = this.dmChannelByUser.get(userId);
    if (existing) return this.channels.get(existing)!;
    const user = this.ensureUser(userId).user;
    const id = this.nextId();
    const record: ChannelRecord = {
      data: { id, type: ChannelTypes.DM, last_message_id: null, recipients: [user], flags: 0 },
      guildId: null,
      history: [],
      recipientId: userId,
      requireTag: false,
    };
    this.channels.set(id, record);
    this.dmChannelByUser.set(userId, id);
    return record;
  }

  /**
   * Deletes a channel or thread as Discord does: it is gone from the guild, its messages with
   * it; deleting a channel deletes its threads (forum posts) too.
   */
  deleteChannel(channelId: Snowflake): void {
    const channel = this.requireChannel(channelId);
    for (const child of [...this.channels.values()]) {
      if (child.data.parent_id === channelId && THREAD_TYPES.has(child.data.type)) this.deleteChannel(child.data.id);
    }
    for (const id of [...channel.history]) {
      const message = this.messages.get(id);
      if (message) this.deleteMessage(message);
    }
    this.channels.delete(channelId);
    if (channel.guildId) {
      const guild = this.guilds.get(channel.guildId);
      if (guild) guild.channelIds = guild.channelIds.filter((id) => id !== channelId);
    }
    this.events.emit('channelDelete', channel);
  }

  setChannelOverwrites(channelId: Snowflake, overwrites: OverwriteSpec[]): void {
    const channel = this.requireChannel(channelId);
    if (!channel.guildId) throw new Error('DM channels have no permission overwrites');
    const guild = this.requireGuild(channel.guildId);
    channel.data.permission_overwrites = overwrites.map((o) => this.resolveOverwrite(guild, o));
    // As on Discord, a connected bot hears of it (CHANNEL_UPDATE) and its cache follows.
    this.events.emit('channelUpdate', channel);
  }

  /**
   * Grants (`allow`) or takes away (`deny`) the bot's permissions in one channel through its own
   * member overwrite, leaving every other overwrite as it was. Returns the bot's overwrite.
   */
  changeBotChannelPermissions(
    channelId: Snowflake,
    change: { allow?: PermissionInput; deny?: PermissionInput },
  ): ApiOverwrite {
    const channel = this.requireChannel(channelId);
    if (!channel.guildId) throw new Error('DM channels have no permission overwrites');
    const allow = resolvePermissions(change.allow);
    const deny = resolvePermissions(change.deny);
    const overwrites = channel.data.permission_overwrites ?? [];
    const current = overwrites.find((o) => o.id === this.botUser.id && o.type === 1);
    const next: ApiOverwrite = {
      id: this.botUser.id,
      type: 1,
      allow: (((current ? BigInt(current.allow) : 0n) & ~deny) | allow).toString(),
      deny: (((current ? BigInt(current.deny) : 0n) & ~allow) | deny).toString(),
    };
    channel.data.permission_overwrites = [...overwrites.filter((o) => o !== current), next];
    this.events.emit('channelUpdate', channel);
    return next;
  }

  private resolveRoleId(guild: GuildRecord, ref: string): Snowflake {
    if (ref === '@everyone') return guild.id;
    if (guild.roles.has(ref)) return ref;
    for (const role of guild.roles.values()) if (role.name === ref) return role.id;
    throw new Error(`Guild ${guild.id} has no role "${ref}"`);
  }

  private resolveOverwrite(guild: GuildRecord, spec: OverwriteSpec): ApiOverwrite {
    let id = spec.id;
    let type: 0 | 1;
    if (id === '@everyone') {
      id = guild.id;
      type = 0;
    } else if (id === '@bot') {
      id = this.botUser.id;
      type = 1;
    } else if (spec.type) {
      type = spec.type === 'role' ? 0 : 1;
      if (type === 0) id = this.resolveRoleId(guild, id);
    } else {
      const roleId = guild.roles.has(id) ? id : [...guild.roles.values()].find((r) => r.name === id)?.id;
      if (roleId) {
        id = roleId;
        type = 0;
      } else type = 1;
    }
    return {
      id,
      type,
      allow: resolvePermissions(spec.allow).toString(),
      deny: resolvePermissions(spec.deny).toString(),
    };
  }

  requireGuild(guildId: Snowflake): GuildRecord {
    const guild = this.guilds.get(guildId);
    if (!guild) throw new Error(`Unknown guild ${guildId}`);
    return guild;
  }

  requireChannel(channelId: Snowflake): ChannelRecord {
    const channel = this.channels.get(channelId);
    if (!channel) throw new Error(`Unknown channel ${channelId}`);
    return channel;
  }

  // ---- permissions ----------------------------------------------------------------------------

  /** Permissions of a user in a channel, as Discord computes them (threads use their parent's overwrites). */
  permissionsIn(userId: Snowflake, channelId: Snowflake): bigint {
    const channel = this.channels.get(channelId);
    if (!channel) return 0n;
    if (!channel.guildId) return DM_APP_PERMISSIONS;
    const guild = this.guilds.get(channel.guildId);
    const member = guild?.members.get(userId);
    if (!guild || !member) return 0n;
    const base = computeBasePermissions({
      guildId: guild.id,
      ownerId: guild.ownerId,
      userId,
      memberRoleIds: member.roles,
      rolePermissions: (roleId) => {
        const role = guild.roles.get(roleId);
        return role ? BigInt(role.permissions) : undefined;
      },
    });
    const isThread = THREAD_TYPES.has(channel.data.type);
    const source =
      isThread && channel.data.parent_id ? (this.channels.get(channel.data.parent_id) ?? channel) : channel;
    const overwrites: ResolvedOverwrite[] = (source.data.permission_overwrites ?? []).map((o) => ({
      id: o.id,
      type: o.type,
      allow: BigInt(o.allow),
      deny: BigInt(o.deny),
    }));
    return computeChannelPermissions({
      base,
      guildId: guild.id,
      userId,
      memberRoleIds: member.roles,
      overwrites,
      isThread,
    });
  }

  botPermissionsIn(channelId: Snowflake): bigint {
    return this.permissionsIn(this.botUser.id, channelId);
  }

  // ---- wire objects ---------------------------------------------------------------------------

  userObject(userId: Snowflake): ApiUser {
    return this.ensureUser(userId).user;
  }

  memberObject(guildId: Snowflake, userId: Snowflake, permissionsChannelId?: Snowflake): ApiMember {
    const member = this.ensureMember(guildId, userId);
    const object: ApiMember = {
      user: this.userObject(userId),
      nick: member.nick,
      avatar: null,
      banner: null,
      roles: [...member.roles],
      joined_at: member.joinedAt,
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      communication_disabled_until: null,
    };
    if (permissionsChannelId) object.permissions = this.permissionsIn(userId, permissionsChannelId).toString();
    return object;
  }

  channelObject(channelId: Snowflake): ApiChannel {
    return { ...this.requireChannel(channelId).data };
  }

  /** GUILD_CREATE as Discord sends it; full member lists only with the GUILD_MEMBERS intent. */
  guildCreatePayload(guildId: Snowflake, withAllMembers: boolean): JsonObject {
    const guild = this.requireGuild(guildId);
    const channels: ApiChannel[] = [];
    const threads: ApiChannel[] = [];
    for (const id of guild.channelIds) {
      const channel = this.channels.get(id);
      if (!channel) continue;
      (THREAD_TYPES.has(channel.data.type) ? threads : channels).push(channel.data);
    }
    const memberIds = withAllMembers ? [...guild.members.keys()] : [this.botUser.id];
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      icon_hash: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      home_header: null,
      description: null,
      owner_id: guild.ownerId,
      region: 'deprecated',
      widget_channel_id: null,
      max_presences: null,
      incidents_data: null,
      afk_channel_id: null,
      afk_timeout: 300,
      widget_enabled: false,
      verification_level: 0,
      default_message_notifications: 1,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      nsfw: false,
      premium_tier: 0,
      premium_subscription_count: 0,
      premium_progress_bar_enabled: false,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      vanity_url_code: null,
      application_id: null,
      preferred_locale: guild.preferredLocale,
      max_members: 500_000,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      features: [],
      roles: [...guild.roles.values()],
      emojis: [],
      stickers: [],
      joined_at: guild.joinedAt,
      large: false,
      lazy: true,
      unavailable: false,
      member_count: guild.members.size,
      members: memberIds.map((id) => this.memberObject(guild.id, id)),
      channels,
      threads,
      voice_states: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  // ---- messages -------------------------------------------------------------------------------

  insertMessage(message: StoredMessage): void {
    this.messages.set(message.id, message);
    const channel = this.channels.get(message.channelId);
    if (channel && !message.ephemeral) {
      channel.history.push(message.id);
      channel.data.last_message_id = message.id;
      if (channel.data.message_count !== undefined) {
        channel.data.message_count++;
        channel.data.total_message_sent = (channel.data.total_message_sent ?? 0) + 1;
      }
    }
    const pinged = message.pinged.users.length > 0 || message.pinged.roles.length > 0 || message.pinged.everyone;
    if (pinged && message.data.author.id === this.botUser.id) {
      this.pingLog.push({ messageId: message.id, channelId: message.channelId, ...message.pinged });
    }
    this.events.emit('messageCreate', message);
  }

  deleteMessage(message: StoredMessage): void {
    if (message.deleted) return;
    message.deleted = true;
    const channel = this.channels.get(message.channelId);
    if (channel && !message.ephemeral) {
      const index = binarySearch(channel.history, message.id);
      if (index >= 0) channel.history.splice(index, 1);
      if (channel.data.message_count !== undefined && channel.data.message_count > 0) channel.data.message_count--;
    }
    this.events.emit('messageDelete', message);
  }

  /** Visible (non-ephemeral, non-deleted) messages of a channel, oldest first. */
  channelHistory(channelId: Snowflake): StoredMessage[] {
    const channel = this.channels.get(channelId);
    if (!channel) return [];
    return channel.history.map((id) => this.messages.get(id)!);
  }

  /** GET /channels/:id/messages semantics: newest first, `limit` 1–100, one of before/after/around. */
  pageHistory(
    channelId: Snowflake,
    query: { limit: number; before?: string; after?: string; around?: string },
  ): StoredMessage[] {
    const history = this.channels.get(channelId)?.history ?? [];
    let ids: Snowflake[];
    if (query.around) {
      const pivot = lowerBound(history, query.around);
      const half = Math.floor(query.limit / 2);
      const start = Math.max(0, pivot - half);
      ids = history.slice(start, start + query.limit);
    } else if (query.after) {
      const start = upperBound(history, query.after);
      ids = history.slice(start, start + query.limit);
    } else {
      const end = query.before ? lowerBound(history, query.before) : history.length;
      ids = history.slice(Math.max(0, end - query.limit), end);
    }
    return ids.reverse().map((id) => this.messages.get(id)!);
  }

  // ---- commands -------------------------------------------------------------------------------

  commandsFor(guildId: Snowflake | null): Map<Snowflake, ApiApplicationCommand> {
    if (!guildId) return this.globalCommands;
    let commands = this.guildCommands.get(guildId);
    if (!commands) {
      commands = new Map();
      this.guildCommands.set(guildId, commands);
    }
    return commands;
  }

  /** The chat-input command a user in `guildId` would see under `name` (guild commands shadow global ones). */
  findCommand(name: string, guildId: Snowflake | null, type = 1): ApiApplicationCommand | undefined {
    const inScope = (scope: Map<Snowflake, ApiApplicationCommand> | undefined) => {
      if (!scope) return undefined;
      for (const command of scope.values()) if (command.name === name && command.type === type) return command;
      return undefined;
    };
    return (guildId ? inScope(this.guildCommands.get(guildId)) : undefined) ?? inScope(this.globalCommands);
  }

  uploadLimitFor(channelId: Snowflake): number {
    const guildId = this.channels.get(channelId)?.guildId;
    const guild = guildId ? this.guilds.get(guildId) : undefined;
    return guild?.uploadLimitBytes ?? this.options.defaultUploadLimitBytes;
  }
}

function makeRole(id: Snowflake, name: string, position: number, permissions: PermissionInput): ApiRole {
  return {
    id,
    name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions: resolvePermissions(permissions).toString(),
    managed: false,
    mentionable: false,
    flags: 0,
  };
}

function lowerBound(sorted: Snowflake[], id: Snowflake): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareSnowflakes(sorted[mid]!, id) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(sorted: Snowflake[], id: Snowflake): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareSnowflakes(sorted[mid]!, id) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function binarySearch(sorted: Snowflake[], id: Snowflake): number {
  const index = lowerBound(sorted, id);
  return sorted[index] === id ? index : -1;
}
