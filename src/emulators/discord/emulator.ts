/**
 * A loopback Discord: REST under `/api/v10`, the gateway at `/gateway`, uploaded files under
 * `/cdn`, all on one port. The real discord.js client logs into it unmodified; tests act as
 * users through the actor methods and inspect what the bot left behind.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Actor,
  type ActorContext,
  type ActorOptions,
  type InteractionHandle,
  type MessageRef,
  type SlashOptions,
  type WaitOptions,
} from './actor.js';
import { type Clock, systemClock } from './clock.js';
import { FaultInjector } from './faults.js';
import { type DropOptions, Gateway, GatewayIntents, type SessionInfo } from './gateway.js';
import { type InteractionRecord, type InteractionTiming, timingOf } from './interactions.js';
import { MessageFactory } from './messages.js';
import type { PermissionInput } from './permissions.js';
import type { RestEnvironment } from './rest/context.js';
import { createRestHandler, type ExtraHandler } from './rest/server.js';
import { Limits, THREAD_TYPES } from './rules/limits.js';
import { SnowflakeGenerator } from './snowflake.js';
import { type ChannelRecord, EmulatorState, type GuildRecord, type MemberRecord, type StoredMessage } from './state.js';
import {
  type ApiApplicationCommand,
  type ApiAttachment,
  type ApiOverwrite,
  type ApiRole,
  type ApiUser,
  type ChannelRef,
  type ChannelSpec,
  channelIdOf,
  type GuildRef,
  type GuildSpec,
  guildIdOf,
  type MemberSpec,
  type OverwriteSpec,
  type RoleSpec,
  type Snowflake,
  type UserRef,
  type UserSpec,
} from './types.js';

export interface DiscordEmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Default: a generated, Discord-shaped token. */
  botToken?: string;
  /** Also the bot user's id, as for current Discord applications. Default: generated. */
  applicationId?: Snowflake;
  botUsername?: string;
  /** Time source for deadlines, token expiry and timestamps. Default Date.now. */
  clock?: Clock;
  /** The world at start. Default: one guild with a `general` text channel. `[]` for none. */
  guilds?: GuildSpec[];
  users?: UserSpec[];
  /** Per-file upload limit (guilds may override). Default 10 MiB. */
  uploadLimitBytes?: number;
  /** HELLO's heartbeat_interval. Default 41,250 ms like Discord. */
  heartbeatIntervalMs?: number;
  /** `shards` in GET /gateway/bot. Default 1. */
  recommendedShards?: number;
  /** `session_start_limit.max_concurrency`. Default 16, so several shards identify at once. */
  maxConcurrency?: number;
  /** Keep uploaded bytes to serve them from the CDN. Default true; false saves memory in long benchmarks. */
  retainUploads?: boolean;
  /**
   * How long a signed CDN URL (`?ex=&is=&hm=`) stays valid, on `clock`. Default about a day, as
   * Discord's; past it the CDN answers 404 and re-reading the message gives a fresh URL.
   */
  cdnUrlLifetimeMs?: number;
  /** Randomness for probabilistic faults. Default Math.random. */
  random?: () => number;
  /** Serve the `/_emulator/` control API (used by the stand-alone start script). Default false. */
  controlApi?: boolean;
  requestLogLimit?: number;
}

function generateToken(userId: string): string {
  return `${Buffer.from(userId).toString('base64url')}.${randomBytes(4).toString('base64url')}.${randomBytes(28).toString('base64url')}`;
}

export class DiscordEmulator {
  readonly state: EmulatorState;
  readonly faults: FaultInjector;
  readonly gateway: Gateway;
  readonly botToken: string;
  readonly applicationId: Snowflake;
  private readonly actor: Actor;
  private readonly messagesFactory: MessageFactory;
  private readonly server: Server;
  private readonly host: string;
  private boundPort = 0;
  private closed = false;

