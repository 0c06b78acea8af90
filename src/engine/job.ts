/**
 * A job record and its state machine. Every record read from the store is parsed with zod;
 * every transition is checked against the table below before it is persisted.
 */
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { DEFAULT_MODEL_KEY, findModel } from '../models/registry.js';

export const JOB_STATES = [
  // In the bot's own fair queue: accepted (quota reserved), not yet sent to RunComfy.
  'waiting',
  'submitted',
  'queued',
  'running',
  'fetching',
  'delivering',
  'delivered',
  'cancelled',
  'failed',
  'timed_out',
  'expired',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export const TERMINAL_STATES: ReadonlySet<JobState> = new Set([
  'delivered',
  'cancelled',
  'failed',
  'timed_out',
  'expired',
]);

const ENDINGS: JobState[] = ['cancelled', 'failed', 'timed_out', 'expired'];

/** Allowed moves. Skips are allowed where RunComfy can move faster than we poll. */
export const TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  // Nothing was sent yet: it is either sent, cancelled by its owner, past its deadline while it
  // waited, or found unusable at recovery.
  waiting: ['submitted', 'cancelled', 'timed_out', 'failed'],
  submitted: ['queued', 'running', 'fetching', ...ENDINGS],
  queued: ['running', 'fetching', ...ENDINGS],
  running: ['fetching', ...ENDINGS],
  fetching: ['delivering', ...ENDINGS],
  // Once RunComfy produced the images only delivery can end: failed or delivered.
  delivering: ['delivered', 'failed', 'timed_out'],
  delivered: [],
  cancelled: [],
  failed: [],
  timed_out: [],
  expired: [],
};

export const isTerminal = (state: JobState): boolean => TERMINAL_STATES.has(state);

export class IllegalTransitionError extends AppError {
  constructor(jobId: string, from: JobState, to: JobState) {
    super('job_illegal_transition', `Job ${jobId} cannot move from ${from} to ${to}`, { params: { from, to } });
  }
}

const deliveryStepSchema = z.object({
  /** Stable per step: the receiving side dedupes on it (Discord's enforce_nonce). */
  nonce: z.string(),
  state: z.enum(['started', 'done']),
  /** What the step produced (a message id, a post id…), once done. */
  result: z.string().optional(),
  startedAt: z.number(),
  doneAt: z.number().optional(),
  attempts: z.number().int().min(1),
});

const failureSchema = z.object({
  /** Stable error code; the UI turns it into a localised message. */
  code: z.string(),
  /** Operator-facing detail for logs; never shown raw to users. */
  detail: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
  /** RunComfy's own error payload of a failed generation, trimmed. */
  upstream: z.string().optional(),
});
export type JobFailure = z.infer<typeof failureSchema>;

export const jobOwnerSchema = z.object({
  userId: z.string(),
  guildId: z.string().nullable(),
  channelId: z.string(),
  locale: z.string(),
});
export type JobOwner = z.infer<typeof jobOwnerSchema>;

/** A variation's parent: the set and the index of the image it was made from. */
export const jobParentSchema = z.object({ jobId: z.string().min(1), image: z.number().int().min(0) });
export type JobParent = z.infer<typeof jobParentSchema>;

/** The price the request was accepted at (images × price per image). */
export const costEstimateSchema = z.object({
  usd: z.number().min(0),
  perImageUsd: z.number().min(0),
  /** Where the price came from: RunComfy's model info, or PRICE_PER_IMAGE_USD. */
  source: z.enum(['runcomfy', 'config']),
});
export type CostEstimate = z.infer<typeof costEstimateSchema>;

/**
 * The quota a job holds from acceptance until it ends: given back when it ends without a
 * delivery, corrected to the charged cost when it is delivered. Counters are keyed by the
 * UTC day and month of acceptance, so a release always hits the counters it was taken from.
 */
export const reservationSchema = z.object({
  day: z.string(),
  month: z.string(),
  /** The server the job is charged to (the DM "home" server for a DM), null for none. */
  guildId: z.string().nullable(),
  images: z.number().int().min(0),
  microUsd: z.number().int().min(0),
  state: z.enum(['held', 'released', 'settled']),
});
export type Reservation = z.infer<typeof reservationSchema>;

