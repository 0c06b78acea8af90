/**
 * Turning a message request (JSON or multipart) into a stored message, and applying edits with
 * Discord's semantics: absent fields stay, `attachments` lists what to keep, uploads become
 * attachments on the emulator's CDN, `attachment://name` references resolve to those URLs,
 * and mentions are filtered by `allowed_mentions` (edits never notify).
 */
import { Errors } from './errors.js';
import { contentTypeFor, readImageSize } from './image-size.js';
import type { UploadedFile } from './rest/body.js';
import { sanitizeFilename, validateAttachmentReferences } from './rules/attachment-rules.js';
import { MessageFlags } from './rules/limits.js';
import { isObject, validateMessageBody } from './rules/message-rules.js';

export { sanitizeFilename };

import { snowflakeTimestampMs } from './snowflake.js';
import {
  type ChannelRecord,
  discordTimestamp,
  type EmulatorState,
  type MessageSource,
  type PingSet,
  type StoredMessage,
} from './state.js';
import type {
  ApiAllowedMentions,
  ApiAttachment,
  ApiComponent,
  ApiEmbed,
  ApiMessage,
  ApiUser,
  JsonObject,
  Snowflake,
} from './types.js';

export interface MessageRequest {
  body: JsonObject;
  files: UploadedFile[];
}

export interface CreateMessageInput {
  channel: ChannelRecord;
  author: ApiUser;
  request: MessageRequest;
  source: MessageSource;
  type: number;
  uploadLimitBytes: number;
  ephemeral?: boolean;
  /** Deferred "thinking…" placeholder: no body is required. */
  loading?: boolean;
  interactionId?: Snowflake | null;
  id?: Snowflake;
  /** Extra wire fields: webhook_id, application_id, interaction_metadata… */
  extra?: Partial<ApiMessage>;
  /** Runs once the message is valid, before anyone hears of it (links it to its interaction first). */
  beforeInsert?: (id: Snowflake) => void;
}

/** Flags a sender may set; Ephemeral and Loading are decided by the interaction flow. */
const SENDABLE_FLAGS =
  MessageFlags.SuppressEmbeds |
  MessageFlags.SuppressNotifications |
  MessageFlags.IsVoiceMessage |
  MessageFlags.IsComponentsV2;

export class MessageFactory {
  constructor(
    private readonly state: EmulatorState,
    private readonly cdnUrl: () => string,
  ) {}

  /** Throws what creating this message would throw (413, 50035, 30015, 50006). */
  check(request: MessageRequest, uploadLimitBytes: number): void {
    const requested = typeof request.body['flags'] === 'number' ? request.body['flags'] : 0;
    this.checkFileSizes(request.files, uploadLimitBytes);
    validateMessageBody(request.body, {
      isEdit: false,
      finalAttachmentCount: request.files.length,
      effectiveFlags: requested & SENDABLE_FLAGS,
    });
    validateAttachmentReferences(request.body, request.files);
  }

