/**
 * The bot's own channel routes: read, post, edit and delete messages, threads, forum/media
 * posts. These are checked against the bot's channel permissions (50001/50013), unlike
 * interaction responses, which Discord lets through whatever the channel says.
 */
import { DiscordApiError, Errors, FormErrors } from '../../errors.js';
import { hasPermission, type PermissionName } from '../../permissions.js';
import {
  ChannelTypes,
  charLength,
  FORUM_LIKE_TYPES,
  Limits,
  POSTABLE_TYPES,
  THREAD_TYPES,
} from '../../rules/limits.js';
import { isObject } from '../../rules/message-rules.js';
import type { ChannelRecord, StoredMessage } from '../../state.js';
import { noContent, ok, type RouteContext, type RouteDefinition } from '../context.js';
import { jsonObject, messageRequest, parseLimit } from './shared.js';

function channelOf(ctx: RouteContext): ChannelRecord {
  const channel = ctx.env.state.channels.get(ctx.params['channel']!);
  if (!channel) throw Errors.unknownChannel();
  if (channel.guildId === null && channel.recipientId === null) throw Errors.missingAccess();
  return channel;
}

/** Throws 50001 without View Channel, 50013 without any of `needed`. */
function requirePermissions(ctx: RouteContext, channel: ChannelRecord, needed: PermissionName[]): void {
  if (!channel.guildId) return;
  const bits = ctx.env.state.botPermissionsIn(channel.data.id);
  if (!hasPermission(bits, 'ViewChannel')) throw Errors.missingAccess();
  for (const permission of needed) if (!hasPermission(bits, permission)) throw Errors.missingPermissions();
}

function sendPermission(channel: ChannelRecord): PermissionName {
  return THREAD_TYPES.has(channel.data.type) ? 'SendMessagesInThreads' : 'SendMessages';
}

function messageIn(ctx: RouteContext, channel: ChannelRecord): StoredMessage {
  const message = ctx.env.state.messages.get(ctx.params['message']!);
  if (!message || message.deleted || message.ephemeral || message.channelId !== channel.data.id)
    throw Errors.unknownMessage();
  return message;
}

const getChannel = (ctx: RouteContext) => {
  const channel = channelOf(ctx);
  requirePermissions(ctx, channel, []);
  return ok(channel.data);
};

const listMessages = (ctx: RouteContext) => {
  const channel = channelOf(ctx);
  requirePermissions(ctx, channel, []);
  if (channel.guildId && !hasPermission(ctx.env.state.botPermissionsIn(channel.data.id), 'ReadMessageHistory'))
    return ok([]);
  const limit = parseLimit(ctx.query.get('limit'), 50, 100);
  const page = ctx.env.state.pageHistory(channel.data.id, {
    limit,
    before: ctx.query.get('before') ?? undefined,
    after: ctx.query.get('after') ?? undefined,
    around: ctx.query.get('around') ?? undefined,
  });
  return ok(page.map((m) => m.data));
};

const getMessage = (ctx: RouteContext) => {
  const channel = channelOf(ctx);
  requirePermissions(ctx, channel, ['ReadMessageHistory']);
  return ok(messageIn(ctx, channel).data);
};

/**
 * Discord's `enforce_nonce`: a second create with the same nonce by the same author in the
 * same channel within a few minutes returns the first message instead of a new one.
 */
const NONCE_WINDOW_MS = 5 * 60_000;
const noncesByState = new WeakMap<object, Map<string, { messageId: string; at: number }>>();

function enforcedNonceKey(body: Record<string, unknown>, channelId: string, authorId: string): string | undefined {
  const nonce = body['nonce'];
  if (body['enforce_nonce'] !== true || (typeof nonce !== 'string' && typeof nonce !== 'number')) return undefined;
  return `${channelId}:${authorId}:${nonce}`;
}

