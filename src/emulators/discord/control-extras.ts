/**
 * Control routes a browser sandbox needs beyond the basic ones in control-api.ts:
 *
 *   GET  /_emulator/events                      Server-Sent Events (see event-stream.ts)
 *   GET  /_emulator/world                       guilds (channels, roles, members), DMs, users, commands
 *   GET  /_emulator/messages?channel=<id>       every message of a channel as a view, ephemeral ones included
 *   POST /_emulator/autocomplete-choices {user, guild?, channel?, locale?, name, options, focused}
 *                                               → {id, choices} once the bot answered (3 s at most)
 *   POST /_emulator/select {user, message, customId, values, locale?}
 *   POST /_emulator/modal  {user, interaction, values, locale?}   submits the modal that interaction showed
 *
 * Attachment options in /slash take `{filename, base64, contentType?}` (see decodeSlashOptions).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AttachmentOptionInput, InteractionHandle, type SlashOptions } from './actor.js';
import type { DiscordEmulator } from './emulator.js';
import { messageView, serveEventStream } from './event-stream.js';
import { isObject } from './rules/message-rules.js';
import type { JsonObject } from './types.js';

type Send = (res: ServerResponse, status: number, body: unknown) => void;
type ReadJson = (req: IncomingMessage) => Promise<JsonObject>;

/** An uploaded file arrives as base64 in JSON; everything else passes through. */
export function decodeSlashOptions(raw: unknown): SlashOptions {
  const options: SlashOptions = {};
  if (!isObject(raw)) return options;
  for (const [key, value] of Object.entries(raw)) {
    if (isObject(value) && typeof value['filename'] === 'string' && typeof value['base64'] === 'string') {
      const file: AttachmentOptionInput = {
        filename: value['filename'],
        data: Buffer.from(value['base64'], 'base64'),
        ...(typeof value['contentType'] === 'string' ? { contentType: value['contentType'] } : {}),
      };
      options[key] = file;
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      options[key] = value;
    } else if (isObject(value) && typeof value['id'] === 'string') {
      options[key] = { id: value['id'] };
    }
  }
  return options;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function worldView(emulator: DiscordEmulator): JsonObject {
  const state = emulator.state;
  const user = (id: string) => state.users.get(id);
  return {
    applicationId: emulator.applicationId,
    botUser: emulator.botUser as unknown as JsonObject,
    guilds: [...state.guilds.values()].map((g) => ({
      id: g.id,
      name: g.name,
      ownerId: g.ownerId,
      locale: g.preferredLocale,
      channels: g.channelIds.flatMap((id) => {
        const c = state.channels.get(id);
        if (!c) return [];
        // A forum post shows the names of its tags, which live on its parent forum.
        const parentTags = c.data.parent_id ? state.channels.get(c.data.parent_id)?.data.available_tags : undefined;
        const tags = (c.data.applied_tags ?? []).map((tag) => parentTags?.find((t) => t.id === tag)?.name ?? tag);
        const parentId = c.data.parent_id ?? null;
        return [{ id, name: c.data.name ?? '', type: c.data.type, parentId, topic: c.data.topic ?? null, tags }];
      }),
      roles: [...g.roles.values()].map((r) => ({ id: r.id, name: r.name, color: r.color, permissions: r.permissions })),
      members: [...g.members.values()].map((m) => ({
        userId: m.userId,
        username: user(m.userId)?.user.username ?? m.userId,
        globalName: user(m.userId)?.user.global_name ?? null,
        nick: m.nick,
        roles: m.roles,
      })),
    })),
    dms: [...state.channels.values()]
      .filter((c) => c.guildId === null && c.recipientId !== null)
      .map((c) => ({ id: c.data.id, recipientId: c.recipientId })),
    users: [...state.users.values()].map((u) => ({ ...u.user, locale: u.locale })),
    commands: {
      global: emulator.commands() as unknown as JsonObject[],
      guilds: Object.fromEntries([...state.guildCommands].map(([g, m]) => [g, [...m.values()]])),
    },
  };
}

/** Handles the routes above; false when the path is not one of them. */
export async function handleControlExtras(
  emulator: DiscordEmulator,
  req: IncomingMessage,
  res: ServerResponse,
  parts: string[],
  query: URLSearchParams,
  helpers: { send: Send; readJson: ReadJson },
): Promise<boolean> {
  const method = req.method ?? 'GET';
  const { send, readJson } = helpers;
  if (method === 'GET' && parts[0] === 'events') {
    serveEventStream(emulator, req, res);
    return true;
  }
  if (method === 'GET' && parts[0] === 'world') {
    send(res, 200, worldView(emulator));
    return true;
  }
  if (method === 'GET' && parts[0] === 'messages') {
    const channelId = query.get('channel') ?? '';
    const channel = emulator.state.channels.get(channelId);
    if (!channel) {
      send(res, 404, { message: 'Unknown channel' });
      return true;
    }
    const views = [...emulator.state.messages.values()]
      .filter((m) => m.channelId === channelId && !m.deleted)
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
      .map((m) => messageView(emulator, m));
    send(res, 200, views);
    return true;
  }
  if (method === 'POST' && parts[0] === 'autocomplete-choices') {
    const body = await readJson(req);
    const handle = emulator.autocomplete(
      {
        user: String(body['user']),
        guild: optionalString(body['guild']),
        channel: optionalString(body['channel']),
        locale: optionalString(body['locale']),
      },
      String(body['name']),
      decodeSlashOptions(body['options']),
      String(body['focused']),
    );
    const choices = await handle.choices({ timeoutMs: 3_000 });
    send(res, 200, { id: handle.id, choices });
    return true;
  }
  if (method === 'POST' && parts[0] === 'select') {
    const body = await readJson(req);
    const values = Array.isArray(body['values']) ? body['values'].map(String) : [];
    const locale = optionalString(body['locale']);
    const handle = emulator.selectMenu(
      String(body['user']),
      String(body['message']),
      String(body['customId']),
      values,
      locale ? { locale } : {},
    );
    send(res, 200, { id: handle.id, token: handle.token });
    return true;
  }
  if (method === 'POST' && parts[0] === 'modal') {
    const body = await readJson(req);
    const record = emulator.interaction(String(body['interaction']));
    if (!record) {
      send(res, 404, { message: 'Unknown interaction' });
      return true;
    }
    const values = isObject(body['values'])
      ? Object.fromEntries(Object.entries(body['values']).map(([k, v]) => [k, String(v)]))
      : {};
    const locale = optionalString(body['locale']);
    const handle = emulator.submitModal(
      String(body['user']),
      new InteractionHandle(record, emulator.state),
      values,
      locale ? { locale } : {},
    );
    send(res, 200, { id: handle.id, token: handle.token });
    return true;
  }
  return false;
}
