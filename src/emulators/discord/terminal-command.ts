/**
 * One line typed into the stand-alone emulator's terminal, read the way Discord's client reads
 * what a member picks: options typed by the registered command (numbers only for number
 * options), `channel:#gallery`, `user:@bob`, `role:@Moderators` resolved by name, values quoted
 * or running to the next `option:`. Pure parsing: main.ts carries the action out.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { SlashOptions, SlashOptionValue } from './actor.js';
import type { InteractionRecord } from './interactions.js';
import { OptionTypes } from './rules/command-rules.js';
import type { ChannelRecord, EmulatorState, GuildRecord, StoredMessage } from './state.js';
import type { ApiCommandOption, ApiComponent, JsonObject, Snowflake } from './types.js';

export type TerminalAction =
  | { kind: 'slash'; user: Snowflake; channel: Snowflake; name: string; options: SlashOptions }
  | { kind: 'click'; user: Snowflake; channel: Snowflake; message: Snowflake | undefined; button: string }
  | { kind: 'select'; user: Snowflake; message: Snowflake | undefined; select: string; values: string[] }
  | { kind: 'submit'; user: Snowflake; interaction: Snowflake; values: Record<string, string> }
  | { kind: 'permissions'; channel: Snowflake; allow: string[]; deny: string[] }
  | { kind: 'messages'; channel: Snowflake }
  | { kind: 'timings' }
  | { kind: 'help' }
  | { kind: 'none' };

export interface TerminalDefaults {
  user: Snowflake;
  channel: Snowflake;
}

export class TerminalInputError extends Error {}

const fail = (message: string): never => {
  throw new TerminalInputError(message);
};

/** A user by `@name`, `name`, `<@id>` or id. */
export function resolveUser(state: EmulatorState, ref: string): Snowflake {
  const bare = ref.replace(/^<@!?(\d+)>$/, '$1').replace(/^@/, '');
  if (/^\d+$/.test(bare) && state.users.has(bare)) return bare;
  for (const record of state.users.values()) if (record.user.username === bare) return record.user.id;
  const known = [...state.users.values()].filter((u) => !u.user.bot).map((u) => u.user.username);
  return fail(`Unknown user ${ref} (known: ${known.join(', ')})`);
}

/** A channel of `guild` by `#name`, `name`, `<#id>` or id (threads too, by their own name). */
export function resolveChannel(state: EmulatorState, guild: GuildRecord, ref: string): Snowflake {
  const bare = ref.replace(/^<#(\d+)>$/, '$1').replace(/^#/, '');
  if (/^\d+$/.test(bare) && state.channels.has(bare)) return bare;
  const channels = guild.channelIds.map((id) => state.channels.get(id)).filter((c): c is ChannelRecord => !!c);
  const found = channels.find((c) => c.data.name === bare);
  if (found) return found.data.id;
  const names = channels.filter((c) => !c.data.parent_id).map((c) => `#${c.data.name}`);
  return fail(`Unknown channel ${ref} in ${guild.name} (known: ${names.join(', ')})`);
}

/** A role of `guild` by `@Name`, `Name`, `<@&id>` or id. */
export function resolveRole(guild: GuildRecord, ref: string): Snowflake {
  const bare = ref.replace(/^<@&(\d+)>$/, '$1');
  if (bare === '@everyone') return guild.id;
  if (guild.roles.has(bare)) return bare;
  const name = bare.replace(/^@/, '');
  for (const role of guild.roles.values()) if (role.name === name) return role.id;
  const known = [...guild.roles.values()].filter((r) => r.id !== guild.id).map((r) => `@${r.name}`);
  return fail(`Unknown role ${ref} (known: @everyone, ${known.join(', ')})`);
}

/** `"quoted \"text\""` → its text; anything else as typed. */
function unquote(raw: string): string {
  const value = raw.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    try {
      return JSON.parse(value) as string;
    } catch {
      return value.slice(1, -1);
    }
  }
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1);
  return value;
}

/**
 * `key:value key:"quoted" key:words until the next option` → raw strings by option name.
 * With known option names, only those start a new option, and never inside quotes (so a
 * prompt may contain `10:30` or, quoted, another option's name).
 */