const postMessage = async (ctx: RouteContext) => {
  const { state, messages } = ctx.env;
  const channel = channelOf(ctx);
  if (!POSTABLE_TYPES.has(channel.data.type)) throw Errors.nonTextChannel();
  if (channel.recipientId && !state.users.get(channel.recipientId)?.acceptsDirectMessages)
    throw Errors.cannotMessageUser();
  const request = messageRequest(await ctx.body());
  const needed: PermissionName[] = [sendPermission(channel)];
  if (request.files.length > 0) needed.push('AttachFiles');
  requirePermissions(ctx, channel, needed);
  if (channel.data.thread_metadata?.locked || channel.data.thread_metadata?.archived) throw Errors.threadLocked();
  const reference = request.body['message_reference'];
  if (isObject(reference) && reference['fail_if_not_exists'] !== false) {
    const target = state.messages.get(String(reference['message_id']));
    if (!target || target.deleted || target.ephemeral) {
      throw Errors.invalidFormBody('message_reference', 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', 'Unknown message');
    }
  }
  const nonceKey = enforcedNonceKey(request.body, channel.data.id, state.botUser.id);
  let nonces = noncesByState.get(state);
  if (!nonces) {
    nonces = new Map();
    noncesByState.set(state, nonces);
  }
  if (nonceKey) {
    const seen = nonces.get(nonceKey);
    const earlier = seen && state.now() - seen.at < NONCE_WINDOW_MS ? state.messages.get(seen.messageId) : undefined;
    if (earlier && !earlier.deleted) return ok(earlier.data);
  }
  const message = messages.create({
    channel,
    author: state.botUser,
    request,
    source: 'channel',
    type: isObject(reference) ? 19 : 0,
    uploadLimitBytes: state.uploadLimitFor(channel.data.id),
  });
  if (nonceKey) nonces.set(nonceKey, { messageId: message.id, at: state.now() });
  return ok(message.data);
};

const editMessage = async (ctx: RouteContext) => {
  const channel = channelOf(ctx);
  requirePermissions(ctx, channel, []);
  const message = messageIn(ctx, channel);
  if (message.data.author.id !== ctx.env.state.botUser.id) throw Errors.cannotEditOthersMessage();
  const request = messageRequest(await ctx.body());
  if (request.files.length > 0) requirePermissions(ctx, channel, ['AttachFiles']);
  return ok(ctx.env.messages.edit(message, request, ctx.env.state.uploadLimitFor(channel.data.id)).data);
};

const deleteMessage = (ctx: RouteContext) => {
  const channel = channelOf(ctx);
  requirePermissions(ctx, channel, []);
  const message = messageIn(ctx, channel);
  if (message.data.author.id !== ctx.env.state.botUser.id) requirePermissions(ctx, channel, ['ManageMessages']);
  ctx.env.state.deleteMessage(message);
  return noContent();
};

function checkThreadName(name: unknown, errors: FormErrors): void {
  if (typeof name !== 'string' || charLength(name) < 1 || charLength(name) > Limits.threadName) {
    errors.add(['name'], 'BASE_TYPE_BAD_LENGTH', `Must be between 1 and ${Limits.threadName} in length.`);
  }
}

/** POST /channels/:id/threads: a forum/media post (with its first message) or a thread without one. */
const startThread = async (ctx: RouteContext) => {
  const { state, messages } = ctx.env;
  const parent = channelOf(ctx);
  const parsed = await ctx.body();
  const body = jsonObject(parsed);
  const errors = new FormErrors();
  checkThreadName(body['name'], errors);
  const autoArchive = typeof body['auto_archive_duration'] === 'number' ? body['auto_archive_duration'] : undefined;

  if (FORUM_LIKE_TYPES.has(parent.data.type)) {
    const starter = body['message'];
    if (!isObject(starter)) errors.add(['message'], 'BASE_TYPE_REQUIRED', 'This field is required');
    errors.throwIfAny();
    const needed: PermissionName[] = ['SendMessages'];
    if (parsed.files.length > 0) needed.push('AttachFiles');
    requirePermissions(ctx, parent, needed);
    const tags = Array.isArray(body['applied_tags']) ? body['applied_tags'].map(String) : [];
    const known = new Set((parent.data.available_tags ?? []).map((t) => t.id));
    if (tags.some((t) => !known.has(t))) {
      throw Errors.invalidFormBody('applied_tags', 'BASE_TYPE_CHOICES', 'Unknown forum tag.');
    }
    if (parent.requireTag && tags.length === 0)
      throw new DiscordApiError(400, 40067, 'A tag is required to create a forum post in this channel');
    if (parent.data.type === ChannelTypes.GuildMedia && parsed.files.length === 0) {
      throw Errors.invalidFormBody(
        'message.attachments',
        'BASE_TYPE_REQUIRED',
        'Media channel posts need at least one attachment',
      );
    }
    const starterRequest = { body: starter as Record<string, unknown>, files: parsed.files };
    const uploadLimitBytes = state.uploadLimitFor(parent.data.id);
    messages.check(starterRequest, uploadLimitBytes);
    // The post's id is its starter message's id, as on Discord.
    const id = state.nextId();
    const thread = state.createThread(parent, {
      id,
      name: String(body['name']),
      type: ChannelTypes.PublicThread,
      ownerId: state.botUser.id,
      autoArchiveMinutes: autoArchive,
      appliedTags: tags,
    });
    const message = messages.create({
      id,
      channel: thread,
      author: state.botUser,
      request: starterRequest,
      source: 'forum-post',
      type: 0,
      uploadLimitBytes,
    });
    return ok(
      {
        ...thread.data,
        message: message.data,
        member: threadMember(thread.data.id, state.botUser.id, state.timestamp()),
      },
      201,
    );
  }

  if (parent.data.type !== ChannelTypes.GuildText && parent.data.type !== ChannelTypes.GuildAnnouncement) {
    throw Errors.invalidFormBody('type', 'BASE_TYPE_CHOICES', 'Threads cannot be created in this channel');
  }
  errors.throwIfAny();
  const type = typeof body['type'] === 'number' ? body['type'] : ChannelTypes.PrivateThread;
  if (
    type !== ChannelTypes.PublicThread &&
    type !== ChannelTypes.PrivateThread &&
    type !== ChannelTypes.AnnouncementThread
  ) {
    throw Errors.invalidFormBody('type', 'BASE_TYPE_CHOICES', 'Value must be one of {10, 11, 12}.');
  }
  requirePermissions(ctx, parent, [
    type === ChannelTypes.PrivateThread ? 'CreatePrivateThreads' : 'CreatePublicThreads',
  ]);
  const thread = state.createThread(parent, {
    name: String(body['name']),
    type,
    ownerId: state.botUser.id,
    autoArchiveMinutes: autoArchive,
  });
  return ok(thread.data, 201);
};

/** POST /channels/:id/messages/:message/threads: a thread whose id is the message's. */
const threadFromMessage = async (ctx: RouteContext) => {
  const { state } = ctx.env;
  const parent = channelOf(ctx);
  const message = messageIn(ctx, parent);
  const body = jsonObject(await ctx.body());
  const errors = new FormErrors();
  checkThreadName(body['name'], errors);
  errors.throwIfAny();
  requirePermissions(ctx, parent, ['CreatePublicThreads']);
  if (state.channels.has(message.id))
    throw new DiscordApiError(400, 160004, 'A thread has already been created for this message');
  const thread = state.createThread(parent, {
    id: message.id,
    name: String(body['name']),
    type: ChannelTypes.PublicThread,
    ownerId: state.botUser.id,
    autoArchiveMinutes: typeof body['auto_archive_duration'] === 'number' ? body['auto_archive_duration'] : undefined,
  });
  message.data = { ...message.data, thread: thread.data };
  return ok(thread.data, 201);
};

const FORUM_TAG_LIMIT = 20;
const TAG_NAME_LIMIT = 20;

/**
 * PATCH /channels/:id: a guild channel's name, topic and forum tags (Manage Channels), or a
 * thread's name, archived/locked state and tags (Manage Threads, or its owner for name/archived).
 * Tags without an id are created; tags left out of `available_tags` are removed.
 */
const modifyChannel = async (ctx: RouteContext) => {
  const { state } = ctx.env;
  const channel = channelOf(ctx);
  if (!channel.guildId) throw Errors.missingAccess();
  const body = jsonObject(await ctx.body());
  const isThread = THREAD_TYPES.has(channel.data.type);
  const ownThread = isThread && channel.data.owner_id === state.botUser.id;
  const onlyOwnerFields = Object.keys(body).every((key) => key === 'name' || key === 'archived');
  requirePermissions(
    ctx,
    channel,
    isThread ? (ownThread && onlyOwnerFields ? [] : ['ManageThreads']) : ['ManageChannels'],
  );
  const errors = new FormErrors();
  if ('name' in body) checkThreadName(body['name'], errors);
  const tagsInput = body['available_tags'];
  if (tagsInput !== undefined) {
    if (!FORUM_LIKE_TYPES.has(channel.data.type) || !Array.isArray(tagsInput)) {
      errors.add(['available_tags'], 'BASE_TYPE_BAD_TYPE', 'Only forum and media channels have tags.');
    } else if (tagsInput.length > FORUM_TAG_LIMIT) {
      errors.add(['available_tags'], 'BASE_TYPE_MAX_LENGTH', `Must be ${FORUM_TAG_LIMIT} or fewer in length.`);
    } else {
      for (const [i, tag] of tagsInput.entries()) {
        const name = isObject(tag) ? tag['name'] : undefined;
        if (typeof name !== 'string' || charLength(name) < 1 || charLength(name) > TAG_NAME_LIMIT) {
          errors.add(
            ['available_tags', String(i), 'name'],
            'BASE_TYPE_BAD_LENGTH',
            `Must be between 1 and ${TAG_NAME_LIMIT} in length.`,
          );
        }
      }
    }
  }
  const appliedTags = body['applied_tags'];
  if (isThread && Array.isArray(appliedTags)) {
    // A post's tags are its forum's tags, as when it was created.
    const parent = channel.data.parent_id ? state.channels.get(channel.data.parent_id) : undefined;
    const known = new Set((parent?.data.available_tags ?? []).map((t) => t.id));
    if (!parent || !FORUM_LIKE_TYPES.has(parent.data.type)) {
      errors.add(['applied_tags'], 'BASE_TYPE_BAD_TYPE', 'Only posts in forum and media channels have tags.');
    } else if (appliedTags.some((t) => !known.has(String(t)))) {
      errors.add(['applied_tags'], 'BASE_TYPE_CHOICES', 'Unknown forum tag.');
    } else if (parent.requireTag && appliedTags.length === 0) {
      throw new DiscordApiError(400, 40067, 'A tag is required to create a forum post in this channel');
    }
  }
  errors.throwIfAny();
  const data = channel.data;
  if (typeof body['name'] === 'string') data.name = body['name'];
  if ('topic' in body && !isThread) data.topic = typeof body['topic'] === 'string' ? body['topic'] : null;
  if (Array.isArray(tagsInput)) {
    const known = new Map((data.available_tags ?? []).map((tag) => [tag.id, tag]));
    data.available_tags = tagsInput.map((raw) => {
      const tag = raw as Record<string, unknown>;
      const id = typeof tag['id'] === 'string' && known.has(tag['id']) ? tag['id'] : state.nextId();
      return {
        id,
        name: String(tag['name']),
        moderated: tag['moderated'] === true,
        emoji_id: typeof tag['emoji_id'] === 'string' ? tag['emoji_id'] : null,
        emoji_name: typeof tag['emoji_name'] === 'string' ? tag['emoji_name'] : null,
      };
    });
  }
  if (isThread && data.thread_metadata) {
    if (typeof body['archived'] === 'boolean') data.thread_metadata.archived = body['archived'];
    if (typeof body['locked'] === 'boolean') data.thread_metadata.locked = body['locked'];
    if (Array.isArray(body['applied_tags'])) data.applied_tags = body['applied_tags'].map(String);
  }
  state.events.emit('channelUpdate', channel);
  return ok(data);
};

/** DELETE /channels/:id: a thread (Manage Threads) or a guild channel (Manage Channels). */
const deleteChannel = (ctx: RouteContext) => {
  const channel = channelOf(ctx);
  if (!channel.guildId) throw Errors.missingAccess();
  requirePermissions(ctx, channel, [THREAD_TYPES.has(channel.data.type) ? 'ManageThreads' : 'ManageChannels']);
  const data = { ...channel.data };
  ctx.env.state.deleteChannel(channel.data.id);
  return ok(data);
};

function threadMember(threadId: string, userId: string, joinedAt: string) {
  return { id: threadId, user_id: userId, join_timestamp: joinedAt, flags: 0 };
}

export const channelRoutes: RouteDefinition[] = [
  { method: 'GET', pattern: '/channels/:channel', auth: 'bot', handler: getChannel },
  { method: 'PATCH', pattern: '/channels/:channel', auth: 'bot', handler: modifyChannel },
  { method: 'DELETE', pattern: '/channels/:channel', auth: 'bot', handler: deleteChannel },
  { method: 'GET', pattern: '/channels/:channel/messages', auth: 'bot', handler: listMessages },
  { method: 'POST', pattern: '/channels/:channel/messages', auth: 'bot', handler: postMessage },
  { method: 'GET', pattern: '/channels/:channel/messages/:message', auth: 'bot', handler: getMessage },
  { method: 'PATCH', pattern: '/channels/:channel/messages/:message', auth: 'bot', handler: editMessage },
  { method: 'DELETE', pattern: '/channels/:channel/messages/:message', auth: 'bot', handler: deleteMessage },
  { method: 'POST', pattern: '/channels/:channel/threads', auth: 'bot', handler: startThread },
  { method: 'POST', pattern: '/channels/:channel/messages/:message/threads', auth: 'bot', handler: threadFromMessage },
  {
    method: 'POST',
    pattern: '/channels/:channel/typing',
    auth: 'bot',
    handler: (ctx) => {
      channelOf(ctx);
      return noContent();
    },
  },
];
