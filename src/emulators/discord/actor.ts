/**
 * The people on the other side: typed, in-process ways for tests to act as Discord users
 * (run a slash command, type into an autocomplete, click a button, pick from a menu, submit a
 * modal) and to watch what the bot did (messages, original responses, follow-ups, timings).
 */
import type { Gateway } from './gateway.js';
import { type InteractionKind, InteractionRecord, type InteractionResponse } from './interactions.js';
import { findComponent, type MessageFactory, sanitizeFilename } from './messages.js';
import { OptionTypes } from './rules/command-rules.js';
import { ChannelTypes, InteractionTypes } from './rules/limits.js';
import { isObject } from './rules/message-rules.js';
import type { ChannelRecord, EmulatorState, GuildRecord, StoredMessage, UserRecord } from './state.js';
import {
  type ApiApplicationCommand,
  type ApiAttachment,
  type ApiCommandOption,
  type ApiMessage,
  type ChannelRef,
  channelIdOf,
  type GuildRef,
  guildIdOf,
  type JsonObject,
  type Snowflake,
  type UserRef,
  type UserSpec,
} from './types.js';

/** Who acts, and where. Without a channel: the guild's first text channel; without both: a DM with the bot. */
export interface ActorContext {
  user: UserRef | UserSpec;
  guild?: GuildRef;
  channel?: ChannelRef;
  /** The user's client language (`interaction.locale`); default the user's locale, else `en-US`. */
  locale?: string;
}

/** A file a user picks for an attachment option. */
export interface AttachmentOptionInput {
  filename: string;
  data: Uint8Array | string;
  contentType?: string;
}

/** Option values: strings, numbers, booleans; users/channels/roles by id or `{ id }`; files for attachment options. */
export type SlashOptionValue = string | number | boolean | { id: Snowflake } | AttachmentOptionInput;
export type SlashOptions = Record<string, SlashOptionValue | null | undefined>;

export interface ActorOptions {
  /**
   * Check options against the registered definition as Discord's client would (unknown or
   * missing required options, choices, ranges). Default true; turn off to send what a modified
   * client might.
   */
  validate?: boolean;
  locale?: string;
}

export type MessageRef = StoredMessage | ApiMessage | { id: Snowflake } | Snowflake;

export interface WaitOptions {
  timeoutMs?: number;
}

export interface ActorEnvironment {
  state: EmulatorState;
  gateway: Gateway;
  messages: MessageFactory;
  applicationId: Snowflake;
  defaultUploadLimitBytes: number;
}

interface ResolvedContext {
  user: UserRecord;
  guild: GuildRecord | null;
  channel: ChannelRecord;
  locale: string;
}

/** Resolves once `check` returns a value, re-checking on every state change; rejects after `timeoutMs`. */
export function waitForState<T>(
  state: EmulatorState,
  check: () => T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const immediate = check();
  if (immediate !== undefined) return Promise.resolve(immediate);
  return new Promise((resolve, reject) => {
    const events = ['messageCreate', 'messageUpdate', 'messageDelete', 'interactionResponse'] as const;
    const listener = () => {
      const value = check();
      if (value === undefined) return;
      cleanup();
      resolve(value);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      for (const event of events) state.events.off(event, listener);
    };
    for (const event of events) state.events.on(event, listener);
  });
}

/** One dispatched interaction, seen from the user's side. */
export class InteractionHandle {
  constructor(
    readonly record: InteractionRecord,
    private readonly state: EmulatorState,
  ) {}

  get id(): Snowflake {
    return this.record.id;
  }

  get token(): string {
    return this.record.token;
  }

  /** The INTERACTION_CREATE data as dispatched. */
  get payload(): JsonObject {
    return this.record.payload;
  }

  /** Resolves with the first callback (never rejects; use `waitForResponse` for a deadline). */
  get firstResponse(): Promise<InteractionResponse> {
    return this.record.firstResponse;
  }

  get response(): InteractionResponse | undefined {
    return this.record.response;
  }

