/**
 * The bot's few raw REST calls, on discord.js's REST client (so its rate-limit handling,
 * retries on 429 and global bucket apply). Cards are edited through the interaction's
 * webhook while its token lives (15 min) and through the channel route afterwards; results
 * are posted with a nonce and `enforce_nonce`, so a post repeated after a crash is answered
 * with the first message instead of a second one.
 */
import {
  type APIChannel,
  type APIGuild,
  type APIGuildForumTag,
  type APIGuildMember,
  type APIMessage,
  type APIOverwrite,
  type APIThreadChannel,
  ChannelType,
  OverwriteType,
  PermissionFlagsBits,
  REST,
  type RequestData,
  Routes,
  SnowflakeUtil,
} from 'discord.js';
import type { JobRecord } from '../engine/job.js';
import { AppError } from '../errors.js';
import { multipartRequest, sendRestRequest, type UploadFile } from './multipart.js';
import { NO_MENTIONS } from './text.js';

/** Interaction tokens live 15 minutes; stop using them a little before. */
export const INTERACTION_TOKEN_TTL_MS = 14 * 60_000;

export interface MessagePayload {
  content?: string;
  embeds?: unknown[];
  components?: unknown[];
  attachments?: Array<{ id: number; filename: string; description?: string }>;
  /** Message flags (IS_COMPONENTS_V2 for a result grid). */
  flags?: number;
}

/**
 * A REST client for the interaction endpoints (edit original, follow-ups, with the
 * interaction's token). Discord does not count those against the bot's global limit of 50
 * requests a second, but discord.js's limiter counts every request but the callback: after a
 * burst of commands the status cards would wait seconds behind each other. Here the global
 * counter never binds; per-route limits (from Discord's headers) and 429 answers, a global
 * one included, are still obeyed.
 */
export function interactionRestClient(api: string | undefined): REST {
  return new REST({
    ...(api ? { api } : {}),
    makeRequest: sendRestRequest,
    globalRequestsPerSecond: Number.MAX_SAFE_INTEGER,
  });
}

/** A JSON body, or with files a multipart body of the files' own buffers (see multipart.ts). */
function withFiles(body: Record<string, unknown>, files: readonly UploadFile[]): RequestData {
  return files.length > 0 ? multipartRequest(body, files) : { body };
}

export class DiscordApi {
  /** For the interaction endpoints (edit original, follow-ups): see `interactionRest`. */
  readonly interactionRest: REST;

  constructor(
    readonly rest: REST,
    readonly applicationId: string,
    private readonly clock: () => number = Date.now,
    interactionRest?: REST,
  ) {
    this.interactionRest = interactionRest ?? rest;
  }

  /** Replaces the slash commands: in `guildId` (at once), or globally (may take a while to show). */
  async registerCommands(definitions: readonly unknown[], guildId?: string): Promise<void> {
    const route = guildId
      ? Routes.applicationGuildCommands(this.applicationId, guildId)
      : Routes.applicationCommands(this.applicationId);
    await this.rest.put(route, { body: definitions });
  }

  /** Edits the job's status card by whichever route still works. */
  async editCard(job: JobRecord, card: MessagePayload): Promise<void> {
    const body = { ...card, allowed_mentions: NO_MENTIONS };
    const token = job.surface.interactionToken;
    const issuedAt = job.surface.interactionAt;
    if (
      typeof token === 'string' &&
      typeof issuedAt === 'number' &&
      this.clock() - issuedAt < INTERACTION_TOKEN_TTL_MS
    ) {
      await this.interactionRest.patch(Routes.webhookMessage(this.applicationId, token, '@original'), {
        body,
        auth: false,
      });
      return;
    }
    const messageId = job.surface.cardMessageId;
    if (typeof messageId !== 'string') throw new AppError('card_unknown', 'The status card message id is not known');
    await this.rest.patch(Routes.channelMessage(job.owner.channelId, messageId), { body });
  }

  /**
   * Posts a message in a channel; `nonce` makes a repeated post return the first message (so a
   * post aborted by `signal` may be sent again safely).
   */
  async postMessage(
    channelId: string,
    payload: MessagePayload,
    files: UploadFile[],
    nonce: string,
    signal?: AbortSignal,
  ): Promise<string> {
    const message = (await this.rest.post(Routes.channelMessages(channelId), {
      ...withFiles({ ...payload, nonce, enforce_nonce: true, allowed_mentions: NO_MENTIONS }, files),
      ...(signal ? { signal } : {}),
    })) as { id: string };
    return message.id;
  }

