/**
 * `npm run emulator:discord [-- --port 8790]`: the Discord emulator on its own, for the
 * offline sandbox. Prints the environment the bot needs, seeds a small server, prints what
 * members see of everything the bot posts or edits (render-text.ts), and reads commands on
 * stdin to act as members (terminal-command.ts):
 *
 *   /imagine prompt:"a red fox" count:4      run a slash command (as alice, in #general)
 *   as owner /gallery setup channel:#gallery … as another seeded member (owner has Manage Server)
 *   in #gallery /imagine …                   … in another channel
 *   click Cancel                             click a button (by label or custom_id)
 *   select sd1:vary 3                        pick in a select menu (by value or label)
 *   submit prompt:"a blue fox" count:2       submit the newest form shown (by custom_id or label)
 *   /imagine prompt:"…" reference1:@./fox.png  attach a local file to an attachment option
 *   grant #gallery ManageThreads             allow / deny the bot a permission in a channel
 *   messages [#channel]                      show a channel's history
 *   timings                                  dispatch → first response of every interaction
 *
 * The same actions are available over HTTP under /_emulator/ (see control-api.ts).
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { nonNegativeFlag } from '../cli-flags.js';
import { InteractionHandle } from './actor.js';
import { type PermissionName, permissionNames } from './permissions.js';
import { renderInteractionResponse, renderMessage, stateNames, viewOf } from './render-text.js';
import { startDiscordEmulator } from './start.js';
import type { StoredMessage } from './state.js';
import { findButton, findSelect, parseTerminalLine } from './terminal-command.js';
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

const applicationId = values['application-id'];
if (!/^\d{15,21}$/.test(applicationId)) {
  console.error(`--application-id must be a snowflake (15–21 digits), got ${applicationId}`);
  process.exit(2);
}
const token =
  values.token ?? `${Buffer.from(applicationId).toString('base64url')}.ZW11bA.discord-emulator-sandbox-token`;
const guildCount = Math.max(1, Math.floor(nonNegativeFlag('guilds', values.guilds) ?? 1));
const uploadMiB = nonNegativeFlag('upload-limit-mib', values['upload-limit-mib']);

/** Fixed ids for the first server, so a .env written once keeps working across restarts. */
const FIXED = {
  guild: '1380000000000000100',
  general: '1380000000000000101',
  gallery: '1380000000000000102',
  media: '1380000000000000103',
  readOnly: '1380000000000000104',
  owner: '1380000000000000200',
  alice: '1380000000000000201',
  bob: '1380000000000000202',
  mod: '1380000000000000203',
};