  /** Clock ms from dispatch to the first response (what the 3 s rule judges). */
  get responseTimeMs(): number | undefined {
    return this.record.response?.afterMs;
  }

  /** Real elapsed ms from dispatch to the first response. */
  get responseWallMs(): number | undefined {
    return this.record.response?.wallMs;
  }

  waitForResponse(options: WaitOptions = {}): Promise<InteractionResponse> {
    return waitForState(
      this.state,
      () => this.record.response,
      options.timeoutMs ?? 5_000,
      `a response to interaction ${this.id}`,
    );
  }

  /** The `@original` message now (the deferred placeholder until the bot edits it). */
  original(): StoredMessage | undefined {
    const id = this.record.originalMessageId;
    return id ? this.state.messages.get(id) : undefined;
  }

  /** Waits until `@original` exists and satisfies `predicate` (default: no longer "thinking…"). */
  waitForOriginal(
    predicate: (message: StoredMessage) => boolean = (m) => !m.loading,
    options: WaitOptions = {},
  ): Promise<StoredMessage> {
    return waitForState(
      this.state,
      () => {
        const message = this.original();
        return message && !message.deleted && predicate(message) ? message : undefined;
      },
      options.timeoutMs ?? 5_000,
      `the original response of interaction ${this.id}`,
    );
  }

  followUps(): StoredMessage[] {
    return this.record.followUpIds
      .filter((id) => id !== this.record.originalMessageId)
      .map((id) => this.state.messages.get(id)!)
      .filter((m) => !m.deleted);
  }

  waitForFollowUp(
    predicate: (message: StoredMessage) => boolean = () => true,
    options: WaitOptions = {},
  ): Promise<StoredMessage> {
    return waitForState(
      this.state,
      () => this.followUps().find(predicate),
      options.timeoutMs ?? 5_000,
      `a follow-up of interaction ${this.id}`,
    );
  }

  /** Autocomplete: the choices the bot offered. */
  async choices(options: WaitOptions = {}): Promise<Array<{ name: string; value: string | number }>> {
    const response = await this.waitForResponse(options);
    const choices = response.data?.['choices'];
    return Array.isArray(choices) ? (choices as Array<{ name: string; value: string | number }>) : [];
  }
}

/** What Discord's client lets a member pick: a string select's own option values, min_values–max_values of them. */
function checkSelectedValues(component: JsonObject, customId: string, values: string[]): void {
  const min = typeof component['min_values'] === 'number' ? component['min_values'] : 1;
  const max = typeof component['max_values'] === 'number' ? component['max_values'] : 1;
  if (values.length < min || values.length > max) {
    throw new Error(`Select menu "${customId}" takes ${min}–${max} value(s), got ${values.length}`);
  }
  if (new Set(values).size !== values.length) throw new Error(`Select menu "${customId}": a value twice`);
  if (component['type'] !== 3) return;
  const options = Array.isArray(component['options']) ? (component['options'] as JsonObject[]) : [];
  const offered = new Set(options.map((o) => o['value']));
  const missing = values.filter((v) => !offered.has(v));
  if (missing.length > 0) throw new Error(`Select menu "${customId}" has no option ${missing.join(', ')}`);
}

function isAttachmentInput(value: unknown): value is AttachmentOptionInput {
  return isObject(value) && typeof value['filename'] === 'string' && 'data' in value;
}

export class Actor {
  constructor(private readonly env: ActorEnvironment) {}

  private get state(): EmulatorState {
    return this.env.state;
  }

  // ---- acting ---------------------------------------------------------------------------------

