/**
 * GET /_emulator/events: a Server-Sent Events stream of what members would see change, so a
 * browser page can render the bot's messages live. Events:
 *
 *   message     {op: 'create'|'update'|'delete', message: MessageView}
 *   interaction {id, kind, name, userId, channelId, sourceMessageId, response: {type, data}}
 *   world       {reason}  (channels, members or commands changed: read /_emulator/world again)
 *
 * Ephemeral messages carry `recipientId` (the member who ran the interaction): only that member
 * may be shown them, as Discord's client does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DiscordEmulator } from './emulator.js';
import type { InteractionRecord } from './interactions.js';
import type { EmulatorEvents, StoredMessage } from './state.js';
import type { JsonObject } from './types.js';

/** Comment lines keep idle proxies and browsers from closing the stream. */
const KEEP_ALIVE_MS = 15_000;

export function messageView(emulator: DiscordEmulator, message: StoredMessage): JsonObject {
  const interaction = message.interactionId ? emulator.interaction(message.interactionId) : undefined;
  return {
    id: message.id,
    channelId: message.channelId,
    guildId: message.guildId,
    ephemeral: message.ephemeral,
    loading: message.loading,
    deleted: message.deleted,
    source: message.source,
    interactionId: message.interactionId,
    recipientId: message.ephemeral ? (interaction?.userId ?? null) : null,
    editCount: message.editCount,
    // A page shows it now: its CDN URLs signed from now, as a member's client would get them.
    data: emulator.state.cdn.refresh(message.data) as unknown as JsonObject,
  };
}

export function interactionEventView(record: InteractionRecord): JsonObject {
  return {
    id: record.id,
    kind: record.kind,
    name: record.name,
    userId: record.userId,
    channelId: record.channelId,
    locale: record.locale,
    sourceMessageId: record.sourceMessageId,
    response: record.response ? { type: record.response.type, data: record.response.data ?? null } : null,
  };
}

export function serveEventStream(emulator: DiscordEmulator, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  res.write(': stream open\n\n');
  const send = (event: string, data: JsonObject) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const events = emulator.events;
  const message = (op: 'create' | 'update' | 'delete') => (m: StoredMessage) =>
    send('message', { op, message: messageView(emulator, m) });
  const world = (reason: string) => () => send('world', { reason });
  // What the page hears: each subscription keeps its own undo, run when the page goes.
  const unsubscribe: Array<() => void> = [];
  const on = <K extends keyof EmulatorEvents>(event: K, handler: (...args: EmulatorEvents[K]) => void) => {
    events.on(event, handler as never);
    unsubscribe.push(() => events.off(event, handler as never));
  };
  on('messageCreate', message('create'));
  on('messageUpdate', message('update'));
  on('messageDelete', message('delete'));
  on('interactionResponse', (r: InteractionRecord) => send('interaction', interactionEventView(r)));
  on('channelCreate', world('channelCreate'));
  on('channelUpdate', world('channelUpdate'));
  on('channelDelete', world('channelDelete'));
  on('commandsUpdate', world('commandsUpdate'));
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  keepAlive.unref();
  const stop = () => {
    clearInterval(keepAlive);
    for (const undo of unsubscribe) undo();
  };
  req.on('close', stop);
  res.on('close', stop);
}