  create(input: CreateMessageInput): StoredMessage {
    const { body, files } = input.request;
    const requested = typeof body['flags'] === 'number' ? body['flags'] : 0;
    const flags =
      (requested & SENDABLE_FLAGS) |
      (input.ephemeral ? MessageFlags.Ephemeral : 0) |
      (input.loading ? MessageFlags.Loading : 0);
    if (!input.loading) this.check(input.request, input.uploadLimitBytes);
    const id = input.id ?? this.state.nextId();
    const entries = attachmentEntries(body);
    const attachments = files.map((file) =>
      this.storeUpload(file, input.channel.data.id, entries, input.ephemeral ?? false),
    );
    const content = typeof body['content'] === 'string' ? body['content'] : '';
    const allowedMentions = isObject(body['allowed_mentions'])
      ? (body['allowed_mentions'] as ApiAllowedMentions)
      : undefined;
    const mentions = this.mentionsOf(content, allowedMentions, input.channel.guildId);
    const data: ApiMessage = {
      id,
      channel_id: input.channel.data.id,
      author: input.author,
      content,
      // A message's timestamp is the one in its id, as on Discord (also when the clock went back).
      timestamp: discordTimestamp(snowflakeTimestampMs(id)),
      edited_timestamp: null,
      tts: body['tts'] === true,
      mention_everyone: mentions.everyone,
      mentions: mentions.users.map((userId) => this.state.userObject(userId)),
      mention_roles: mentions.roles,
      attachments,
      embeds: resolveEmbeds(body['embeds'], attachments),
      pinned: false,
      type: input.type,
      flags,
      components: resolveComponents(body['components'], attachments),
      ...input.extra,
    };
    if (body['nonce'] !== undefined && (typeof body['nonce'] === 'string' || typeof body['nonce'] === 'number'))
      data.nonce = body['nonce'];
    if (isObject(body['message_reference'])) {
      const reference = body['message_reference'];
      data.message_reference = {
        type: typeof reference['type'] === 'number' ? reference['type'] : 0,
        message_id: String(reference['message_id'] ?? ''),
        channel_id: String(reference['channel_id'] ?? input.channel.data.id),
      };
      if (input.channel.guildId) data.message_reference.guild_id = input.channel.guildId;
    }
    const silent = input.loading || (flags & MessageFlags.SuppressNotifications) !== 0;
    const stored: StoredMessage = {
      id,
      channelId: input.channel.data.id,
      guildId: input.channel.guildId,
      data,
      ephemeral: input.ephemeral ?? false,
      loading: input.loading ?? false,
      source: input.source,
      interactionId: input.interactionId ?? null,
      allowedMentions,
      pinged: silent ? { users: [], roles: [], everyone: false } : mentions,
      editCount: 0,
      deleted: false,
    };
    input.beforeInsert?.(id);
    this.state.insertMessage(stored);
    return stored;
  }

  /** Applies an edit; `requestIsFromAuthor` is checked by the caller (50005). */
  edit(stored: StoredMessage, request: MessageRequest, uploadLimitBytes: number): StoredMessage {
    const { body, files } = request;
    const current = stored.data;
    let flags = current.flags & ~MessageFlags.Loading;
    if (typeof body['flags'] === 'number') {
      // Only the sendable bits change; Components V2 cannot be switched off once on.
      flags =
        (flags & ~SENDABLE_FLAGS) | (body['flags'] & SENDABLE_FLAGS) | (current.flags & MessageFlags.IsComponentsV2);
    }
    const entries = attachmentEntries(body);
    let kept = current.attachments;
    if (Array.isArray(body['attachments'])) {
      const keepIds = new Set(entries.keys());
      kept = current.attachments.filter((a) => keepIds.has(a.id)).map((a) => withEntry(a, entries.get(a.id)));
    }
    this.checkFileSizes(files, uploadLimitBytes);
    validateMessageBody(body, {
      isEdit: true,
      finalAttachmentCount: kept.length + files.length,
      effectiveFlags: flags,
      // What the edit leaves in place counts too: a message cannot become V2 still holding text or embeds.
      keptLegacy: {
        content: !('content' in body) && current.content !== '',
        embeds: !('embeds' in body) && current.embeds.length > 0,
      },
    });
    validateAttachmentReferences(body, files, current.attachments);

    const added = files.map((file) => this.storeUpload(file, stored.channelId, entries, stored.ephemeral));
    const attachments = [...kept, ...added];
    const next: ApiMessage = { ...current, flags, attachments };
    if ('content' in body) next.content = typeof body['content'] === 'string' ? body['content'] : '';
    if ('embeds' in body) next.embeds = resolveEmbeds(body['embeds'], attachments);
    else if (added.length > 0) next.embeds = resolveEmbeds(current.embeds, attachments);
    if ('components' in body) next.components = resolveComponents(body['components'], attachments);
    if ('allowed_mentions' in body) {
      stored.allowedMentions = isObject(body['allowed_mentions'])
        ? (body['allowed_mentions'] as ApiAllowedMentions)
        : undefined;
    }
    const mentions = this.mentionsOf(next.content, stored.allowedMentions, stored.guildId);
    next.mentions = mentions.users.map((userId) => this.state.userObject(userId));
    next.mention_roles = mentions.roles;
    next.mention_everyone = mentions.everyone;
    // Filling a deferred placeholder is not shown as an edit.
    next.edited_timestamp = stored.loading ? null : this.state.timestamp();
    stored.data = next;
    stored.loading = false;
    stored.editCount++;
    this.state.events.emit('messageUpdate', stored);
    return stored;
  }