  /** Posts through the interaction's follow-up webhook (where the bot may not post in the channel). */
  async followUp(job: JobRecord, payload: MessagePayload, files: UploadFile[]): Promise<string> {
    const token = job.surface.interactionToken;
    if (typeof token !== 'string') throw new AppError('interaction_expired', 'No interaction token');
    const message = (await this.interactionRest.post(Routes.webhook(this.applicationId, token), {
      ...withFiles({ ...payload, allowed_mentions: NO_MENTIONS }, files),
      query: new URLSearchParams({ wait: 'true' }),
      auth: false,
    })) as { id: string };
    return message.id;
  }

  interactionTokenAlive(job: JobRecord): boolean {
    const issuedAt = job.surface.interactionAt;
    return (
      typeof job.surface.interactionToken === 'string' &&
      typeof issuedAt === 'number' &&
      this.clock() - issuedAt < INTERACTION_TOKEN_TTL_MS
    );
  }

  async deleteMessage(channelId: string, messageId: string): Promise<void> {
    await this.rest.delete(Routes.channelMessage(channelId, messageId));
  }

  // ——— galleries (channels, threads, forum posts, permissions) ———

  /** Like postMessage, but answers the whole message (its attachments' URLs…). */
  async postMessageReturning(
    channelId: string,
    payload: MessagePayload,
    files: UploadFile[],
    nonce: string,
  ): Promise<APIMessage> {
    return (await this.rest.post(
      Routes.channelMessages(channelId),
      withFiles({ ...payload, nonce, enforce_nonce: true, allowed_mentions: NO_MENTIONS }, files),
    )) as APIMessage;
  }

  /**
   * A forum or media post: a thread and its starter message in one call. Discord takes no nonce
   * here, so callers make it crash-safe themselves (see gallery/mirror.ts).
   */
  async createForumPost(
    channelId: string,
    post: { name: string; appliedTags: string[]; message: MessagePayload },
    files: UploadFile[],
  ): Promise<{ id: string; message?: APIMessage }> {
    return (await this.rest.post(
      Routes.threads(channelId),
      withFiles(
        {
          name: post.name,
          applied_tags: post.appliedTags,
          message: { ...post.message, allowed_mentions: NO_MENTIONS },
        },
        files,
      ),
    )) as { id: string; message?: APIMessage };
  }

  /** A public thread on a message; its id is the message's. */
  async startThreadFromMessage(channelId: string, messageId: string, name: string): Promise<string> {
    const thread = (await this.rest.post(Routes.threads(channelId, messageId), { body: { name } })) as { id: string };
    return thread.id;
  }

  async getChannel(channelId: string): Promise<APIChannel> {
    return (await this.rest.get(Routes.channel(channelId))) as APIChannel;
  }

  /** Replaces a forum's tag list (tags without an id are created). Needs Manage Channels. */
  async setForumTags(channelId: string, tags: APIGuildForumTag[] | Array<{ name: string }>): Promise<APIChannel> {
    return (await this.rest.patch(Routes.channel(channelId), { body: { available_tags: tags } })) as APIChannel;
  }

  /** Deletes a channel or a thread (a forum post is a thread). */
  async deleteChannel(channelId: string): Promise<void> {
    await this.rest.delete(Routes.channel(channelId));
  }

  async activeThreads(guildId: string): Promise<APIThreadChannel[]> {
    const answer = (await this.rest.get(Routes.guildActiveThreads(guildId))) as { threads?: APIThreadChannel[] };
    return answer.threads ?? [];
  }

  async getMessage(channelId: string, messageId: string): Promise<APIMessage> {
    return (await this.rest.get(Routes.channelMessage(channelId, messageId))) as APIMessage;
  }

  /** Up to 100 messages newer than `afterId` (a snowflake, which may be made from a time). */
  async messagesAfter(channelId: string, afterId: string, limit = 100): Promise<APIMessage[]> {
    return (await this.rest.get(Routes.channelMessages(channelId), {
      query: new URLSearchParams({ after: afterId, limit: String(limit) }),
    })) as APIMessage[];
  }

  /**
   * The bot's own message in a channel, posted since `sinceMs`, that `matches`: how a post
   * whose earlier attempt may have landed is found once Discord's nonce no longer dedupes it
   * (its window is minutes). Reads at most `maxPages` pages of 100, oldest first.
   */
  async findOwnMessage(
    channelId: string,
    sinceMs: number,
    matches: (message: APIMessage) => boolean,
    maxPages = 5,
  ): Promise<APIMessage | undefined> {
    const botId = await this.botUserId();
    let after = SnowflakeUtil.generate({ timestamp: sinceMs }).toString();
    for (let page = 0; page < maxPages; page++) {
      const messages = await this.messagesAfter(channelId, after);
      const found = messages.find((message) => message.author.id === botId && matches(message));
      if (found) return found;
      if (messages.length < 100) return undefined;
      after = messages.reduce((newest, m) => (BigInt(m.id) > BigInt(newest) ? m.id : newest), after);
    }
    return undefined;
  }