  private constructor(options: DiscordEmulatorOptions, controlApi?: ControlApiFactory) {
    const clock = options.clock ?? systemClock;
    const ids = new SnowflakeGenerator(clock);
    this.host = options.host ?? '127.0.0.1';
    this.applicationId = options.applicationId ?? ids.next();
    this.botToken = options.botToken ?? generateToken(this.applicationId);
    const botUser: ApiUser = {
      id: this.applicationId,
      username: options.botUsername ?? 'emulator-bot',
      discriminator: '0001',
      global_name: null,
      avatar: null,
      bot: true,
      public_flags: 0,
      flags: 0,
      primary_guild: null,
    };
    const uploadLimit = options.uploadLimitBytes ?? Limits.defaultUploadBytes;
    this.state = new EmulatorState({
      clock,
      ids,
      applicationId: this.applicationId,
      botUser,
      defaultUploadLimitBytes: uploadLimit,
      retainUploads: options.retainUploads ?? true,
      ...(options.cdnUrlLifetimeMs !== undefined && { cdnUrlLifetimeMs: options.cdnUrlLifetimeMs }),
    });
    this.faults = new FaultInjector(options.random);
    this.gateway = new Gateway({
      state: this.state,
      botToken: this.botToken,
      applicationId: this.applicationId,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      gatewayUrl: () => this.gatewayUrl,
    });
    this.messagesFactory = new MessageFactory(this.state, () => this.cdnUrl);
    this.actor = new Actor({
      state: this.state,
      gateway: this.gateway,
      messages: this.messagesFactory,
      applicationId: this.applicationId,
      defaultUploadLimitBytes: uploadLimit,
    });
    const env: RestEnvironment = {
      state: this.state,
      messages: this.messagesFactory,
      gateway: this.gateway,
      applicationId: this.applicationId,
      botToken: this.botToken,
      gatewayUrl: () => this.gatewayUrl,
      recommendedShards: options.recommendedShards ?? 1,
      maxConcurrency: options.maxConcurrency ?? 16,
    };
    const handler = createRestHandler({
      env,
      faults: this.faults,
      control: options.controlApi ? controlApi?.(this) : undefined,
      requestLogLimit: options.requestLogLimit,
    });
    this.server = createServer(handler);
    // Outlive undici's idle timeout (4 s) so the server never closes a socket the client is reusing.
    this.server.keepAliveTimeout = 30_000;
    this.server.on('upgrade', (req, socket, head) => {
      if ((req.url ?? '').startsWith('/gateway')) this.gateway.handleUpgrade(req, socket, head);
      else socket.destroy();
    });

    for (const user of options.users ?? []) this.state.createUser(user);
    for (const guild of options.guilds ?? [{ name: 'Emulator Guild' }]) this.state.createGuild(guild);
    this.wireGatewayEvents();
  }

  /** Use `startDiscordEmulator()` (start.ts), which brings the control API along. */
  static async start(options: DiscordEmulatorOptions, controlApi: ControlApiFactory): Promise<DiscordEmulator> {
    const emulator = new DiscordEmulator(options, controlApi);
    await new Promise<void>((resolve, reject) => {
      emulator.server.once('error', reject);
      emulator.server.listen(options.port ?? 0, emulator.host, () => {
        emulator.server.off('error', reject);
        resolve();
      });
    });
    emulator.boundPort = (emulator.server.address() as AddressInfo).port;
    return emulator;
  }

  // ---- addresses ------------------------------------------------------------------------------

  get port(): number {
    return this.boundPort;
  }

  private get publicHost(): string {
    return this.host === '0.0.0.0' || this.host === '::' ? '127.0.0.1' : this.host;
  }

  /** For `new Client({ rest: { api: emulator.apiUrl } })` and DISCORD_API_URL. */
  get apiUrl(): string {
    return `http://${this.publicHost}:${this.boundPort}/api`;
  }

  get cdnUrl(): string {
    return `http://${this.publicHost}:${this.boundPort}/cdn`;
  }

  get gatewayUrl(): string {
    return `ws://${this.publicHost}:${this.boundPort}/gateway`;
  }

  get botUser(): ApiUser {
    return this.state.botUser;
  }

  get events(): EmulatorState['events'] {
    return this.state.events;
  }

  // ---- world building -------------------------------------------------------------------------

  /** Adds a guild; a connected bot gets GUILD_CREATE on the owning shard. */
  createGuild(spec: GuildSpec = {}): GuildRecord {
    return this.state.createGuild(spec);
  }

  createChannel(guild: GuildRef, spec: ChannelSpec): ChannelRecord {
    return this.state.createChannel(guildIdOf(guild), spec);
  }

  createUser(spec: UserSpec = {}): ApiUser {
    return this.state.createUser(spec);
  }

  addMember(guild: GuildRef, spec: MemberSpec): MemberRecord {
    return this.state.addMember(guildIdOf(guild), spec);
  }

