/**
 * The contract between the job engine and the surfaces around it (Discord today): what a
 * surface implements (`Deliverer`), what it is handed (`DeliverySteps`), what it asks the
 * engine (`SubmitRequest`) and what it hears (`EngineEvents`). Surfaces import this file,
 * never the engine itself.
 */
import type { QuotaLimits } from '../accounting/quota.js';
import { AppError } from '../errors.js';
import type { ModelInput } from '../models/model.js';
import type { SpooledImage } from '../store/image-spool.js';
import type { JobOwner, JobParent, JobRecord, JobState } from './job.js';

/** Lets a Deliverer make each of its posts exactly once across crashes and retries. */
export interface DeliverySteps {
  /**
   * Runs `post` for `key` unless a previous run finished it (then returns its stored result).
   * `nonce` is stable for the key across attempts and restarts: the receiving side must
   * dedupe on it (Discord's `nonce` + `enforce_nonce`), which closes the crash window
   * between a post and its record.
   */
  once(key: string, post: (nonce: string, attempt: number) => Promise<string>): Promise<string>;
  /** Results of steps already done, by key. */
  done(): Record<string, string>;
}

export interface Deliverer {
  /** Posts the set. `images` are the local copies, in order; may be fewer than requested. */
  deliver(job: JobRecord, images: SpooledImage[], steps: DeliverySteps, signal: AbortSignal): Promise<void>;
}

/** A delivery failure that no retry can mend (e.g. the images are gone). */
export class PermanentDeliveryError extends AppError {}

export interface EngineEvents {
  /** A job moved from `from` to `job.state` (already persisted). */
  state: [job: JobRecord, from: JobState];
  /** A new queue position: RunComfy's (queued), or the bot's own fair queue's (waiting). */
  queue: [job: JobRecord];
  /** The set is ready: delivery starts now. */
  ready: [job: JobRecord];
  /** Terminal: delivered, cancelled, failed, timed_out or expired. */
  ended: [job: JobRecord];
}

export interface SubmitRequest {
  /**
   * Idempotency key chosen by the surface (e.g. the Discord interaction id). A second submit
   * with the same id returns the first job and sends nothing. Default: a fresh short id.
   */
  id?: string;
  owner: JobOwner;
  /** The user's own words, for display. */
  prompt: string;
  /** The model to run (src/models/registry.ts); default Seedream sequential. */
  model?: string;
  /** That model's validated and reconciled input (src/models). */
  input: ModelInput;
  /** Opaque data of the surface (status card ids…). */
  surface?: JobRecord['surface'];
  /** The limits that apply (resolved by the surface from the server's settings); default: the engine's. */
  limits?: QuotaLimits;
  /** The server the job is charged to; default the server it was asked in (`owner.guildId`). */
  billingGuildId?: string | null;
  /** The set this one varies (see JobRecord.parent). */
  parent?: JobParent;
  /** What `check` held for this request: released once the atomic step has the real counters. */
  hold?: QuotaHold;
}

/** A request that passed `check`, counted until its `submit` (or until released). */
export interface QuotaHold {
  release(): void;
}

export type CancelOutcome = 'cancelled' | 'not_cancellable' | 'already_ended';