  private checkFileSizes(files: UploadedFile[], limit: number): void {
    for (const file of files) if (file.bytes.length > limit) throw Errors.requestTooLarge();
  }

  storeUpload(
    file: UploadedFile,
    channelId: Snowflake,
    entries: Map<string, JsonObject>,
    ephemeral: boolean,
  ): ApiAttachment {
    const id = this.state.nextId();
    const filename = sanitizeFilename(file.filename);
    const contentType = contentTypeFor(filename, file.contentType);
    const url = this.state.cdn.sign(`${this.cdnUrl()}/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`);
    const attachment: ApiAttachment = { id, filename, size: file.bytes.length, url, proxy_url: url };
    if (contentType) attachment.content_type = contentType;
    if (contentType?.startsWith('image/')) {
      const size = readImageSize(file.bytes);
      if (size) {
        attachment.width = size.width;
        attachment.height = size.height;
      }
    }
    if (ephemeral) attachment.ephemeral = true;
    const entry = file.index === null ? undefined : entries.get(String(file.index));
    Object.assign(attachment, withEntry(attachment, entry));
    this.state.uploads.set(id, {
      id,
      channelId,
      filename,
      contentType,
      size: file.bytes.length,
      bytes: this.state.options.retainUploads ? file.bytes : null,
    });
    return attachment;
  }

  mentionsOf(content: string, allowed: ApiAllowedMentions | undefined, guildId: Snowflake | null): PingSet {
    const users = new Set<string>();
    const roles = new Set<string>();
    for (const match of content.matchAll(/<@!?(\d{1,20})>/g)) users.add(match[1]!);
    if (guildId) for (const match of content.matchAll(/<@&(\d{1,20})>/g)) roles.add(match[1]!);
    const everyone = guildId !== null && /@(everyone|here)\b/.test(content);
    if (!allowed) return { users: [...users], roles: [...roles], everyone };
    const parse = allowed.parse ?? [];
    const allowedUsers = new Set(allowed.users ?? []);
    const allowedRoles = new Set(allowed.roles ?? []);
    return {
      users: parse.includes('users') ? [...users] : [...users].filter((id) => allowedUsers.has(id)),
      roles: parse.includes('roles') ? [...roles] : [...roles].filter((id) => allowedRoles.has(id)),
      everyone: everyone && parse.includes('everyone'),
    };
  }
}

function attachmentEntries(body: JsonObject): Map<string, JsonObject> {
  const entries = new Map<string, JsonObject>();
  if (Array.isArray(body['attachments'])) {
    for (const entry of body['attachments'])
      if (isObject(entry) && entry['id'] !== undefined) entries.set(String(entry['id']), entry);
  }
  return entries;
}

function withEntry(attachment: ApiAttachment, entry: JsonObject | undefined): ApiAttachment {
  if (!entry) return attachment;
  const next = { ...attachment };
  if (typeof entry['description'] === 'string') next.description = entry['description'];
  if (typeof entry['title'] === 'string') next.title = entry['title'];
  return next;
}

function findAttachment(url: unknown, attachments: ApiAttachment[]): ApiAttachment | undefined {
  if (typeof url !== 'string' || !url.startsWith('attachment://')) return undefined;
  const name = url.slice('attachment://'.length);
  const cleaned = sanitizeFilename(name);
  return attachments.find((a) => a.filename === name || a.filename === cleaned);
}

function resolveMedia(media: unknown, attachments: ApiAttachment[]): JsonObject | undefined {
  if (!isObject(media)) return undefined;
  const attachment = findAttachment(media['url'], attachments);
  if (!attachment) return { ...media, proxy_url: media['proxy_url'] ?? media['url'] };
  const resolved: JsonObject = { ...media, url: attachment.url, proxy_url: attachment.proxy_url, flags: 0 };
  if (attachment.width) resolved['width'] = attachment.width;
  if (attachment.height) resolved['height'] = attachment.height;
  if (attachment.content_type) resolved['content_type'] = attachment.content_type;
  return resolved;
}