  createRole(guild: GuildRef, spec: RoleSpec): ApiRole {
    return this.state.createRole(guildIdOf(guild), spec);
  }

  /** Deletes a channel (and its threads and messages), as an admin would; the bot hears CHANNEL_DELETE. */
  deleteChannel(channel: ChannelRef): void {
    this.state.deleteChannel(channelIdOf(channel));
  }

  /** Threads (and forum/media posts) under a channel that still exist, oldest first. */
  threadsOf(channel: ChannelRef): ChannelRecord[] {
    const parentId = channelIdOf(channel);
    return [...this.state.channels.values()].filter(
      (c) => c.data.parent_id === parentId && THREAD_TYPES.has(c.data.type),
    );
  }

  /** Replaces a channel's permission overwrites (e.g. deny the bot Send Messages → 50013). */
  setChannelOverwrites(channel: ChannelRef, overwrites: OverwriteSpec[]): void {
    this.state.setChannelOverwrites(channelIdOf(channel), overwrites);
  }

  /**
   * Grants (`allow`) or takes away (`deny`) the bot's permissions in a channel through its own
   * overwrite (other overwrites stay); the bot hears CHANNEL_UPDATE. E.g. grant Manage Threads in a gallery.
   */
  changeBotPermissions(channel: ChannelRef, change: { allow?: PermissionInput; deny?: PermissionInput }): ApiOverwrite {
    return this.state.changeBotChannelPermissions(channelIdOf(channel), change);
  }

  /** The first guild (the seeded one by default). */
  get defaultGuild(): GuildRecord {
    const first = this.state.guilds.values().next().value;
    if (!first) throw new Error('The emulator has no guilds');
    return first;
  }

  /** A guild's channel by name (or the default guild's). */
  channelByName(name: string, guild: GuildRef = this.defaultGuild): ChannelRecord {
    const guildId = guildIdOf(guild);
    const record = this.state.requireGuild(guildId);
    for (const id of record.channelIds) {
      const channel = this.state.channels.get(id);
      if (channel?.data.name === name) return channel;
    }
    throw new Error(`Guild ${guildId} has no channel named "${name}"`);
  }

  // ---- acting as users ------------------------------------------------------------------------

  runSlashCommand(
    context: ActorContext,
    name: string,
    options?: SlashOptions,
    actorOptions?: ActorOptions,
  ): InteractionHandle {
    return this.actor.runSlashCommand(context, name, options, actorOptions);
  }

  autocomplete(
    context: ActorContext,
    name: string,
    options: SlashOptions,
    focused: string,
    actorOptions?: ActorOptions,
  ): InteractionHandle {
    return this.actor.autocomplete(context, name, options, focused, actorOptions);
  }

  clickButton(
    user: UserRef | UserSpec,
    message: MessageRef,
    customId: string,
    actorOptions?: ActorOptions,
  ): InteractionHandle {
    return this.actor.clickButton(user, message, customId, actorOptions);
  }

  selectMenu(
    user: UserRef | UserSpec,
    message: MessageRef,
    customId: string,
    values: string[],
    actorOptions?: ActorOptions,
  ): InteractionHandle {
    return this.actor.selectMenu(user, message, customId, values, actorOptions);
  }

  submitModal(
    user: UserRef | UserSpec,
    shownBy: InteractionHandle,
    values: Record<string, string>,
    actorOptions?: ActorOptions,
  ): InteractionHandle {
    return this.actor.submitModal(user, shownBy, values, actorOptions);
  }

  sendUserMessage(user: UserRef | UserSpec, channel: ChannelRef, content: string): StoredMessage {
    return this.actor.sendUserMessage(user, channel, content);
  }

  // ---- watching -------------------------------------------------------------------------------

  waitForMessage(
    predicate: (message: StoredMessage) => boolean,
    options?: WaitOptions & { includeExisting?: boolean },
  ): Promise<StoredMessage> {
    return this.actor.waitForMessage(predicate, options);
  }

  /** Visible history of a channel, oldest first, as members see it (ephemeral replies are on their interaction). */
  channelMessages(channel: ChannelRef): StoredMessage[] {
    return this.actor.channelMessages(channel);
  }

  message(id: Snowflake): StoredMessage | undefined {
    return this.state.messages.get(id);
  }

  interaction(id: Snowflake): InteractionRecord | undefined {
    return this.state.interactions.get(id);
  }

