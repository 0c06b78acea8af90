/**
 * Every state move of a job and what settles with it: the record is written first, then the
 * quota is given back (or corrected to the charged cost), then the move is announced; a job
 * that leaves RunComfy's hands gives its slot of the global cap back, an ended one its lease.
 */
import type { QuotaLedger } from '../accounting/quota.js';
import { AppError, describeError } from '../errors.js';
import { LeaseLostError, type Namespace } from '../store/store.js';
import { keepsCharge } from './charge-policy.js';
import type { EngineContext } from './context.js';
import {
  canTransition,
  isTerminal,
  type JobFailure,
  type JobRecord,
  type JobState,
  jobRecordSchema,
  transition,
} from './job.js';
import { IN_FLIGHT, type InFlightSlots } from './slots.js';

/** What other parts do when a job ends or frees a slot (wired by the facade). */
export interface TransitionHooks {
  /** The job ends: stop polling it. */
  ending(jobId: string): void;
  /** A slot of the global cap is free: the next waiting job may go. */
  slotFreed(): Promise<void>;
}

export class Transitions {
  readonly #ctx: EngineContext;
  readonly #quota: QuotaLedger;
  readonly #slots: InFlightSlots;
  readonly #hooks: TransitionHooks;

  constructor(ctx: EngineContext, quota: QuotaLedger, slots: InFlightSlots, hooks: TransitionHooks) {
    this.#ctx = ctx;
    this.#quota = quota;
    this.#slots = slots;
    this.#hooks = hooks;
    // A job that leaves RunComfy's hands frees its slot: the next waiting job may go.
    ctx.events.on('state', (job) => this.#afterMove(job));
  }

  /** Persists a move to `to`; returns undefined (and changes nothing) if the job already ended. */
  async move(jobId: string, to: JobState, patch: Partial<JobRecord>): Promise<JobRecord | undefined> {
    let from: JobState | undefined;
    const job = await this.#ctx.jobs.update(jobId, (current) => {
      from = current.state;
      if (current.state === to || !canTransition(current.state, to)) return current;
      return transition(current, to, this.#ctx.clock(), patch);
    });
    if (job.state !== to) return undefined;
    if (from !== to) {
      // Quota goes back (or is corrected to the charged cost) before anyone hears of the end.
      const ended = isTerminal(job.state) ? await this.settle(job) : job;
      this.#ctx.events.emit('state', ended, from!);
      if (isTerminal(ended.state)) this.#ctx.events.emit('ended', ended);
      return ended;
    }
    return job;
  }

  /** Ends a job (no more polls, its local copies go); undefined if it had already ended. */
  async end(jobId: string, to: JobState, patch: Partial<JobRecord>): Promise<JobRecord | undefined> {
    this.#hooks.ending(jobId);
    const job = await this.move(jobId, to, patch);
    if (job) {
      this.#ctx.jobLog(job).info({ state: to, failure: job.failure?.code }, 'job ended');
      await this.#ctx.options.spool.remove(jobId).catch(() => undefined);
    }
    return job;
  }

  fail(jobId: string, failure: JobFailure): Promise<JobRecord | undefined> {
    return this.end(jobId, 'failed', { failure });
  }

  /** Gives a terminal job's reservation back, or corrects it to the charged cost; once. */
  async settle(job: JobRecord): Promise<JobRecord> {
    if (job.reservation?.state !== 'held') return job;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#settleOnce(job);
      } catch (error) {
        // This process gave the job's lease up itself between reading its fence and the commit
        // (its pump popped the job as a Cancel ended it): nothing fences the settlement now, and
        // the held mark read inside makes it happen once. A lease lost to another process keeps
        // its fence: the new owner settles.
        if (error instanceof LeaseLostError && attempt === 1 && !this.#ctx.leases.fence(job.id)) continue;
        this.#ctx.jobLog(job).error({ err: describeError(error) }, 'could not give the quota back');
        return job;
      }
    }
  }

  async #settleOnce(job: JobRecord): Promise<JobRecord> {
    const { store, leases, options } = this.#ctx;
    // The mark on the job and the counters move together: a crash leaves both or neither.
    return store.transact([['jobs', job.id], ...this.#settleLocks(job)], async (tx) => {
      const fence = leases.fence(job.id);
      if (fence) tx.fence(fence.key, fence.token);
      const current = await tx.get('jobs', job.id, jobRecordSchema);
      if (current?.reservation?.state !== 'held' || !isTerminal(current.state)) return current ?? job;
      const outcome = keepsCharge(current) ? 'settled' : 'released';
      const marked: JobRecord = { ...current, reservation: { ...current.reservation, state: outcome } };
      tx.set('jobs', job.id, marked, options.retentionMs);
      await this.#quota.settleTx(tx, marked, current.reservation, outcome);
      return marked;
    });
  }

  #settleLocks(job: JobRecord): Array<[Namespace, string]> {
    return job.reservation ? this.#quota.lockKeys(job.reservation, job.owner.userId) : [];
  }

  /** After every announced move: an ended job's lease goes, a job out of RunComfy's hands frees its slot. */
  #afterMove(job: JobRecord): void {
    const log = this.#ctx.log;
    if (isTerminal(job.state)) {
      void this.#ctx.leases
        .release(job.id)
        .catch((error: unknown) => log.warn({ err: describeError(error), jobId: job.id }, 'could not release a lease'));
    }
    if (IN_FLIGHT.has(job.state) || !this.#slots.has(job.id)) return;
    void this.#slots
      .release(job.id)
      .catch((error: unknown) => log.warn({ err: describeError(error), jobId: job.id }, 'could not free a slot'))
      .then(() => this.#hooks.slotFreed());
  }
}

/** A job's failure as the surfaces read it: the error's stable code, else `fallbackCode`. */
export function failureOf(error: unknown, fallbackCode: string): JobFailure {
  if (error instanceof AppError) {
    return { code: error.code, detail: error.message, params: { ...error.params } };
  }
  return { code: fallbackCode, detail: error instanceof Error ? error.message : String(error), params: {} };
}
