/**
 * One interaction's life: dispatched at a (clock) time, answered once by a callback within 3 s,
 * then edited/followed-up through its token for 15 minutes. Records the first response and how
 * long it took, the original message and the follow-ups.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Limits } from './rules/limits.js';
import type { ApiMessage, JsonObject, Snowflake } from './types.js';

export type InteractionKind = 'command' | 'component' | 'autocomplete' | 'modal-submit';

export interface InteractionResponse {
  /** Callback type: 4 reply, 5 defer, 6 deferred update, 7 update, 8 autocomplete, 9 modal. */
  type: number;
  /** The callback's `data` as sent (files are on the message, not here). */
  data: JsonObject | undefined;
  /** Clock time the callback arrived. */
  at: number;
  /** Clock ms from dispatch to this response: what Discord's 3 s deadline judges. */
  afterMs: number;
  /** Real elapsed ms (sub-millisecond), for benchmarks; independent of an injected clock. */
  wallMs: number;
}

export interface RejectedCallback {
  code: number;
  at: number;
}

export interface InteractionInit {
  id: Snowflake;
  applicationId: Snowflake;
  type: number;
  kind: InteractionKind;
  name: string;
  userId: Snowflake;
  guildId: Snowflake | null;
  channelId: Snowflake;
  locale: string;
  payload: JsonObject;
  sourceMessageId?: Snowflake | null;
  /** The interaction whose modal this submits. */
  parentId?: Snowflake | null;
  /** That interaction's record (its metadata is the submit's triggering_interaction_metadata). */
  parent?: InteractionRecord;
}

export function makeInteractionToken(id: Snowflake): string {
  return `aW50ZXJhY3Rpb246${Buffer.from(id).toString('base64url')}${randomBytes(48).toString('base64url')}`;
}

export class InteractionRecord {
  readonly id: Snowflake;
  readonly token: string;
  readonly applicationId: Snowflake;
  readonly type: number;
  readonly kind: InteractionKind;
  /** Command name (with sub-commands, space-separated) or the component/modal custom_id. */
  readonly name: string;
  readonly userId: Snowflake;
  readonly guildId: Snowflake | null;
  readonly channelId: Snowflake;
  readonly locale: string;
  /** The INTERACTION_CREATE data exactly as dispatched. */
  readonly payload: JsonObject;
  readonly sourceMessageId: Snowflake | null;
  readonly parentId: Snowflake | null;
  readonly parent: InteractionRecord | undefined;
  dispatchedAt = 0;
  dispatchedAtWall = 0;
  /** Sessions the event went to (live or resumable). */
  deliveredTo = 0;
  response: InteractionResponse | undefined;
  /** The message `@original` refers to, once there is one. */
  originalMessageId: Snowflake | null = null;
  readonly followUpIds: Snowflake[] = [];
  /** Callbacks Discord refused (late → 10062, twice → 40060). */
  readonly rejectedCallbacks: RejectedCallback[] = [];
  readonly firstResponse: Promise<InteractionResponse>;
  private resolveFirst!: (response: InteractionResponse) => void;

  constructor(init: InteractionInit) {
    this.id = init.id;
    this.token = makeInteractionToken(init.id);
    this.applicationId = init.applicationId;
    this.type = init.type;
    this.kind = init.kind;
    this.name = init.name;
    this.userId = init.userId;
    this.guildId = init.guildId;
    this.channelId = init.channelId;
    this.locale = init.locale;
    this.payload = init.payload;
    this.payload['token'] = this.token;
    this.sourceMessageId = init.sourceMessageId ?? null;
    this.parentId = init.parentId ?? null;
    this.parent = init.parent;
    this.firstResponse = new Promise((resolve) => {
      this.resolveFirst = resolve;
    });
  }

  get acknowledged(): boolean {
    return this.response !== undefined;
  }

  markDispatched(clockNow: number): void {
    this.dispatchedAt = clockNow;
    this.dispatchedAtWall = performance.now();
  }

  /** Past the 3 s window without an answer: the user saw "The application did not respond". */
  missedDeadline(clockNow: number): boolean {
    return !this.acknowledged && clockNow - this.dispatchedAt > Limits.firstResponseMs;
  }

  tokenExpired(clockNow: number): boolean {
    return clockNow - this.dispatchedAt > Limits.interactionTokenMs;
  }

  recordResponse(type: number, data: JsonObject | undefined, clockNow: number): InteractionResponse {
    const response: InteractionResponse = {
      type,
      data,
      at: clockNow,
      afterMs: clockNow - this.dispatchedAt,
      wallMs: performance.now() - this.dispatchedAtWall,
    };
    this.response = response;
    this.resolveFirst(response);
    return response;
  }

  /** Wire fields that link a message to this interaction (as on Discord). */
  messageLinkage(user: ApiMessage['author'], extra: { followUpOf?: Snowflake } = {}): Partial<ApiMessage> {
    const metadata = this.metadata(user);
    if (extra.followUpOf) metadata.original_response_message_id = extra.followUpOf;
    const linkage: Partial<ApiMessage> = {
      webhook_id: this.applicationId,
      application_id: this.applicationId,
      interaction_metadata: metadata,
    };
    if (this.kind === 'command') linkage.interaction = { id: this.id, type: this.type, name: this.name, user };
    return linkage;
  }

  /** Its `interaction_metadata`; a modal submit's names the interaction that showed the modal (required). */
  private metadata(user: ApiMessage['author']): NonNullable<ApiMessage['interaction_metadata']> {
    const owners = (this.payload['authorizing_integration_owners'] ?? {}) as Record<string, string>;
    const metadata: NonNullable<ApiMessage['interaction_metadata']> = {
      id: this.id,
      type: this.type,
      user,
      authorizing_integration_owners: owners,
    };
    if (this.kind === 'command') {
      metadata.name = this.name;
      metadata.command_type = 1;
    }
    if (this.sourceMessageId) metadata.interacted_message_id = this.sourceMessageId;
    if (this.kind === 'modal-submit' && this.parent)
      metadata.triggering_interaction_metadata = this.parent.metadata(user);
    return metadata;
  }
}

/** A compact view of timings, for benchmarks and assertions. */
export interface InteractionTiming {
  id: Snowflake;
  kind: InteractionKind;
  name: string;
  userId: Snowflake;
  guildId: Snowflake | null;
  dispatchedAt: number;
  responseType: number | undefined;
  /** Clock ms to the first response (undefined while unanswered). */
  firstResponseMs: number | undefined;
  /** Real ms to the first response. */
  firstResponseWallMs: number | undefined;
  /** False when unanswered past 3 s, or answered late. */
  metDeadline: boolean | undefined;
}

export function timingOf(record: InteractionRecord, clockNow: number): InteractionTiming {
  const response = record.response;
  let metDeadline: boolean | undefined;
  if (response) metDeadline = response.afterMs <= Limits.firstResponseMs;
  else if (record.missedDeadline(clockNow)) metDeadline = false;
  return {
    id: record.id,
    kind: record.kind,
    name: record.name,
    userId: record.userId,
    guildId: record.guildId,
    dispatchedAt: record.dispatchedAt,
    responseType: response?.type,
    firstResponseMs: response?.afterMs,
    firstResponseWallMs: response?.wallMs,
    metDeadline,
  };
}