function sandboxGuild(index: number): GuildSpec {
  const first = index === 0;
  return {
    ...(first ? { id: FIXED.guild } : {}),
    name: first ? 'Seedream Sandbox' : `Seedream Sandbox ${index + 1}`,
    // The owner may do everything (Manage Server included): /settings, /gallery setup.
    ownerId: FIXED.owner,
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
  port: nonNegativeFlag('port', values.port),
  botToken: token,
  applicationId,
  botUsername: 'seedream-sandbox',
  users: [
    { id: FIXED.owner, username: 'owner', locale: 'en-US' },
    { id: FIXED.alice, username: 'alice', locale: 'en-US' },
    { id: FIXED.bob, username: 'bob', locale: 'zh-TW' },
    { id: FIXED.mod, username: 'mod', locale: 'en-US' },
  ],
  guilds: Array.from({ length: guildCount }, (_, i) => sandboxGuild(i)),
  recommendedShards: Math.max(1, Math.floor(nonNegativeFlag('shards', values.shards) ?? 1)),
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
Members:
  owner  ${FIXED.owner} (en-US) server owner: Manage Server, for /settings and /gallery setup
  alice  ${FIXED.alice} (en-US) the member you act as by default
  bob    ${FIXED.bob} (zh-TW)
  mod    ${FIXED.mod} (en-US) @Moderators: Manage Messages
${guildCount > 1 ? `Plus ${guildCount - 1} more server(s): ${[...emulator.state.guilds.keys()].slice(1).join(', ')}\n` : ''}
Type /command option:value … to run a slash command as alice in #general, e.g.
  /imagine prompt:"a lighthouse at dusk" count:4
  as owner /gallery setup channel:#gallery
  grant #gallery ManageThreads ManageChannels
("help" for more). Control API: ${emulator.apiUrl.replace(/\/api$/, '')}/_emulator/state`);

const names = stateNames(emulator.state);
const defaults = { user: FIXED.alice, channel: FIXED.general };
/** What was last printed per message, so an edit that changes nothing members see is not printed again. */
const lastShown = new Map<string, string>();

function show(message: StoredMessage, event: 'posted' | 'edited'): void {
  const text = renderMessage(viewOf(emulator.state, message, event), names);
  const body = text.slice(text.indexOf('\n') + 1);
  if (event === 'edited' && lastShown.get(message.id) === body) return;
  lastShown.set(message.id, body);
  console.log(text);
}

if (!values.quiet) {
  emulator.events.on('messageCreate', (m) => {
    if (m.data.author.id === emulator.botUser.id) show(m, 'posted');
  });
  emulator.events.on('messageUpdate', (m) => show(m, 'edited'));
  emulator.events.on('messageDelete', (m) =>
    console.log(`- deleted message ${m.id} in ${names.channel(m.channelId) ?? m.channelId}`),
  );
  emulator.events.on('interactionResponse', (record) => {
    const extra = renderInteractionResponse(record, names);
    if (extra) console.log(extra);
  });
}

const CALLBACKS: Record<number, string> = {
  4: 'answered',
  5: 'deferred ("thinking…")',
  6: 'acknowledged',
  7: 'updated its message',
  8: 'offered choices',
  9: 'showed a form',
};

function report(handle: InteractionHandle): void {
  const who = names.user(handle.record.userId) ?? handle.record.userId;
  console.log(
    `→ ${who}: ${handle.record.kind === 'command' ? `/${handle.record.name}` : handle.record.kind === 'modal-submit' ? `submit ${handle.record.name}` : `click ${handle.record.name}`}`,
  );
  handle.waitForResponse({ timeoutMs: 3_500 }).then(
    (response) =>
      console.log(
        `← the bot ${CALLBACKS[response.type] ?? `answered (type ${response.type})`} in ${response.afterMs} ms`,
      ),
    () => console.log(`! no answer within 3 s (Discord would show "The application did not respond")`),
  );
}

const HELP = `/name [sub] option:value …     slash command (values may be "quoted"; channel:#name, user:@name, role:@Name)
as <owner|alice|bob|mod> …      act as another member (owner has Manage Server)
in <#channel> …                 act in another channel
click [messageId] <label|custom_id>   click a button (default: the newest message with it)
select [messageId] <custom_id|"placeholder"> <value|label>[,…]   pick in a select menu
submit field:value …            submit the newest form you were shown (fields by custom_id or label;
                                left out: its prefilled value)
/imagine prompt:"…" reference1:@./fox.png   attach a file from this machine to an attachment option
grant <#channel> <Permission…>  allow the bot permissions there (e.g. grant #gallery ManageThreads ManageChannels)
deny <#channel> <Permission…>   take it away (e.g. deny #general AttachFiles)
permissions [#channel]          what the bot may do there
messages [#channel]             the channel's history as members see it
timings                         dispatch → first response of every interaction`;

function run(line: string): void {
  const action = parseTerminalLine(emulator.state, line, defaults);
  if (['slash', 'click', 'select', 'submit'].includes(action.kind) && emulator.sessions().length === 0) {
    console.log(
      '! The bot is not connected yet: put the lines above in .env, then npm run deploy-commands and npm start',
    );
    return;
  }
  switch (action.kind) {
    case 'none':
      return;
    case 'slash':
      report(emulator.runSlashCommand({ user: action.user, channel: action.channel }, action.name, action.options));
      return;
    case 'click': {
      const target = findButton(emulator.state, action.user, action.message, action.button);
      report(emulator.clickButton(action.user, target.message, target.customId));
      return;
    }
    case 'select': {
      const target = findSelect(emulator.state, action.user, action.message, action.select, action.values);
      report(emulator.selectMenu(action.user, target.message, target.customId, target.values));
      return;
    }
    case 'submit': {
      const record = emulator.interaction(action.interaction)!;
      report(emulator.submitModal(action.user, new InteractionHandle(record, emulator.state), action.values));
      return;
    }
    case 'permissions': {
      if (action.allow.length > 0 || action.deny.length > 0) {
        emulator.changeBotPermissions(action.channel, {
          allow: action.allow as PermissionName[],
          deny: action.deny as PermissionName[],
        });
      }
      const bits = emulator.state.botPermissionsIn(action.channel);
      console.log(`The bot in ${names.channel(action.channel)} may: ${permissionNames(bits).join(', ') || 'nothing'}`);
      return;
    }
    case 'messages':
      for (const message of emulator.channelMessages(action.channel))
        console.log(renderMessage(viewOf(emulator.state, message, 'posted'), names));
      return;
    case 'timings':
      console.table(emulator.interactionTimings());
      return;
    case 'help':
      console.log(HELP);
      return;
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
