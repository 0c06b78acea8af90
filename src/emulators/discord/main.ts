/**
 * `npm run emulator:discord [-- --port 8790]`: the Discord emulator on its own, for the
 * offline sandbox. Prints the environment the bot needs, seeds a small server, logs what the
 * bot posts, and reads commands on stdin to act as users:
 *
 *   /imagine prompt:"a red fox" count:4      run a slash command (as alice, in #general)
 *   as bob /imagine prompt:"…"               … as another seeded user (bob speaks zh-TW)
 *   in <channelId> /imagine …                … in another channel
 *   click <messageId> <customId> [user]      click a button
 *   messages [channelId]                     show a channel's history
 *   timings                                  dispatch → first response of every interaction
 *
 * The same actions are available over HTTP under /_emulator/ (see control-api.ts).
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { InteractionHandle } from './actor.js';
import { startDiscordEmulator } from './emulator.js';
import type { StoredMessage } from './state.js';
import type { GuildSpec } from './types.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8790' },
    host: { type: 'string', default: '127.0.0.1' },
    token: { type: 'string' },
    'application-id': { type: 'string', default: '1380000000000000001' },
    guilds: { type: 'string', default: '1' },
    shards: { type: 'string', default: '1' },
    'upload-limit-mib': { type: 'string' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(`Usage: npm run emulator:discord -- [options]
  --port <n>               port (default 8790; 0 picks a free one)
  --host <addr>            address (default 127.0.0.1)
  --token <t>              bot token to accept (default: a fixed sandbox token)
  --application-id <id>    application / bot user id (default 1380000000000000001)
  --guilds <n>             sandbox servers to seed (default 1)
  --shards <n>             shard count GET /gateway/bot recommends (default 1)
  --upload-limit-mib <n>   per-file upload limit (default 10)
  --quiet                  do not log what the bot posts`);
  process.exit(0);
}

function positive(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`--${name} must be a non-negative number, got ${raw}`);
    process.exit(2);
  }
  return value;
}

const applicationId = values['application-id'];
if (!/^\d{15,21}$/.test(applicationId)) {
  console.error(`--application-id must be a snowflake (15–21 digits), got ${applicationId}`);
  process.exit(2);
}
const token =
  values.token ?? `${Buffer.from(applicationId).toString('base64url')}.ZW11bA.discord-emulator-sandbox-token`;
const guildCount = Math.max(1, Math.floor(positive('guilds', values.guilds) ?? 1));
const uploadMiB = positive('upload-limit-mib', values['upload-limit-mib']);

/** Fixed ids for the first server, so a .env written once keeps working across restarts. */
const FIXED = {
  guild: '1380000000000000100',
  general: '1380000000000000101',
  gallery: '1380000000000000102',
  media: '1380000000000000103',
  readOnly: '1380000000000000104',
  alice: '1380000000000000201',
  bob: '1380000000000000202',
  mod: '1380000000000000203',
};

function sandboxGuild(index: number): GuildSpec {
  const first = index === 0;
  return {
    ...(first ? { id: FIXED.guild } : {}),
    name: first ? 'Seedream Sandbox' : `Seedream Sandbox ${index + 1}`,
    roles: [{ name: 'Moderators', permissions: ['ManageMessages'] }],
    channels: [
      { ...(first ? { id: FIXED.general } : {}), name: 'general' },
      { ...(first ? { id: FIXED.gallery } : {}), name: 'gallery', type: 'forum', availableTags: [{ name: 'sets' }] },
      { ...(first ? { id: FIXED.media } : {}), name: 'media-gallery', type: 'media' },
      {
        ...(first ? { id: FIXED.readOnly } : {}),
        name: 'read-only',
        overwrites: [{ id: '@bot', deny: ['SendMessages', 'AttachFiles'] }],
      },
    ],
    members: [{ user: FIXED.alice }, { user: FIXED.bob }, { user: FIXED.mod, roles: ['Moderators'] }],
  };
}

const emulator = await startDiscordEmulator({
  host: values.host,
  port: positive('port', values.port),
  botToken: token,
  applicationId,
  botUsername: 'seedream-sandbox',
  users: [
    { id: FIXED.alice, username: 'alice', locale: 'en-US' },
    { id: FIXED.bob, username: 'bob', locale: 'zh-TW' },
    { id: FIXED.mod, username: 'mod', locale: 'en-US' },
  ],
  guilds: Array.from({ length: guildCount }, (_, i) => sandboxGuild(i)),
  recommendedShards: Math.max(1, Math.floor(positive('shards', values.shards) ?? 1)),
  ...(uploadMiB !== undefined ? { uploadLimitBytes: Math.floor(uploadMiB * 1024 * 1024) } : {}),
  controlApi: true,
});

