/**
 * A job record and its state machine. Every record read from the store is parsed with zod;
 * every transition is checked against the table below before it is persisted.
 */
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { seedreamInputSchema } from '../seedream/model-input.js';

export const JOB_STATES = [
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
export type DeliveryStep = z.infer<typeof deliveryStepSchema>;

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

export const jobRecordSchema = z.object({
  v: z.literal(1),
  id: z.string().min(1),
  state: z.enum(JOB_STATES),
  owner: jobOwnerSchema,
  /** The user's prompt before reconciliation, for display. */
  prompt: z.string(),
  input: seedreamInputSchema,
  requestId: z.string().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
  deadlineAt: z.number(),
  stateTimes: z.partialRecord(z.enum(JOB_STATES), z.number()),
  queuePosition: z.number().int().nullable().default(null),
  lastUpstreamStatus: z.string().optional(),
  imageUrls: z.array(z.string()).default([]),
  /** Indexes of images RunComfy listed but that could not be downloaded (gone, not an image…). */
  missingImages: z.array(z.number().int()).default([]),
  cost: z.number().optional(),
  failure: failureSchema.optional(),
  /** Idempotent delivery: one entry per step key (e.g. "part:0", "gallery"). */
  delivery: z.record(z.string(), deliveryStepSchema).default({}),
  deliveryAttempts: z.number().int().default(0),
  /** Opaque data of the surface that created the job (e.g. the Discord status card). */
  surface: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
});
export type JobRecord = z.infer<typeof jobRecordSchema>;

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