export function splitOptions(text: string, known?: readonly string[]): Map<string, string> {
  const names =
    known && known.length > 0 ? known.map((n) => n.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('|') : '[\\w-]+';
  // Quoted stretches are blanked out (same length) before looking for option starts.
  const masked = text.replace(/"(?:[^"\\]|\\.)*"/g, (quoted) => ' '.repeat(quoted.length));
  const starts = [...masked.matchAll(new RegExp(`(?:^|\\s)(${names}):`, 'g'))];
  const options = new Map<string, string>();
  const leading = (starts[0] ? text.slice(0, starts[0].index) : text).trim();
  if (leading) {
    const unknown = /^([\w-]+):/.exec(leading);
    fail(unknown ? `no option "${unknown[1]}"` : `Expected option:value, got "${leading}"`);
  }
  starts.forEach((match, i) => {
    const from = match.index! + match[0].length;
    const to = starts[i + 1]?.index ?? text.length;
    let raw = text.slice(from, to).trim();
    // A quoted value ends at its closing quote even when text follows without another option.
    const quoted = /^"(?:[^"\\]|\\.)*"/.exec(raw);
    if (quoted && raw.slice(quoted[0].length).trim()) fail(`Unexpected text after ${match[1]}:${quoted[0]}`);
    raw = unquote(raw);
    options.set(match[1]!, raw);
  });
  return options;
}

/** One option's value as Discord's client would send it, by its registered type. */
export function typedValue(
  state: EmulatorState,
  guild: GuildRecord | null,
  def: ApiCommandOption | undefined,
  raw: string,
): SlashOptionValue {
  const needGuild = (what: string): GuildRecord => guild ?? fail(`${what} options need a server channel`);
  if (!def) {
    // An unregistered command: guess as the old terminal did.
    if (raw === 'true' || raw === 'false') return raw === 'true';
    return /^-?\d+(\.\d+)?$/.test(raw) && !/^\d{15,}$/.test(raw) ? Number(raw) : raw;
  }
  const choice = def.choices?.find(
    (c) => c.name.toLowerCase() === raw.toLowerCase() || String(c.value).toLowerCase() === raw.toLowerCase(),
  );
  if (choice) return choice.value;
  switch (def.type) {
    case OptionTypes.Integer:
    case OptionTypes.Number: {
      const n = Number(raw);
      if (raw === '' || Number.isNaN(n)) fail(`${def.name}: expected a number, got "${raw}"`);
      return n;
    }
    case OptionTypes.Boolean:
      if (/^(true|yes|on)$/i.test(raw)) return true;
      if (/^(false|no|off)$/i.test(raw)) return false;
      return fail(`${def.name}: expected true or false, got "${raw}"`);
    case OptionTypes.User:
      return resolveUser(state, raw);
    case OptionTypes.Channel:
      return resolveChannel(state, needGuild('Channel'), raw);
    case OptionTypes.Role:
      return resolveRole(needGuild('Role'), raw);
    case OptionTypes.Mentionable:
      if (
        /^<@&\d+>$/.test(raw) ||
        (guild && [...guild.roles.values()].some((r) => `@${r.name}` === raw || r.name === raw))
      )
        return resolveRole(needGuild('Role'), raw);
      return resolveUser(state, raw);
    case OptionTypes.Attachment: {
      // `reference1:@./fox.png` or `reference1:./fox.png`: a file on this machine, uploaded as the member's.
      const path = raw.replace(/^@/, '');
      let data: Buffer;
      try {
        data = readFileSync(path);
      } catch {
        return fail(`${def.name}: cannot read the file "${path}"`);
      }
      return { filename: basename(path), data };
    }
    default:
      return raw;
  }
}

/** `/name [group] [sub] options…` with the user and channel already chosen. */
function parseSlash(state: EmulatorState, text: string, user: Snowflake, channel: Snowflake): TerminalAction {
  const channelRecord = state.requireChannel(channel);
  const guild = channelRecord.guildId ? state.requireGuild(channelRecord.guildId) : null;
  const words = text.slice(1).trimStart();
  const commandName = /^[^\s]+/.exec(words)?.[0] ?? '';
  if (!commandName) fail('Expected a command name after /');
  const command = state.findCommand(commandName, guild?.id ?? null);
  let rest = words.slice(commandName.length);
  const path: string[] = [];
  let definitions = command?.options;
  // Sub-command groups and sub-commands are words before the first option.
  for (;;) {
    const next = /^\s+([^\s:]+)(?=\s|$)/.exec(rest);
    if (!next) break;
    const sub = definitions?.find(
      (o) => o.name === next[1] && (o.type === OptionTypes.Subcommand || o.type === OptionTypes.SubcommandGroup),
    );
    if (command && !sub) break;
    path.push(next[1]!);
    definitions = sub?.options;
    rest = rest.slice(next[0].length);
  }
  if (!command && path.length === 0 && state.guildCommands.size + state.globalCommands.size > 0) {
    fail(`/${commandName} is not registered here (run npm run deploy-commands?)`);
  }
  const where = `/${[commandName, ...path].join(' ')}`;
  let raw: Map<string, string>;
  try {
    raw = splitOptions(rest, command ? (definitions ?? []).map((o) => o.name) : undefined);
  } catch (error) {
    throw new TerminalInputError(`${where}: ${(error as Error).message}`);
  }
  const options: SlashOptions = {};
  for (const [name, value] of raw) {
    const def = definitions?.find((o) => o.name === name);
    if (command && !def) fail(`${where} has no option "${name}"`);
    options[name] = typedValue(state, guild, def, value);
  }
  return { kind: 'slash', user, channel, name: [commandName, ...path].join(' '), options };
}