export function resolveEmbeds(embeds: unknown, attachments: ApiAttachment[]): ApiEmbed[] {
  if (!Array.isArray(embeds)) return [];
  return embeds.filter(isObject).map((embed) => {
    const out: JsonObject = { type: 'rich', ...embed };
    // Discord answers every field with its `inline`, false unless sent.
    if (Array.isArray(embed['fields'])) {
      out['fields'] = embed['fields'].map((field) =>
        isObject(field) ? { ...field, inline: field['inline'] === true } : field,
      );
    }
    for (const key of ['image', 'thumbnail'] as const) {
      const media = resolveMedia(embed[key], attachments);
      if (media) out[key] = media;
    }
    for (const key of ['author', 'footer'] as const) {
      const part = embed[key];
      if (!isObject(part)) continue;
      const icon = findAttachment(part['icon_url'], attachments);
      out[key] = icon ? { ...part, icon_url: icon.url, proxy_icon_url: icon.proxy_url } : part;
    }
    return out as ApiEmbed;
  });
}

/**
 * Components as sent, with `attachment://` media of Components V2 resolved like embeds, and
 * numbered as Discord numbers them: a component sent without an `id` gets the next free one.
 */
export function resolveComponents(components: unknown, attachments: ApiAttachment[]): ApiComponent[] {
  if (!Array.isArray(components)) return [];
  const taken = new Set<number>();
  const collectIds = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(collectIds);
    else if (isObject(value)) {
      if (typeof value['type'] === 'number' && typeof value['id'] === 'number') taken.add(value['id']);
      for (const v of Object.values(value)) collectIds(v);
    }
  };
  collectIds(components);
  let next = 1;
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (!isObject(value)) return value;
    const out: JsonObject = {};
    if (typeof value['type'] === 'number' && typeof value['id'] !== 'number') {
      while (taken.has(next)) next++;
      out['id'] = next++;
    }
    for (const [key, v] of Object.entries(value)) {
      if ((key === 'media' || key === 'file') && isObject(v)) {
        const attachment = findAttachment(v['url'], attachments);
        // Discord answers unfurled media with an id of its own (the attachment's, for an upload).
        out[key] = attachment
          ? { ...resolveMedia(v, attachments), id: attachment.id, attachment_id: attachment.id }
          : { id: '0', ...resolveMedia(v, attachments) };
      } else out[key] = walk(v);
    }
    return withResponseDefaults(out);
  };
  return components.filter(isObject).map((c) => walk(c) as ApiComponent);
}

/** Select menus: string, user, role, mentionable, channel. */
const SELECT_TYPES = new Set([3, 5, 6, 7, 8]);

/**
 * The fields Discord's answer always carries for a component, filled in as Discord fills them
 * when the request left them out (its response schemas require them).
 */
function withResponseDefaults(component: JsonObject): JsonObject {
  const type = component['type'];
  if (typeof type === 'number' && SELECT_TYPES.has(type)) {
    return { min_values: 1, max_values: 1, ...component };
  }
  if (type === 17) return { accent_color: null, spoiler: false, ...component };
  if (type === 11) return { description: null, spoiler: false, ...component };
  if (type === 13) return { spoiler: false, ...component };
  if (type === 14) return { divider: true, spacing: 1, ...component };
  // A media gallery's items have no `type`; an item is what carries `media` without one.
  if (type === undefined && isObject(component['media'])) return { description: null, spoiler: false, ...component };
  return component;
}

/** Finds a component by custom_id anywhere in a message (rows, sections, containers). */
export function findComponent(components: readonly unknown[], customId: string): ApiComponent | undefined {
  for (const component of components) {
    if (!isObject(component)) continue;
    if (component['custom_id'] === customId) return component as ApiComponent;
    for (const key of ['components', 'accessory']) {
      const nested = component[key];
      const found = Array.isArray(nested)
        ? findComponent(nested, customId)
        : isObject(nested)
          ? findComponent([nested], customId)
          : undefined;
      if (found) return found;
    }
  }
  return undefined;
}
