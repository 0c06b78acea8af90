/**
 * `/_emulator/…`: a small JSON control API so a sandbox (another process, curl) can act as
 * users and read what the bot did while the bot runs against the stand-alone emulator.
 *
 *   GET  /_emulator/state                      guilds, channels, users, sessions, commands
 *   POST /_emulator/slash   {user, guild?, channel?, locale?, name, options?}
 *   POST /_emulator/autocomplete {user, guild?, channel?, locale?, name, options, focused}
 *   POST /_emulator/click   {user, message, customId}
 *   POST /_emulator/permissions {channel, guild?, allow?, deny?}   grant/deny the bot in a channel
 *   GET  /_emulator/interactions/:id           response, original message, follow-ups
 *   GET  /_emulator/channels/:id/messages      visible history, oldest first
 *   GET  /_emulator/timings                    dispatch → first response per interaction
 *
 * Plus the browser sandbox's routes (event stream, world, select, modal…) in control-extras.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { InteractionHandle } from './actor.js';
import { decodeSlashOptions, handleControlExtras } from './control-extras.js';
import type { DiscordEmulator } from './emulator.js';
import { PermissionFlags, type PermissionName, permissionNames } from './permissions.js';
import { sendJson } from './rest/server.js';
import { isObject } from './rules/message-rules.js';
import type { JsonObject } from './types.js';

async function readJson(req: IncomingMessage): Promise<JsonObject> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  if (chunks.length === 0) return {};
  const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  if (!isObject(parsed)) throw new Error('expected a JSON object');
  return parsed;
}

function summary(handle: InteractionHandle): JsonObject {
  return { id: handle.id, token: handle.token, deliveredTo: handle.record.deliveredTo };
}

function interactionView(emulator: DiscordEmulator, id: string): JsonObject | undefined {
  const record = emulator.interaction(id);
  if (!record) return undefined;
  const original = record.originalMessageId ? emulator.message(record.originalMessageId) : undefined;
  return {
    id: record.id,
    kind: record.kind,
    name: record.name,
    userId: record.userId,
    response: record.response ?? null,
    rejectedCallbacks: record.rejectedCallbacks,
    original: original ? { ...original.data, loading: original.loading, ephemeral: original.ephemeral } : null,
    followUps: record.followUpIds.map((m) => emulator.message(m)?.data ?? null),
  };
}

const permissionList = z
  .union([z.string(), z.array(z.string())])
  .transform((raw) => (Array.isArray(raw) ? raw : raw.split(/[\s,]+/)).filter(Boolean))
  .refine((names) => names.every((n) => n in PermissionFlags), {
    message: `permissions are names such as ManageThreads, AttachFiles (one of ${Object.keys(PermissionFlags).join(', ')})`,
  })
  .transform((names) => names as PermissionName[]);

const permissionsBody = z.object({
  /** A channel id, or a name (`gallery` / `#gallery`) in `guild` or the first guild. */
  channel: z.string().min(1),
  guild: z.string().optional(),
  allow: permissionList.optional(),
  deny: permissionList.optional(),
});

/** Grants/denies the bot permissions in a channel; answers with its overwrite and what it may now do there. */
function changeBotPermissions(emulator: DiscordEmulator, raw: JsonObject): JsonObject {
  const parsed = permissionsBody.safeParse(raw);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const body = parsed.data;
  const channelId = /^\d+$/.test(body.channel)
    ? body.channel
    : emulator.channelByName(body.channel.replace(/^#/, ''), body.guild ?? emulator.defaultGuild).data.id;
  const overwrite = emulator.changeBotPermissions(channelId, { allow: body.allow ?? [], deny: body.deny ?? [] });
  return {
    channel: channelId,
    overwrite,
    permissions: permissionNames(emulator.state.botPermissionsIn(channelId)),
  };
}

export function createControlHandler(emulator: DiscordEmulator) {
  return async (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> => {
    const method = req.method ?? 'GET';
    const parts = path.split('/').slice(2); // after /_emulator
    try {
      if (await handleControlExtras(emulator, req, res, parts, query, { send: sendJson, readJson })) return;
      if (method === 'GET' && parts[0] === 'state') {
        const state = emulator.state;
        sendJson(res, 200, {
          apiUrl: emulator.apiUrl,
          applicationId: emulator.applicationId,
          botUser: emulator.botUser,
          guilds: [...state.guilds.values()].map((g) => ({
            id: g.id,
            name: g.name,
            ownerId: g.ownerId,
            locale: g.preferredLocale,
            channels: g.channelIds.map((id) => {
              const c = state.channels.get(id)!;
              return { id, name: c.data.name, type: c.data.type };
            }),
            members: [...g.members.keys()],
          })),
          users: [...state.users.values()].map((u) => ({ ...u.user, locale: u.locale })),
          sessions: emulator.sessions(),
          commands: {
            global: emulator.commands(),
            guilds: Object.fromEntries([...state.guildCommands].map(([g, m]) => [g, [...m.values()]])),
          },
        });
        return;
      }
      if (method === 'POST' && (parts[0] === 'slash' || parts[0] === 'autocomplete')) {
        const body = await readJson(req);
        const context = {
          user: String(body['user']),
          guild: typeof body['guild'] === 'string' ? body['guild'] : undefined,
          channel: typeof body['channel'] === 'string' ? body['channel'] : undefined,
          locale: typeof body['locale'] === 'string' ? body['locale'] : undefined,
        };
        const options = decodeSlashOptions(body['options']);
        const handle =
          parts[0] === 'slash'
            ? emulator.runSlashCommand(context, String(body['name']), options)
            : emulator.autocomplete(context, String(body['name']), options, String(body['focused']));
        sendJson(res, 200, summary(handle));
        return;
      }
      if (method === 'POST' && parts[0] === 'click') {
        const body = await readJson(req);
        const locale = typeof body['locale'] === 'string' ? { locale: body['locale'] } : {};
        const handle = emulator.clickButton(
          String(body['user']),
          String(body['message']),
          String(body['customId']),
          locale,
        );
        sendJson(res, 200, summary(handle));
        return;
      }
      if (method === 'POST' && parts[0] === 'permissions') {
        sendJson(res, 200, changeBotPermissions(emulator, await readJson(req)));
        return;
      }
      if (method === 'GET' && parts[0] === 'interactions' && parts[1]) {
        const view = interactionView(emulator, parts[1]);
        sendJson(res, view ? 200 : 404, view ?? { message: 'Unknown interaction' });
        return;
      }
      if (method === 'GET' && parts[0] === 'channels' && parts[1] && parts[2] === 'messages') {
        sendJson(
          res,
          200,
          emulator.channelMessages(parts[1]).map((m) => m.data),
        );
        return;
      }
      if (method === 'GET' && parts[0] === 'timings') {
        sendJson(res, 200, emulator.interactionTimings());
        return;
      }
      sendJson(res, 404, { message: 'Unknown control route' });
    } catch (error) {
      sendJson(res, 400, { message: error instanceof Error ? error.message : String(error) });
    }
  };
}