  /** Dispatch → first response for every interaction so far (for benchmarks and deadline checks). */
  interactionTimings(): InteractionTiming[] {
    const now = this.state.now();
    return [...this.state.interactions.values()].map((record) => timingOf(record, now));
  }

  /** Registered commands: global by default, or a guild's. */
  commands(guild?: GuildRef): ApiApplicationCommand[] {
    const guildId = guild === undefined ? null : guildIdOf(guild);
    return [...this.state.commandsFor(guildId).values()];
  }

  /** The bytes behind an attachment (object, id or CDN URL), as the CDN serves them. */
  attachmentBytes(attachment: ApiAttachment | Snowflake | string): Buffer | undefined {
    let id: string;
    if (typeof attachment === 'object') id = attachment.id;
    else if (attachment.includes('/')) id = attachment.split('/attachments/')[1]?.split('/')[1] ?? '';
    else id = attachment;
    return this.state.uploads.get(id)?.bytes ?? undefined;
  }

  // ---- gateway control ------------------------------------------------------------------------

  /** Drops gateway connections (one shard or all) so clients reconnect and RESUME. Returns how many. */
  dropConnection(shardId?: number, options?: DropOptions): number {
    return this.gateway.dropConnections(shardId, options);
  }

  requestReconnect(shardId?: number): number {
    return this.gateway.requestReconnect(shardId);
  }

  invalidateSessions(shardId?: number): number {
    return this.gateway.invalidateSessions(shardId);
  }

  suppressHeartbeatAcks(count: number): void {
    this.gateway.suppressHeartbeatAcks(count);
  }

  sessions(): SessionInfo[] {
    return this.gateway.listSessions();
  }

  /** Stops listening and cuts every HTTP and WebSocket connection. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.gateway.close();
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closing;
    this.state.events.removeAllListeners();
  }

  // ---- internals ------------------------------------------------------------------------------

  /** State changes a bot would hear about over the gateway. */
  private wireGatewayEvents(): void {
    const { state, gateway } = this;
    state.events.on('guildCreate', (guild) => gateway.dispatchGuildCreate(guild.id));
    state.events.on('channelCreate', (channel) => {
      if (!channel.guildId) return;
      const isThread = THREAD_TYPES.has(channel.data.type);
      gateway.dispatchFor(
        channel.guildId,
        isThread ? 'THREAD_CREATE' : 'CHANNEL_CREATE',
        isThread ? { ...channel.data, newly_created: true } : channel.data,
        GatewayIntents.Guilds,
      );
    });
    for (const [event, threadEvent, name] of [
      ['channelUpdate', 'THREAD_UPDATE', 'CHANNEL_UPDATE'],
      ['channelDelete', 'THREAD_DELETE', 'CHANNEL_DELETE'],
    ] as const) {
      state.events.on(event, (channel) => {
        if (!channel.guildId) return;
        const isThread = THREAD_TYPES.has(channel.data.type);
        gateway.dispatchFor(channel.guildId, isThread ? threadEvent : name, channel.data, GatewayIntents.Guilds);
      });
    }
    const messageIntent = (message: StoredMessage) =>
      message.guildId ? GatewayIntents.GuildMessages : GatewayIntents.DirectMessages;
    const eventData = (message: StoredMessage) =>
      message.guildId ? { ...message.data, guild_id: message.guildId } : message.data;
    state.events.on('messageCreate', (message) => {
      if (message.ephemeral) return;
      gateway.dispatchFor(message.guildId, 'MESSAGE_CREATE', eventData(message), messageIntent(message));
    });
    state.events.on('messageUpdate', (message) => {
      if (message.ephemeral) return;
      gateway.dispatchFor(message.guildId, 'MESSAGE_UPDATE', eventData(message), messageIntent(message));
    });
    state.events.on('messageDelete', (message) => {
      if (message.ephemeral) return;
      const data: Record<string, string> = { id: message.id, channel_id: message.channelId };
      if (message.guildId) data['guild_id'] = message.guildId;
      gateway.dispatchFor(message.guildId, 'MESSAGE_DELETE', data, messageIntent(message));
    });
  }
}

/**
 * Builds the `/_emulator/` control API of an emulator. Passed in (by start.ts) rather than
 * imported: the control API is written against the emulator, not the other way round.
 */
export type ControlApiFactory = (emulator: DiscordEmulator) => ExtraHandler;