  /** Runs `/name` (sub-commands space-separated: `gallery browse`) with options, as a user would. */
  runSlashCommand(
    context: ActorContext,
    name: string,
    options: SlashOptions = {},
    actorOptions: ActorOptions = {},
  ): InteractionHandle {
    const where = this.resolveContext(context, actorOptions.locale);
    const [commandName, ...path] = name.trim().split(/\s+/);
    const command = this.state.findCommand(commandName!, where.guild?.id ?? null);
    const resolved: JsonObject = {};
    const data: JsonObject = {
      id: command?.id ?? this.syntheticCommandId(commandName!),
      name: commandName,
      type: 1,
    };
    const built = this.buildOptions(command, path, options, resolved, where, actorOptions.validate ?? true, undefined);
    if (built.length > 0) data['options'] = built;
    if (Object.keys(resolved).length > 0) data['resolved'] = resolved;
    if (command?.guild_id) data['guild_id'] = command.guild_id;
    return this.dispatch(where, InteractionTypes.ApplicationCommand, 'command', name.trim(), { data });
  }

  /** Types into an option with autocomplete; `focused` names that option, `options[focused]` is the text so far. */
  autocomplete(
    context: ActorContext,
    name: string,
    options: SlashOptions,
    focused: string,
    actorOptions: ActorOptions = {},
  ): InteractionHandle {
    const where = this.resolveContext(context, actorOptions.locale);
    const [commandName, ...path] = name.trim().split(/\s+/);
    const command = this.state.findCommand(commandName!, where.guild?.id ?? null);
    const data: JsonObject = { id: command?.id ?? this.syntheticCommandId(commandName!), name: commandName, type: 1 };
    const built = this.buildOptions(command, path, options, {}, where, false, focused);
    if (built.length > 0) data['options'] = built;
    if (command?.guild_id) data['guild_id'] = command.guild_id;
    return this.dispatch(where, InteractionTypes.ApplicationCommandAutocomplete, 'autocomplete', name.trim(), { data });
  }

  clickButton(
    user: UserRef | UserSpec,
    message: MessageRef,
    customId: string,
    actorOptions: ActorOptions = {},
  ): InteractionHandle {
    const stored = this.requireMessage(message);
    // validate: false sends what a modified client might: a custom_id the message does not carry.
    if (actorOptions.validate !== false) {
      const component = findComponent(stored.data.components, customId);
      if (component?.type !== 2) throw new Error(`Message ${stored.id} has no button with custom_id "${customId}"`);
      if (component['disabled'] === true)
        throw new Error(`Button "${customId}" is disabled; Discord's client cannot click it`);
    }
    const where = this.resolveContext({ user, channel: stored.channelId }, actorOptions.locale);
    return this.dispatch(
      where,
      InteractionTypes.MessageComponent,
      'component',
      customId,
      {
        data: { custom_id: customId, component_type: 2 },
        message: this.messagePayload(stored),
      },
      stored.id,
    );
  }

  selectMenu(
    user: UserRef | UserSpec,
    message: MessageRef,
    customId: string,
    values: string[],
    actorOptions: ActorOptions = {},
  ): InteractionHandle {
    const stored = this.requireMessage(message);
    const component = findComponent(stored.data.components, customId);
    if (!component || ![3, 5, 6, 7, 8].includes(component.type))
      throw new Error(`Message ${stored.id} has no select menu "${customId}"`);
    if (component['disabled'] === true) throw new Error(`Select menu "${customId}" is disabled`);
    if (actorOptions.validate !== false) checkSelectedValues(component, customId, values);
    const where = this.resolveContext({ user, channel: stored.channelId }, actorOptions.locale);
    const data: JsonObject = { custom_id: customId, component_type: component.type, values };
    if (component.type === 5) {
      const users: JsonObject = {};
      for (const id of values) users[id] = this.state.userObject(id);
      data['resolved'] = { users };
    }
    return this.dispatch(
      where,
      InteractionTypes.MessageComponent,
      'component',
      customId,
      { data, message: this.messagePayload(stored) },
      stored.id,
    );
  }