  async getGuild(guildId: string): Promise<APIGuild> {
    return (await this.rest.get(Routes.guild(guildId))) as APIGuild;
  }

  async getMember(guildId: string, userId: string): Promise<APIGuildMember> {
    return (await this.rest.get(Routes.guildMember(guildId, userId))) as APIGuildMember;
  }

  async botUserId(): Promise<string> {
    this.#botUserId ??= ((await this.rest.get(Routes.user('@me'))) as { id: string }).id;
    return this.#botUserId;
  }

  #botUserId: string | undefined;

  /**
   * The bot's permissions in a channel, computed as Discord does from fresh REST reads (the
   * gateway cache may be stale just after an admin changed something): base permissions of
   * @everyone and the bot's roles, then the channel's overwrites (a thread uses its parent's).
   */
  async botPermissionsIn(channelId: string): Promise<{ channel: APIChannel; permissions: bigint }> {
    const channel = await this.getChannel(channelId);
    const guildId = 'guild_id' in channel ? channel.guild_id : undefined;
    if (!guildId) return { channel, permissions: 0n };
    const isThread = [ChannelType.PublicThread, ChannelType.PrivateThread, ChannelType.AnnouncementThread].includes(
      channel.type,
    );
    const source =
      isThread && 'parent_id' in channel && channel.parent_id ? await this.getChannel(channel.parent_id) : channel;
    const botId = await this.botUserId();
    const [guild, member] = await Promise.all([this.getGuild(guildId), this.getMember(guildId, botId)]);
    const overwrites = 'permission_overwrites' in source ? (source.permission_overwrites ?? []) : [];
    return {
      channel,
      permissions: computeChannelPermissions({ guild, member, userId: botId, overwrites, isThread }),
    };
  }
}

/** Discord's permission arithmetic (see "Permissions" in Discord's docs), for one member in one channel. */
export function computeChannelPermissions(input: {
  guild: Pick<APIGuild, 'id' | 'owner_id' | 'roles'>;
  member: Pick<APIGuildMember, 'roles'>;
  userId: string;
  overwrites: readonly APIOverwrite[];
  isThread?: boolean;
}): bigint {
  const { guild, member, userId, overwrites } = input;
  const all = Object.values(PermissionFlagsBits).reduce((bits, bit) => bits | bit, 0n);
  if (guild.owner_id === userId) return all;
  const roles = new Map(guild.roles.map((role) => [role.id, BigInt(role.permissions)]));
  let bits = roles.get(guild.id) ?? 0n;
  for (const roleId of member.roles) bits |= roles.get(roleId) ?? 0n;
  if (bits & PermissionFlagsBits.Administrator) return all;
  const everyone = overwrites.find((o) => o.id === guild.id);
  if (everyone) bits = (bits & ~BigInt(everyone.deny)) | BigInt(everyone.allow);
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === OverwriteType.Role && o.id !== guild.id && member.roles.includes(o.id)) {
      allow |= BigInt(o.allow);
      deny |= BigInt(o.deny);
    }
  }
  bits = (bits & ~deny) | allow;
  const own = overwrites.find((o) => o.type === OverwriteType.Member && o.id === userId);
  if (own) bits = (bits & ~BigInt(own.deny)) | BigInt(own.allow);
  // Implicit rules: no View Channel means nothing; no Send Messages takes what depends on sending.
  if (!(bits & PermissionFlagsBits.ViewChannel)) return 0n;
  const send = input.isThread ? PermissionFlagsBits.SendMessagesInThreads : PermissionFlagsBits.SendMessages;
  if (!(bits & send)) {
    bits &= ~(
      PermissionFlagsBits.SendTTSMessages |
      PermissionFlagsBits.MentionEveryone |
      PermissionFlagsBits.AttachFiles |
      PermissionFlagsBits.EmbedLinks
    );
  }
  return bits;
}

/** Discord's JSON error code of a failed REST call (10008 unknown message, 50013 missing permissions…). */
export function discordErrorCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Whether another attempt of the same request may succeed: a 429, a 5xx, or no answer at all
 * (the connection failed). Any other 4xx — 50035 Invalid Form Body above all — is Discord
 * refusing the request itself, and sending it again is refused again.
 */
export function isTransientDiscordError(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status !== 'number') return true;
  return status === 429 || status >= 500;
}

export const DISCORD_ERRORS = {
  unknownMessage: 10008,
  unknownChannel: 10003,
  missingAccess: 50001,
  missingPermissions: 50013,
  unknownInteraction: 10062,
  alreadyAcknowledged: 40060,
  requestTooLarge: 40005,
} as const;