const guild = emulator.defaultGuild;
console.log(`Discord emulator listening on ${emulator.apiUrl}. Paste into .env:
DISCORD_API_URL=${emulator.apiUrl}
DISCORD_TOKEN=${emulator.botToken}
DISCORD_APPLICATION_ID=${emulator.applicationId}
DEV_GUILD_ID=${guild.id}

Seeded server "${guild.name}" (${guild.id}):
  #general        ${FIXED.general}
  #gallery        ${FIXED.gallery} (forum)
  #media-gallery  ${FIXED.media} (media)
  #read-only      ${FIXED.readOnly} (the bot may not post or attach)
Users: alice ${FIXED.alice} (en-US), bob ${FIXED.bob} (zh-TW), mod ${FIXED.mod} (Manage Messages)
${guildCount > 1 ? `Plus ${guildCount - 1} more server(s): ${[...emulator.state.guilds.keys()].slice(1).join(', ')}\n` : ''}
Type /command key:value … to run a slash command as alice in #general ("help" for more).
Control API: ${emulator.apiUrl.replace(/\/api$/, '')}/_emulator/state`);

const userIds: Record<string, string> = { alice: FIXED.alice, bob: FIXED.bob, mod: FIXED.mod };

function describe(message: StoredMessage): string {
  const parts: string[] = [];
  const channel = emulator.state.channels.get(message.channelId)?.data.name ?? message.channelId;
  parts.push(
    `[${message.ephemeral ? 'ephemeral ' : ''}message ${message.id} in #${channel}${message.loading ? ', thinking…' : ''}]`,
  );
  if (message.data.content) parts.push(JSON.stringify(message.data.content.slice(0, 200)));
  if (message.data.embeds.length > 0) parts.push(`${message.data.embeds.length} embed(s)`);
  for (const attachment of message.data.attachments)
    parts.push(`\n    ${attachment.filename} ${attachment.size} B → ${attachment.url}`);
  const ids: string[] = [];
  const walk = (components: unknown[]) => {
    for (const c of components as Array<Record<string, unknown>>) {
      if (typeof c['custom_id'] === 'string') ids.push(c['custom_id']);
      if (Array.isArray(c['components'])) walk(c['components']);
    }
  };
  walk(message.data.components);
  if (ids.length > 0) parts.push(`\n    components: ${ids.join(', ')}`);
  return parts.join(' ');
}

if (!values.quiet) {
  emulator.events.on('messageCreate', (m) => {
    if (m.data.author.id === emulator.botUser.id) console.log(`+ ${describe(m)}`);
  });
  emulator.events.on('messageUpdate', (m) => console.log(`~ ${describe(m)}`));
  emulator.events.on('interactionResponse', (r) =>
    console.log(
      `← interaction ${r.id} (${r.name}) answered with type ${r.response?.type} after ${r.response?.afterMs} ms`,
    ),
  );
}

/** `key:value key:"quoted value"` → options; numbers and booleans typed. */
function parseOptions(text: string): Record<string, string | number | boolean> {
  const options: Record<string, string | number | boolean> = {};
  for (const match of text.matchAll(/([\w-]+):("(?:[^"\\]|\\.)*"|\S+)/g)) {
    const raw = match[2]!;
    const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    options[match[1]!] =
      value === 'true' ? true : value === 'false' ? false : /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  }
  return options;
}

function report(handle: InteractionHandle): void {
  console.log(`→ interaction ${handle.id} dispatched to ${handle.record.deliveredTo} session(s)`);
  handle
    .waitForResponse({ timeoutMs: 3_500 })
    .catch(() =>
      console.log(`! interaction ${handle.id}: no response within 3 s (Discord would show "did not respond")`),
    );
}

function run(line: string): void {
  let rest = line.trim();
  if (!rest) return;
  let user = FIXED.alice;
  let channel = FIXED.general;
  const as = /^as\s+(\S+)\s+/.exec(rest);
  if (as) {
    user = userIds[as[1]!] ?? as[1]!;
    rest = rest.slice(as[0].length);
  }
  const inChannel = /^in\s+(\S+)\s+/.exec(rest);
  if (inChannel) {
    channel = inChannel[1]!;
    rest = rest.slice(inChannel[0].length);
  }
  if (rest.startsWith('/')) {
    const nameMatch = /^\/([\w-]+(?:\s+[\w-]+(?=\s|$)(?![^\s]*:))*)/.exec(rest);
    const name = nameMatch?.[1] ?? rest.slice(1).split(/\s+/)[0]!;
    report(emulator.runSlashCommand({ user, channel }, name, parseOptions(rest.slice(1 + name.length))));
    return;
  }
  const [command, ...args] = rest.split(/\s+/);
  switch (command) {
    case 'click':
      report(emulator.clickButton(userIds[args[2] ?? ''] ?? args[2] ?? user, args[0]!, args[1]!));
      return;
    case 'messages':
      for (const message of emulator.channelMessages(args[0] ?? channel)) console.log(describe(message));
      return;
    case 'timings':
      console.table(emulator.interactionTimings());
      return;
    case 'help':
      console.log(`/name key:value …            slash command as alice in #general
as <alice|bob|mod|id> …       act as another user
in <channelId> …              act in another channel
click <messageId> <customId> [user]
messages [channelId]
timings`);
      return;
    default:
      console.log(`Unknown command "${command}" (try "help")`);
  }
}

const input = createInterface({ input: process.stdin, terminal: false });
input.on('line', (line) => {
  try {
    run(line);
  } catch (error) {
    console.log(`! ${error instanceof Error ? error.message : String(error)}`);
  }
});

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: closing the Discord emulator`);
  input.close();
  emulator.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