  /** Fills in and submits the modal the bot showed in answer to `shownBy`. */
  submitModal(
    user: UserRef | UserSpec,
    shownBy: InteractionHandle,
    values: Record<string, string>,
    actorOptions: ActorOptions = {},
  ): InteractionHandle {
    const response = shownBy.record.response;
    if (response?.type !== 9 || !response.data) throw new Error(`Interaction ${shownBy.id} did not show a modal`);
    const modal = response.data;
    const rows: JsonObject[] = [];
    const fields = new Set<string>();
    for (const row of Array.isArray(modal['components']) ? modal['components'] : []) {
      if (!isObject(row)) continue;
      const inputs =
        row['type'] === 18 ? [row['component']] : Array.isArray(row['components']) ? row['components'] : [];
      for (const input of inputs) {
        if (!isObject(input) || input['type'] !== 4) continue;
        const customId = String(input['custom_id']);
        fields.add(customId);
        const value = values[customId] ?? (typeof input['value'] === 'string' ? input['value'] : '');
        if (input['required'] !== false && value === '') throw new Error(`Modal field "${customId}" is required`);
        // Discord's client will not submit a value outside the input's lengths (an empty optional one is fine).
        const length = [...value].length;
        const min = typeof input['min_length'] === 'number' ? input['min_length'] : 0;
        const max = typeof input['max_length'] === 'number' ? input['max_length'] : 4_000;
        if (actorOptions.validate !== false && value !== '' && (length < min || length > max)) {
          throw new Error(`Modal field "${customId}" takes ${min}–${max} characters, got ${length}`);
        }
        const submitted = { type: 4, custom_id: customId, value };
        rows.push(row['type'] === 18 ? { type: 18, component: submitted } : { type: 1, components: [submitted] });
      }
    }
    const unknown = Object.keys(values).filter((key) => !fields.has(key));
    if (actorOptions.validate !== false && unknown.length > 0)
      throw new Error(`The form has no field ${unknown.map((k) => `"${k}"`).join(', ')}`);
    const where = this.resolveContext(
      { user, channel: shownBy.record.channelId },
      actorOptions.locale ?? shownBy.record.locale,
    );
    const extra: JsonObject = { data: { custom_id: modal['custom_id'], components: rows } };
    const source = shownBy.record.sourceMessageId ? this.state.messages.get(shownBy.record.sourceMessageId) : undefined;
    if (source) extra['message'] = this.messagePayload(source);
    return this.dispatch(
      where,
      InteractionTypes.ModalSubmit,
      'modal-submit',
      String(modal['custom_id']),
      extra,
      source?.id ?? null,
      shownBy.id,
    );
  }

  /** A message a user posts in a channel (MESSAGE_CREATE is sent to bots with the intent). */
  sendUserMessage(user: UserRef | UserSpec, channel: ChannelRef, content: string): StoredMessage {
    const record = this.state.ensureUser(user);
    const target = this.state.requireChannel(channelIdOf(channel));
    if (target.guildId) this.state.ensureMember(target.guildId, record.user.id);
    return this.env.messages.create({
      channel: target,
      author: record.user,
      request: { body: { content }, files: [] },
      source: 'user',
      type: 0,
      uploadLimitBytes: this.state.uploadLimitFor(target.data.id),
    });
  }

  // ---- watching -------------------------------------------------------------------------------