/**
 * Version 1 (before the model seam) had no `model`: every job ran Seedream sequential. Such a
 * record is read as version 2 of that model, so jobs in flight across the upgrade go on.
 */
function migrate(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || (raw as { v?: unknown }).v !== 1) return raw;
  return { ...raw, v: 2, model: DEFAULT_MODEL_KEY };
}

const currentJobRecordSchema = z.object({
  v: z.literal(2),
  id: z.string().min(1),
  state: z.enum(JOB_STATES),
  owner: jobOwnerSchema,
  /** The user's prompt before reconciliation, for display. */
  prompt: z.string(),
  /** The model's key (src/models/registry.ts); `input` is that model's input. */
  model: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  requestId: z.string().optional(),
  /**
   * Set while a `submitted` job's submit has not left yet; taken away (durably) just before it
   * is sent. A restart finds an unsent job safe to send again; one without a request id and
   * without this mark may have reached RunComfy and is never re-sent.
   */
  unsent: z.literal(true).optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
  deadlineAt: z.number(),
  stateTimes: z.partialRecord(z.enum(JOB_STATES), z.number()),
  /** While `waiting`: place in the bot's fair queue (1 = next); while `queued`: RunComfy's. */
  queuePosition: z.number().int().nullable().default(null),
  imageUrls: z.array(z.string()).default([]),
  /** Indexes of images RunComfy listed but that could not be downloaded (gone, not an image…). */
  missingImages: z.array(z.number().int()).default([]),
  /** What RunComfy says it charged (USD, `include_cost`), once it says. */
  cost: z.number().optional(),
  estimate: costEstimateSchema.optional(),
  reservation: reservationSchema.optional(),
  /**
   * Set when RunComfy may have done paid work the record cannot show otherwise (a submit with
   * no clear answer, a deadline after the job started): its charge is never given back.
   */
  chargeKept: z.boolean().optional(),
  failure: failureSchema.optional(),
  /** Idempotent delivery: one entry per step key (e.g. "part:0", "gallery"). */
  delivery: z.record(z.string(), deliveryStepSchema).default({}),
  deliveryAttempts: z.number().int().default(0),
  /** Opaque data of the surface that created the job (e.g. the Discord status card). */
  surface: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
  /** The set this one varies (Vary on image `image`, 0-based); absent on older records and fresh sets. */
  parent: jobParentSchema.optional(),
});

// zod's issue kind, named so it is not taken for one of our error codes.
const CUSTOM_ISSUE = 'custom';

/** A stored job: migrated if older, and its input valid for its own model. */
export const jobRecordSchema = z.preprocess(
  migrate,
  currentJobRecordSchema.superRefine((job, ctx) => {
    const model = findModel(job.model);
    if (!model) {
      ctx.addIssue({ code: CUSTOM_ISSUE, path: ['model'], message: `Unknown model ${job.model}` });
      return;
    }
    const input = model.inputSchema.safeParse(job.input);
    for (const issue of input.success ? [] : input.error.issues) {
      ctx.addIssue({ code: CUSTOM_ISSUE, path: ['input', ...issue.path], message: issue.message });
    }
  }),
);
export type JobRecord = z.infer<typeof currentJobRecordSchema>;

/** Returns the record moved to `to` (a new object), or throws IllegalTransitionError. */
export function transition(job: JobRecord, to: JobState, now: number, patch: Partial<JobRecord> = {}): JobRecord {
  if (!TRANSITIONS[job.state].includes(to)) throw new IllegalTransitionError(job.id, job.state, to);
  return { ...job, ...patch, state: to, updatedAt: now, stateTimes: { ...job.stateTimes, [to]: now } };
}

export function canTransition(from: JobState, to: JobState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Short ids: safe in custom_ids and readable as a reference. */
export function newJobId(): string {
  const alphabet = '23456789abcdefghjkmnpqrstuvwxyz';
  let id = '';
  for (let i = 0; i < 10; i++) id += alphabet[randomInt(alphabet.length)];
  return id;
}