/** Reads one terminal line; throws TerminalInputError with a reason a person can act on. */
export function parseTerminalLine(state: EmulatorState, line: string, defaults: TerminalDefaults): TerminalAction {
  let rest = line.trim();
  if (!rest) return { kind: 'none' };
  let user = defaults.user;
  let channel = defaults.channel;
  const guildOf = () => {
    const guildId = state.requireChannel(channel).guildId ?? state.requireChannel(defaults.channel).guildId;
    return guildId ? state.requireGuild(guildId) : fail('Not in a server');
  };
  for (;;) {
    const as = /^as\s+(\S+)\s*/.exec(rest);
    if (as) {
      user = resolveUser(state, as[1]!);
      rest = rest.slice(as[0].length);
      continue;
    }
    const inChannel = /^in\s+(\S+)\s*/.exec(rest);
    if (inChannel) {
      channel = resolveChannel(state, guildOf(), inChannel[1]!);
      rest = rest.slice(inChannel[0].length);
      continue;
    }
    break;
  }
  if (rest.startsWith('/')) return parseSlash(state, rest, user, channel);
  const [word, ...args] = rest.split(/\s+/);
  switch (word) {
    case 'click': {
      // click [messageId] <custom_id or label…> [user]: the message defaults to the newest one with that button.
      if (args.length === 0) fail('click [messageId] <button label or custom_id>');
      const message = /^\d{15,}$/.test(args[0]!) ? args.shift() : undefined;
      let clicker = user;
      if (args.length > 1 && message) {
        // The old form: click <messageId> <customId> <user>.
        const last = args[args.length - 1]!;
        const byName = [...state.users.values()].find((u) => u.user.username === last.replace(/^@/, ''));
        if (byName || /^\d{15,}$/.test(last)) {
          clicker = resolveUser(state, last);
          args.pop();
        }
      }
      return { kind: 'click', user: clicker, channel, message, button: unquote(args.join(' ')) };
    }
    case 'select': {
      // select [messageId] <custom_id|"placeholder"> <value or label>[,<value or label>…]
      const words = rest.slice(word!.length).trim();
      const message = /^\d{15,}\s/.test(words) ? words.split(/\s/, 1)[0] : undefined;
      const afterMessage = message ? words.slice(message.length).trim() : words;
      const selectMatch = /^("(?:[^"\\]|\\.)*"|\S+)\s+(.+)$/.exec(afterMessage);
      if (!selectMatch) fail('select [messageId] <custom_id or "placeholder"> <value>[,<value>…]');
      const values = selectMatch![2]!
        .split(',')
        .map((v) => unquote(v))
        .filter(Boolean);
      return { kind: 'select', user, message, select: unquote(selectMatch![1]!), values };
    }
    case 'submit': {
      // submit field:value field:"quoted value" — into the newest form the member was shown.
      const shownBy = findOpenModal(state, user);
      const known = modalFields(shownBy.response?.data ?? {});
      // Field names may hold colons (custom_ids like sd1:remix:prompt) or spaces (labels): only known ones start a value.
      const names = known.flatMap((f) => [f.customId, ...(f.label && !/\s/.test(f.label) ? [f.label] : [])]);
      const typed = rest.slice(word!.length).trim();
      const values: Record<string, string> = {};
      for (const [name, value] of typed ? splitOptions(typed, names) : new Map<string, string>()) {
        const field = known.find((f) => f.customId === name || f.label === name);
        values[field!.customId] = value;
      }
      return { kind: 'submit', user, interaction: shownBy.id, values };
    }
    case 'grant':
    case 'deny': {
      if (args.length < 2) fail(`${word} <#channel> <Permission> [Permission…]  e.g. grant #gallery ManageThreads`);
      const target = resolveChannel(state, guildOf(), args[0]!);
      const names = args
        .slice(1)
        .flatMap((a) => a.split(','))
        .filter(Boolean);
      return word === 'grant'
        ? { kind: 'permissions', channel: target, allow: names, deny: [] }
        : { kind: 'permissions', channel: target, allow: [], deny: names };
    }
    case 'permissions':
      return {
        kind: 'permissions',
        channel: args[0] ? resolveChannel(state, guildOf(), args[0]) : channel,
        allow: [],
        deny: [],
      };
    case 'messages':
      return { kind: 'messages', channel: args[0] ? resolveChannel(state, guildOf(), args[0]) : channel };
    case 'timings':
      return { kind: 'timings' };
    case 'help':
      return { kind: 'help' };
    default:
      return fail(`Unknown command "${word}" (try "help")`);
  }
}