  /**
   * Resolves with the first message matching `predicate`: an existing one (unless
   * `includeExisting: false`), else the next one created or edited.
   */
  waitForMessage(
    predicate: (message: StoredMessage) => boolean,
    options: WaitOptions & { includeExisting?: boolean } = {},
  ): Promise<StoredMessage> {
    const timeoutMs = options.timeoutMs ?? 5_000;
    if (options.includeExisting !== false) {
      for (const message of this.state.messages.values())
        if (!message.deleted && predicate(message)) return Promise.resolve(message);
    }
    return new Promise((resolve, reject) => {
      const listener = (message: StoredMessage) => {
        if (message.deleted || !predicate(message)) return;
        cleanup();
        resolve(message);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for a matching message`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.state.events.off('messageCreate', listener);
        this.state.events.off('messageUpdate', listener);
      };
      this.state.events.on('messageCreate', listener);
      this.state.events.on('messageUpdate', listener);
    });
  }

  /** The channel's visible history, oldest first: what members see (no ephemeral, no deleted). */
  channelMessages(channel: ChannelRef): StoredMessage[] {
    return this.state.channelHistory(channelIdOf(channel));
  }

  // ---- internals ------------------------------------------------------------------------------

  private requireMessage(ref: MessageRef): StoredMessage {
    const id = typeof ref === 'string' ? ref : ref.id;
    const message = this.state.messages.get(id);
    if (!message || message.deleted) throw new Error(`Unknown message ${id}`);
    return message;
  }

  private messagePayload(message: StoredMessage): JsonObject {
    return message.guildId ? { ...message.data, guild_id: message.guildId } : { ...message.data };
  }

  private syntheticIds = new Map<string, Snowflake>();

  /** Unregistered commands still get a stable id per name (tests may skip registration). */
  private syntheticCommandId(name: string): Snowflake {
    let id = this.syntheticIds.get(name);
    if (!id) {
      id = this.state.nextId();
      this.syntheticIds.set(name, id);
    }
    return id;
  }

  private resolveContext(context: ActorContext, localeOverride?: string): ResolvedContext {
    const user = this.state.ensureUser(context.user);
    const channelId = context.channel === undefined ? undefined : channelIdOf(context.channel);
    const guildId = context.guild === undefined ? undefined : guildIdOf(context.guild);
    let channel: ChannelRecord;
    let guild: GuildRecord | null = null;
    if (channelId) {
      channel = this.state.requireChannel(channelId);
      guild = channel.guildId ? this.state.requireGuild(channel.guildId) : null;
      if (guildId && guild?.id !== guildId) throw new Error(`Channel ${channelId} is not in guild ${guildId}`);
    } else if (guildId) {
      guild = this.state.requireGuild(guildId);
      const first = guild.channelIds
        .map((id) => this.state.channels.get(id)!)
        .find((c) => c.data.type === ChannelTypes.GuildText);
      if (!first) throw new Error(`Guild ${guildId} has no text channel`);
      channel = first;
    } else {
      channel = this.state.dmChannelFor(user.user.id);
    }
    if (guild) this.state.ensureMember(guild.id, user.user.id);
    return { user, guild, channel, locale: localeOverride ?? context.locale ?? user.locale };
  }

  private dispatch(
    where: ResolvedContext,
    type: number,
    kind: InteractionKind,
    name: string,
    extra: JsonObject,
    sourceMessageId: Snowflake | null = null,
    parentId: Snowflake | null = null,
  ): InteractionHandle {
    const { state, gateway, applicationId } = this.env;
    const guildId = where.guild?.id ?? null;
    if (!gateway.hasSessionFor(guildId)) {
      throw new Error(`No bot session holds ${guildId ? `guild ${guildId}` : 'DMs (shard 0)'}: log a client in first`);
    }
    const id = state.nextId();
    const channelObject: JsonObject = { ...where.channel.data };
    if (guildId)
      channelObject['permissions'] = state.permissionsIn(where.user.user.id, where.channel.data.id).toString();
    const payload: JsonObject = {
      id,
      application_id: applicationId,
      type,
      version: 1,
      locale: where.locale,
      entitlements: [],
      authorizing_integration_owners: guildId ? { '0': guildId } : { '0': '0' },
      context: guildId ? 0 : 1,
      attachment_size_limit: where.guild?.uploadLimitBytes ?? this.env.defaultUploadLimitBytes,
      app_permissions: state.botPermissionsIn(where.channel.data.id).toString(),
      channel_id: where.channel.data.id,
      channel: channelObject,
      ...extra,
    };
    if (where.guild) {
      payload['guild_id'] = where.guild.id;
      payload['guild'] = { id: where.guild.id, locale: where.guild.preferredLocale, features: [] };
      payload['guild_locale'] = where.guild.preferredLocale;
      payload['member'] = state.memberObject(where.guild.id, where.user.user.id, where.channel.data.id);
    } else {
      payload['user'] = where.user.user;
    }
    const record = new InteractionRecord({
      id,
      applicationId,
      type,
      kind,
      name,
      userId: where.user.user.id,
      guildId,
      channelId: where.channel.data.id,
      locale: where.locale,
      payload,
      sourceMessageId,
      parentId,
      parent: parentId ? state.interactions.get(parentId) : undefined,
    });
    state.interactions.set(id, record);
    state.interactionsByToken.set(record.token, record);
    record.markDispatched(state.now());
    record.deliveredTo = gateway.dispatchFor(guildId, 'INTERACTION_CREATE', payload);
    state.events.emit('interactionDispatch', record);
    return new InteractionHandle(record, state);
  }

  private buildOptions(
    command: ApiApplicationCommand | undefined,
    path: string[],
    values: SlashOptions,
    resolved: JsonObject,
    where: ResolvedContext,
    validate: boolean,
    focused: string | undefined,
  ): JsonObject[] {
    // Walk sub-command groups / sub-commands down to the leaf's option definitions.
    let definitions: ApiCommandOption[] | undefined = command?.options;
    const chain: Array<{ name: string; type: number }> = [];
    for (const segment of path) {
      const def = definitions?.find(
        (o) => o.name === segment && (o.type === OptionTypes.Subcommand || o.type === OptionTypes.SubcommandGroup),
      );
      if (command && !def) throw new Error(`/${command.name} has no sub-command "${segment}"`);
      chain.push({
        name: segment,
        type:
          def?.type ?? (chain.length === 0 && path.length > 1 ? OptionTypes.SubcommandGroup : OptionTypes.Subcommand),
      });
      definitions = def?.options;
    }
    if (
      command &&
      validate &&
      definitions?.some((o) => o.type === OptionTypes.Subcommand || o.type === OptionTypes.SubcommandGroup)
    ) {
      throw new Error(`/${[command.name, ...path].join(' ')} needs a sub-command`);
    }
    const leaf: JsonObject[] = [];
    if (focused !== undefined && (values[focused] === undefined || values[focused] === null)) {
      const def = definitions?.find((o) => o.name === focused);
      leaf.push({ name: focused, type: def?.type ?? OptionTypes.String, value: '', focused: true });
    }
    for (const [key, raw] of Object.entries(values)) {
      if (raw === undefined || raw === null) continue;
      const def = definitions?.find((o) => o.name === key);
      if (command && validate && !def) throw new Error(`/${[command.name, ...path].join(' ')} has no option "${key}"`);
      if (key === focused) {
        leaf.push({ name: key, type: def?.type ?? OptionTypes.String, value: String(raw), focused: true });
        continue;
      }
      leaf.push(this.typedOption(key, def, raw, resolved, where, validate && command !== undefined));
    }
    if (command && validate && definitions) {
      for (const def of definitions) {
        if (def.required && (values[def.name] === undefined || values[def.name] === null)) {
          throw new Error(`/${[command.name, ...path].join(' ')} needs option "${def.name}"`);
        }
      }
    }
    // Nest the leaf options inside the sub-command chain.
    let options = leaf;
    for (let i = chain.length - 1; i >= 0; i--) {
      const link: JsonObject = { name: chain[i]!.name, type: chain[i]!.type };
      if (options.length > 0 || chain[i]!.type === OptionTypes.SubcommandGroup) link['options'] = options;
      else link['options'] = [];
      options = [link];
    }
    return options;
  }

  private typedOption(
    name: string,
    def: ApiCommandOption | undefined,
    raw: SlashOptionValue,
    resolved: JsonObject,
    where: ResolvedContext,
    validate: boolean,
  ): JsonObject {
    const type =
      def?.type ??
      (typeof raw === 'boolean'
        ? OptionTypes.Boolean
        : typeof raw === 'number'
          ? Number.isInteger(raw)
            ? OptionTypes.Integer
            : OptionTypes.Number
          : isAttachmentInput(raw)
            ? OptionTypes.Attachment
            : OptionTypes.String);
    const fail = (why: string) => {
      throw new Error(`Option "${name}": ${why}`);
    };
    const bucket = (key: string): JsonObject => {
      resolved[key] ??= {};
      return resolved[key] as JsonObject;
    };
    let value: unknown;
    switch (type) {
      case OptionTypes.String: {
        if (typeof raw !== 'string' && typeof raw !== 'number') fail('expected a string');
        value = String(raw);
        const length = (value as string).length;
        if (validate && def?.min_length !== undefined && length < def.min_length)
          fail(`shorter than ${def.min_length}`);
        if (validate && def?.max_length !== undefined && length > def.max_length) fail(`longer than ${def.max_length}`);
        break;
      }
      case OptionTypes.Integer:
      case OptionTypes.Number: {
        const n = typeof raw === 'string' ? Number(raw) : raw;
        if (typeof n !== 'number' || Number.isNaN(n)) fail('expected a number');
        if (type === OptionTypes.Integer && !Number.isInteger(n)) fail('expected an integer');
        if (validate && def?.min_value !== undefined && (n as number) < def.min_value) fail(`below ${def.min_value}`);
        if (validate && def?.max_value !== undefined && (n as number) > def.max_value) fail(`above ${def.max_value}`);
        value = n;
        break;
      }
      case OptionTypes.Boolean:
        if (raw === 'true' || raw === 'false') value = raw === 'true';
        else if (typeof raw !== 'boolean') fail('expected a boolean');
        else value = raw;
        break;
      case OptionTypes.User:
      case OptionTypes.Mentionable: {
        const id = typeof raw === 'string' ? raw : (raw as { id: string }).id;
        const guild = where.guild;
        if (guild?.roles.has(id) && type === OptionTypes.Mentionable) {
          bucket('roles')[id] = guild.roles.get(id);
        } else {
          bucket('users')[id] = this.state.userObject(id);
          if (guild) {
            const { user: _user, ...member } = this.state.memberObject(guild.id, id, where.channel.data.id);
            bucket('members')[id] = member;
          }
        }
        value = id;
        break;
      }
      case OptionTypes.Channel: {
        const id = typeof raw === 'string' ? raw : (raw as { id: string }).id;
        const channel = this.state.requireChannel(id);
        const { permission_overwrites: _o, ...partial } = channel.data;
        bucket('channels')[id] = {
          ...partial,
          permissions: this.state.permissionsIn(where.user.user.id, id).toString(),
        };
        value = id;
        break;
      }
      case OptionTypes.Role: {
        const id = typeof raw === 'string' ? raw : (raw as { id: string }).id;
        const role = where.guild?.roles.get(id);
        if (!role) fail(`unknown role ${id}`);
        bucket('roles')[id] = role;
        value = id;
        break;
      }
      case OptionTypes.Attachment: {
        if (!isAttachmentInput(raw)) fail('expected { filename, data }');
        const attachment = this.userUpload(raw as AttachmentOptionInput, where.channel.data.id);
        bucket('attachments')[attachment.id] = attachment;
        value = attachment.id;
        break;
      }
      default:
        fail(`unsupported option type ${type}`);
    }
    if (validate && def?.choices && def.choices.length > 0 && !def.choices.some((c) => c.value === value)) {
      fail(`${JSON.stringify(value)} is not one of the choices`);
    }
    return { name, type, value };
  }

  /** A file a user attached to a command: stored on the CDN like any upload. */
  private userUpload(input: AttachmentOptionInput, channelId: Snowflake): ApiAttachment {
    const bytes = typeof input.data === 'string' ? Buffer.from(input.data) : Buffer.from(input.data);
    return this.env.messages.storeUpload(
      { field: 'file', index: null, filename: sanitizeFilename(input.filename), contentType: input.contentType, bytes },
      channelId,
      new Map(),
      true,
    );
  }
}
