/**
 * Discord emulator: a loopback Discord (REST + gateway + CDN) for the real discord.js client.
 * Self-contained: nothing here imports the bot.
 */
export {
  type ActorContext,
  type ActorOptions,
  type AttachmentOptionInput,
  InteractionHandle,
  type MessageRef,
  type SlashOptions,
  type SlashOptionValue,
  type WaitOptions,
} from './actor.js';
export { type Clock, createManualClock, type ManualClock, systemClock } from './clock.js';
export { DiscordEmulator, type DiscordEmulatorOptions } from './emulator.js';
export { DiscordApiError, type ErrorTree, type FieldError } from './errors.js';
export type { ActiveFault, FaultSpec, RateLimitFault, RefusalFault, ServerErrorFault, SlowFault } from './faults.js';
export { FaultInjector } from './faults.js';
export { type DropOptions, GatewayIntents, type SessionInfo } from './gateway.js';
export type {
  InteractionKind,
  InteractionRecord,
  InteractionResponse,
  InteractionTiming,
  RejectedCallback,
} from './interactions.js';
export {
  DEFAULT_BOT_PERMISSIONS,
  DEFAULT_EVERYONE_PERMISSIONS,
  PermissionFlags,
  type PermissionInput,
  type PermissionName,
} from './permissions.js';
export { CallbackTypes, ChannelTypes, InteractionTypes, Limits, MessageFlags } from './rules/limits.js';
export { shardIdForGuild } from './snowflake.js';
export { startDiscordEmulator } from './start.js';
export type {
  ChannelRecord,
  EmulatorEvents,
  EmulatorState,
  GuildRecord,
  MemberRecord,
  MessageSource,
  PingRecord,
  PingSet,
  RequestLogEntry,
  StoredMessage,
  StoredUpload,
  UserRecord,
} from './state.js';
export * from './types.js';