function buttonsOf(components: ApiComponent[]): ApiComponent[] {
  return components.flatMap((c) => [
    ...(c.type === 2 ? [c] : []),
    ...buttonsOf(c.components ?? []),
    ...(c['accessory'] ? buttonsOf([c['accessory'] as ApiComponent]) : []),
  ]);
}

/**
 * The message and custom_id a `click` means: a button by custom_id or label (any case) on the
 * given message, else on the newest message `user` can see that has one.
 */
export function findButton(
  state: EmulatorState,
  user: Snowflake,
  messageId: Snowflake | undefined,
  button: string,
): { message: StoredMessage; customId: string } {
  const matches = (b: ApiComponent) =>
    b.custom_id === button || (b.label !== undefined && b.label.toLowerCase() === button.toLowerCase());
  const visible = (m: StoredMessage) =>
    !m.deleted && (!m.ephemeral || state.interactions.get(m.interactionId ?? '')?.userId === user);
  const candidates = messageId
    ? [state.messages.get(messageId) ?? fail(`Unknown message ${messageId}`)]
    : [...state.messages.values()].filter(visible).reverse();
  for (const message of candidates) {
    const found = buttonsOf(message.data.components).find((b) => matches(b) && b.custom_id !== undefined);
    if (found) return { message, customId: found.custom_id! };
  }
  return fail(`No button "${button}" ${messageId ? `on message ${messageId}` : 'on any message you can see'}`);
}

/**
 * The message, custom_id and values a `select` means: a select menu by custom_id or placeholder
 * (any case) on the given message, else on the newest message `user` can see that has one;
 * each value by an option's value or label.
 */
export function findSelect(
  state: EmulatorState,
  user: Snowflake,
  messageId: Snowflake | undefined,
  select: string,
  picked: string[],
): { message: StoredMessage; customId: string; values: string[] } {
  const selectsOf = (components: ApiComponent[]): ApiComponent[] =>
    components.flatMap((c) => [...([3, 5, 6, 7, 8].includes(c.type) ? [c] : []), ...selectsOf(c.components ?? [])]);
  const matches = (c: ApiComponent) =>
    c.custom_id === select ||
    (typeof c['placeholder'] === 'string' && c['placeholder'].toLowerCase() === select.toLowerCase());
  const visible = (m: StoredMessage) =>
    !m.deleted && (!m.ephemeral || state.interactions.get(m.interactionId ?? '')?.userId === user);
  const candidates = messageId
    ? [state.messages.get(messageId) ?? fail(`Unknown message ${messageId}`)]
    : [...state.messages.values()].filter(visible).reverse();
  for (const message of candidates) {
    const found = selectsOf(message.data.components).find((c) => matches(c) && c.custom_id !== undefined);
    if (!found) continue;
    const options = (found['options'] as Array<{ label: string; value: string }> | undefined) ?? [];
    const values = picked.map((raw) => {
      if (found.type !== 3) return raw; // user/role/channel selects take ids
      const option = options.find((o) => o.value === raw || o.label.toLowerCase() === raw.toLowerCase());
      return (
        option?.value ??
        fail(`"${raw}" is not an option of ${found.custom_id} (${options.map((o) => o.label).join(' | ')})`)
      );
    });
    return { message, customId: found.custom_id!, values };
  }
  return fail(`No select menu "${select}" ${messageId ? `on message ${messageId}` : 'on any message you can see'}`);
}

/** The text inputs of a modal, in order: `{customId, label}` (a label from the Label component or the input). */
export function modalFields(modal: JsonObject): Array<{ customId: string; label: string }> {
  const fields: Array<{ customId: string; label: string }> = [];
  const walk = (components: unknown, label?: string) => {
    for (const c of Array.isArray(components) ? (components as JsonObject[]) : []) {
      if (c['type'] === 4) fields.push({ customId: String(c['custom_id']), label: String(c['label'] ?? label ?? '') });
      walk(c['components']);
      if (c['component']) walk([c['component']], typeof c['label'] === 'string' ? c['label'] : undefined);
    }
  };
  walk(modal['components']);
  return fields;
}

/** The newest form (modal) shown to `user` that is still open (not yet submitted). */
export function findOpenModal(state: EmulatorState, user: Snowflake): InteractionRecord {
  const submitted = new Set([...state.interactions.values()].map((r) => r.parentId).filter(Boolean));
  const shown = [...state.interactions.values()]
    .filter((r) => r.userId === user && r.response?.type === 9 && !submitted.has(r.id))
    .at(-1);
  return shown ?? fail('No open form: a button or command must show one first');
}
