/**
 * Sends jobs to RunComfy within the global in-flight cap: a job admitted with a free slot goes
 * at once, the others wait in the fair queue (round-robin across members, shared by every
 * process) until a slot frees, their deadline passes or they are cancelled. Announces queue
 * places as they change.
 */
import { describeError } from '../errors.js';
import { runcomfyModelId } from '../models/registry.js';
import { RunComfySubmitUncertainError } from '../runcomfy/errors.js';
import type { SubmitResponse } from '../runcomfy/schemas.js';
import type { AdmissionStore } from '../store/coordination/admission-decisions.js';
import { FairQueue, type FairQueueState, fairQueueSchema, type PersistentFairQueue } from '../store/fair-queue.js';
import { JobNotFoundError } from '../store/job-repository.js';
import { LeaseLostError } from '../store/store.js';
import { submitMayHaveStarted } from './charge-policy.js';
import type { EngineContext } from './context.js';
import { isTerminal, type JobRecord, jobRecordSchema, transition } from './job.js';
import { IN_FLIGHT, type InFlightSlots } from './slots.js';
import type { CancelOutcome } from './surface.js';
import { failureOf, type Transitions } from './transitions.js';
import type { UpstreamTracker } from './upstream-tracker.js';

export class Dispatch {
  readonly #ctx: EngineContext;
  readonly #queue: PersistentFairQueue;
  readonly #slots: InFlightSlots;
  /** The store's round-robin pop with a slot (one Lua script on Redis). */
  readonly #decisions: AdmissionStore;
  readonly #transitions: Transitions;
  readonly #tracker: UpstreamTracker;
  readonly #submitting = new Map<string, Promise<unknown>>();
  #pumping: Promise<void> | undefined;
  #pumpAgain = false;
  #positionsScheduled = false;
  /** Last position announced per waiting job. */
  readonly #announced = new Map<string, number>();
  /** Fires at the earliest deadline of the jobs waiting in the fair queue. */
  #waitingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    ctx: EngineContext,
    queue: PersistentFairQueue,
    slots: InFlightSlots,
    decisions: AdmissionStore,
    transitions: Transitions,
    tracker: UpstreamTracker,
  ) {
    this.#ctx = ctx;
    this.#queue = queue;
    this.#slots = slots;
    this.#decisions = decisions;
    this.#transitions = transitions;
    this.#tracker = tracker;
  }

  /** Submits on the wire right now. */
  get sending(): number {
    return this.#submitting.size;
  }

  isSending(jobId: string): boolean {
    return this.#submitting.has(jobId);
  }

  /** Every submit on the wire, to wait for. */
  submits(): Array<Promise<unknown>> {
    return [...this.#submitting.values()];
  }

  /** Ids of the jobs waiting in the fair queue, in the order they will be sent. */
  waitingOrder(): string[] {
    return this.#queue.queue.order();
  }

  get waitingCount(): number {
    return this.#queue.queue.size;
  }

  stopTimers(): void {
    clearTimeout(this.#waitingTimer);
  }

  /** Resolves once no dispatch round is under way. */
  async idle(): Promise<void> {
    await this.#pumping?.catch(() => undefined);
  }

  /** A job just admitted: a `waiting` one waits its turn, a `submitted` one (it took a slot) goes now. */
  async accept(stored: JobRecord, images: number): Promise<JobRecord> {
    const log = this.#ctx.jobLog(stored);
    if (stored.state === 'waiting') {
      log.info({ count: images, position: stored.queuePosition }, 'job accepted; waiting for a free slot');
      this.#ctx.events.emit('state', stored, 'waiting');
      this.schedulePositions();
      this.#armWaitingDeadline();
      await this.kick();
      const current = await this.#ctx.jobs.get(stored.id);
      return (current && this.withPosition(current)) ?? stored;
    }
    await this.#ctx.leases.acquire(stored.id);
    log.info({ count: images }, 'job recorded; submitting');
    this.#ctx.events.emit('state', stored, 'submitted');
    return this.#send(stored);
  }

  /**
   * Sends a recorded `submitted` job to RunComfy, then follows it. The submit call starts
   * before this returns its promise, so `#submitting` knows about it at once.
   */
  async #send(record: JobRecord): Promise<JobRecord> {
    const submitting = this.#markAndSubmit(record);
    this.#submitting.set(record.id, submitting);
    let requestId: string;
    try {
      const answer = await submitting;
      if (!answer) return this.#ctx.jobs.require(record.id);
      requestId = answer.request_id;
    } catch (error) {
      // No clear refusal came back: RunComfy may be making (and billing) the set, so it stays
      // charged, and the member hears exactly that.
      const uncertain = submitMayHaveStarted(error);
      const reported =
        uncertain && !(error instanceof RunComfySubmitUncertainError)
          ? new RunComfySubmitUncertainError('RunComfy answered the submit with an error; it was not re-sent', {
              cause: error,
            })
          : error;
      await this.#transitions.end(record.id, 'failed', {
        failure: failureOf(reported, 'submit_failed'),
        ...(uncertain ? { chargeKept: true } : {}),
      });
      throw reported;
    } finally {
      this.#submitting.delete(record.id);
    }
    const queuedAt = this.#ctx.clock();
    const queued = await this.#transitions.move(record.id, 'queued', { requestId });
    if (!queued) return this.#ctx.jobs.require(record.id);
    this.#ctx.jobLog(queued).info('submitted to RunComfy');
    this.#tracker.followSubmitted(queued, queuedAt);
    return queued;
  }

  /**
   * Records that the submit leaves now, then sends it (undefined: the job is no longer one to
   * send, e.g. cancelled meanwhile). A restart before the record finds the job `unsent` and
   * sends it again, as nothing reached RunComfy; after it, the submit is uncertain.
   */
  async #markAndSubmit(record: JobRecord): Promise<SubmitResponse | undefined> {
    const { jobs, options, signal } = this.#ctx;
    let sendable = false;
    await jobs.update(record.id, (j) => {
      sendable = j.state === 'submitted' && j.requestId === undefined && j.unsent === true;
      if (!sendable) return j;
      const { unsent: _, ...sent } = j;
      return sent;
    });
    if (!sendable) return undefined;
    return options.client.submit(runcomfyModelId(record.model, options.modelIds), record.input, { signal });
  }

  /** After a restart: sends a job whose submit never left (its record still says `unsent`). */
  resend(record: JobRecord): void {
    this.#ctx.jobLog(record).info('a submit that never left before the restart is sent now');
    this.#send(record).catch(() => undefined);
  }

  /** Cancels a job that is still waiting in the bot's queue or queued on RunComfy. */
  async cancel(jobId: string): Promise<{ outcome: CancelOutcome; job: JobRecord }> {
    const { jobs, options, signal } = this.#ctx;
    await this.#submitting.get(jobId)?.catch(() => undefined);
    let job = await jobs.require(jobId);
    if (job.state === 'waiting') {
      const cancelled = await this.endWaiting(jobId, 'cancelled', {});
      if (cancelled) return { outcome: 'cancelled', job: cancelled };
      // It was sent meanwhile: cancel it on RunComfy like any other.
      await this.#submitting.get(jobId)?.catch(() => undefined);
      job = await jobs.require(jobId);
    }
    if (isTerminal(job.state)) return { outcome: 'already_ended', job };
    if (!job.requestId || !['submitted', 'queued'].includes(job.state)) return { outcome: 'not_cancellable', job };
    const answer = await options.client.cancel(job.requestId, { signal });
    if (answer.outcome !== 'cancelled') {
      this.#ctx.jobLog(job).info('RunComfy refused the cancel: the job is already running');
      return { outcome: 'not_cancellable', job: await jobs.require(jobId) };
    }
    const ended = await this.#transitions.end(jobId, 'cancelled', {});
    return { outcome: ended?.state === 'cancelled' ? 'cancelled' : 'already_ended', job: ended ?? job };
  }

  /** Sends waiting jobs while slots are free; concurrent calls share one run. */
  kick(): Promise<void> {
    if (this.#ctx.lifecycle.draining) return Promise.resolve();
    if (this.#pumping) {
      this.#pumpAgain = true;
      return this.#pumping;
    }
    this.#pumping = (async () => {
      try {
        do {
          this.#pumpAgain = false;
          await this.#pump();
        } while (this.#pumpAgain && !this.#ctx.signal.aborted);
      } catch (error) {
        this.#ctx.log.error({ err: describeError(error) }, 'fair queue: dispatch failed');
      } finally {
        this.#pumping = undefined;
      }
    })();
    return this.#pumping;
  }

  async #pump(): Promise<void> {
    const { jobs, leases, options, signal, lifecycle } = this.#ctx;
    // A slot that frees goes to a job still within its deadline.
    const due = this.#waitingDue();
    if (due.length > 0) await this.expireWaiting(due);
    let sent = 0;
    while (lifecycle.started && !signal.aborted) {
      // Popped and given a slot in one atomic step, shared by every process: round-robin
      // across members holds for all of them, and the cap is never passed.
      const popped = await this.#decisions.pop(this.#slots.max);
      this.#queue.replace(popped.queue);
      const next = popped.next;
      if (!next) break;
      // Out of the queue first: a crash here leaves a waiting job outside it, which
      // recovery puts back at the very front (where it was).
      // Another process holds it (it popped the same job just before a repair put it back):
      // that process sends it, with the slot.
      if (!(await leases.acquire(next.id))) continue;
      const now = this.#ctx.clock();
      let moved = false;
      const record = await jobs
        .update(next.id, (j) => {
          moved = false;
          if (j.state !== 'waiting') return j;
          moved = true;
          return transition(j, 'submitted', now, {
            deadlineAt: now + options.deadlineMs,
            queuePosition: null,
            unsent: true,
          });
        })
        .catch((error: unknown) => {
          if (error instanceof JobNotFoundError) return undefined;
          throw error;
        });
      if (!record || !moved) {
        await leases.release(next.id);
        // Cancelled meanwhile, or gone: the slot goes back (unless the job is at RunComfy).
        if (!record || !IN_FLIGHT.has(record.state)) await this.#slots.release(next.id);
        continue;
      }
      this.#slots.add(record.id);
      this.#announced.delete(record.id);
      this.#ctx.events.emit('state', record, 'waiting');
      this.#ctx.jobLog(record).info({ inFlight: this.#slots.size }, 'a slot is free; submitting');
      this.#send(record).catch(() => undefined);
      sent++;
    }
    if (sent > 0) this.schedulePositions();
  }

  /**
   * Ends a job still waiting in the fair queue, cancelled or past its deadline (nothing was
   * sent, nothing charged: its quota goes back); undefined if it is no longer waiting (it was
   * sent meanwhile).
   */
  async endWaiting(
    jobId: string,
    to: 'cancelled' | 'timed_out',
    patch: Partial<JobRecord>,
  ): Promise<JobRecord | undefined> {
    const lockKey = this.#queue.lockKey;
    let queueAfter: FairQueueState | undefined;
    const ended = await this.#ctx.store.transact(
      [lockKey, ['jobs', jobId]],
      async (tx): Promise<JobRecord | undefined> => {
        queueAfter = undefined;
        const job = await tx.get('jobs', jobId, jobRecordSchema);
        if (job?.state !== 'waiting') return undefined;
        const record = transition(job, to, this.#ctx.clock(), { ...patch, queuePosition: null });
        tx.set('jobs', jobId, record);
        const queue = new FairQueue(await tx.get(...lockKey, fairQueueSchema));
        if (queue.remove(jobId)) {
          tx.set(...lockKey, queue.toJSON());
          queueAfter = queue.toJSON();
        }
        return record;
      },
    );
    if (queueAfter) this.#queue.replace(queueAfter);
    if (ended) {
      // Retires it from the indexes; once more if this process gave the lease up meanwhile
      // (its pump popped the job as it ended here: see Transitions.settle).
      await this.#ctx.jobs
        .update(jobId, (j) => j)
        .catch((error: unknown) => {
          if (!(error instanceof LeaseLostError) || this.#ctx.leases.fence(jobId)) throw error;
          return this.#ctx.jobs.update(jobId, (j) => j);
        });
    }
    if (!ended) return undefined;
    this.#announced.delete(jobId);
    this.#ctx.jobLog(ended).info({ state: to }, 'ended while waiting in the fair queue');
    const settled = await this.#transitions.settle(ended);
    this.#ctx.events.emit('state', settled, 'waiting');
    this.#ctx.events.emit('ended', settled);
    this.schedulePositions();
    return settled;
  }

  /**
   * Every job has a deadline, a waiting one too: one that has waited in the fair queue for the
   * whole job deadline (the cap stayed full) ends timed_out instead of waiting on forever. Its
   * deadline starts again when it is sent, for RunComfy's part.
   */
  #armWaitingDeadline(): void {
    const { options, signal } = this.#ctx;
    clearTimeout(this.#waitingTimer);
    if (signal.aborted) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const entry of this.#queue.queue.entries()) earliest = Math.min(earliest, entry.at);
    if (earliest === Number.POSITIVE_INFINITY) return;
    const dueIn = Math.max(0, earliest + options.deadlineMs - this.#ctx.clock());
    this.#waitingTimer = setTimeout(
      () => {
        void this.expireWaiting().catch((error: unknown) =>
          this.#ctx.log.warn({ err: describeError(error) }, 'fair queue: could not time out waiting jobs'),
        );
      },
      dueIn / (options.timeScale ?? 1),
    );
    this.#waitingTimer.unref?.();
  }

  /** Ids of the waiting jobs whose deadline has passed. */
  #waitingDue(): string[] {
    const now = this.#ctx.clock();
    return this.#queue.queue
      .entries()
      .filter((entry) => entry.at + this.#ctx.options.deadlineMs <= now)
      .map((entry) => entry.id);
  }

  /** Ends `timed_out` the waiting jobs past their deadline, then arms the timer for the next. */
  async expireWaiting(due: readonly string[] = this.#waitingDue()): Promise<void> {
    const minutes = Math.round(this.#ctx.options.deadlineMs / 60_000);
    for (const jobId of due) {
      if (this.#ctx.signal.aborted) return;
      await this.endWaiting(jobId, 'timed_out', {
        failure: {
          code: 'queue_timed_out',
          detail: 'The job waited in the bot’s queue until its deadline',
          params: { minutes },
        },
      });
    }
    this.#armWaitingDeadline();
  }

  /** Announces new queue places (coalesced: once per turn of the event loop). */
  schedulePositions(): void {
    if (this.#positionsScheduled) return;
    this.#positionsScheduled = true;
    setImmediate(() => {
      this.#positionsScheduled = false;
      void this.#announcePositions().catch((error: unknown) =>
        this.#ctx.log.warn({ err: describeError(error) }, 'fair queue: could not announce positions'),
      );
    });
  }

  async #announcePositions(): Promise<void> {
    const order = this.#queue.queue.order();
    const changed = order.filter((id, i) => this.#announced.get(id) !== i + 1);
    for (const id of this.#announced.keys()) if (!this.#queue.queue.has(id)) this.#announced.delete(id);
    if (changed.length === 0) return;
    const records = await this.#ctx.store.getMany('jobs', changed, jobRecordSchema);
    for (const record of records) {
      if (record?.state !== 'waiting') continue;
      const job = this.withPosition(record);
      this.#announced.set(job.id, job.queuePosition ?? 0);
      this.#ctx.events.emit('queue', job);
    }
  }

  /** The job, with its live place in the fair queue while it waits. */
  withPosition(job: JobRecord): JobRecord {
    if (job.state !== 'waiting') return job;
    const position = this.#queue.queue.positionOf(job.id);
    return position === undefined || position === job.queuePosition ? job : { ...job, queuePosition: position };
  }
}
