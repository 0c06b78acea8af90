/**
 * Picks work up where a crash, a restart or a dead process left it: resumes every unfinished
 * job from its durable state, repairs the fair queue and the in-flight list, keeps this
 * process's leases alive and adopts the jobs of processes that died; sweeps the spool and the
 * store of what ended jobs left.
 */
import { describeError } from '../errors.js';
import { type AdmissionStore, SLOTS_KEY, slotsSchema } from '../store/coordination/admission-decisions.js';
import type { PersistentFairQueue } from '../store/fair-queue.js';
import type { EngineContext } from './context.js';
import type { DeliveryRunner } from './delivery-runner.js';
import type { Dispatch } from './dispatch.js';
import { isTerminal, type JobRecord, jobRecordSchema } from './job.js';
import { IN_FLIGHT, type InFlightSlots } from './slots.js';
import type { Transitions } from './transitions.js';
import type { UpstreamTracker } from './upstream-tracker.js';

/** How often expired records are swept from the store. */
const SWEEP_EVERY_MS = 6 * 3_600_000;

export interface RecoveryParts {
  queue: PersistentFairQueue;
  slots: InFlightSlots;
  /** The store's queue repair (one Lua script on Redis). */
  decisions: AdmissionStore;
  transitions: Transitions;
  tracker: UpstreamTracker;
  delivery: DeliveryRunner;
  dispatch: Dispatch;
}

export class Recovery {
  readonly #ctx: EngineContext;
  readonly #parts: RecoveryParts;
  #sweepTimer: ReturnType<typeof setTimeout> | undefined;
  #leaseTimer: ReturnType<typeof setTimeout> | undefined;
  #adoptTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(ctx: EngineContext, parts: RecoveryParts) {
    this.#ctx = ctx;
    this.#parts = parts;
  }

  /**
   * At start: resumes every unfinished job this process may own, repairs the queue and the
   * in-flight list, sweeps the spool, and starts the store sweep in the background. Returns how
   * many jobs it resumed.
   */
  async resumeAll(): Promise<number> {
    const { jobs, leases } = this.#ctx;
    const ids = await jobs.activeIds();
    const waiting: JobRecord[] = [];
    let resumed = 0;
    for (let i = 0; i < ids.length; i += 200) {
      const chunk = ids.slice(i, i + 200);
      const records = await Promise.all(chunk.map((id) => jobs.get(id)));
      for (const [index, job] of records.entries()) {
        const id = chunk[index]!;
        if (!job) {
          // An id whose record was never written (crash mid-create): take it out of the index.
          await jobs.forget(id);
          continue;
        }
        if (job.state === 'waiting') waiting.push(job);
        else if (isTerminal(job.state) || (await leases.acquire(job.id))) await this.#resume(job);
        else continue; // another live process owns it
        resumed++;
      }
    }
    await this.#reconcileQueue(waiting);
    await this.#pruneSlots();
    await this.#sweepSpool(new Set(ids));
    // A full scan of a large SQLite table: in the background, not before the bot answers.
    void this.#sweepStore();
    return resumed;
  }

  /** Several processes on one store: renews this process's leases and adopts dead processes' jobs. */
  keepLeases(): void {
    if (!this.#ctx.leases.shared) return;
    this.#scheduleRenewal();
    this.#scheduleAdoption();
  }

  stopTimers(): void {
    clearTimeout(this.#leaseTimer);
    clearTimeout(this.#adoptTimer);
    clearTimeout(this.#sweepTimer);
  }

  /** Renews this process's leases; a lost one (this process was paused) stops its work at once. */
  #scheduleRenewal(): void {
    const { leases, log, signal } = this.#ctx;
    const { tracker, delivery, dispatch, slots } = this.#parts;
    this.#leaseTimer = setTimeout(async () => {
      try {
        const working = (jobId: string) => tracker.has(jobId) || delivery.has(jobId) || dispatch.isSending(jobId);
        for (const jobId of await leases.renewAll(working)) {
          log.warn({ jobId }, 'lease lost: another process owns the job now');
          tracker.untrack(jobId);
          slots.forget(jobId);
        }
      } catch (error) {
        log.warn({ err: describeError(error) }, 'could not renew leases');
      }
      if (!signal.aborted) this.#scheduleRenewal();
    }, leases.leaseMs / 3);
    this.#leaseTimer.unref?.();
  }

  /** Adopts the jobs of processes that died (their leases expired), and repairs the queue they left. */
  #scheduleAdoption(): void {
    this.#adoptTimer = setTimeout(async () => {
      try {
        await this.adopt();
      } catch (error) {
        this.#ctx.log.warn({ err: describeError(error) }, 'could not adopt jobs');
      }
      if (!this.#ctx.signal.aborted) this.#scheduleAdoption();
    }, this.#ctx.leases.leaseMs / 2);
    this.#adoptTimer.unref?.();
  }

  /** One round of adoption: every active job nobody holds a lease on is resumed here. */
  async adopt(): Promise<number> {
    const { jobs, leases, store, signal } = this.#ctx;
    const ids = await jobs.activeIds();
    const waiting: JobRecord[] = [];
    let adopted = 0;
    for (let i = 0; i < ids.length && !signal.aborted; i += 200) {
      const chunk = await leases.unheld(ids.slice(i, i + 200));
      const records = await store.getMany('jobs', chunk, jobRecordSchema);
      for (const job of records) {
        if (!job) continue;
        if (job.state === 'waiting') waiting.push(job);
        else if (isTerminal(job.state)) await this.#resume(job);
        else if (await leases.adopt(job.id)) {
          // Read again under the lease: the former owner may have moved it before it died.
          const current = await jobs.get(job.id);
          if (!current || isTerminal(current.state)) {
            await leases.release(job.id);
            if (current) await this.#resume(current);
            continue;
          }
          this.#ctx.jobLog(current).info({ state: current.state }, 'adopted a job whose owner is gone');
          await this.#resume(current);
          adopted++;
        }
      }
    }
    // A waiting job outside the queue is only put back when no process is sending it (the
    // reconcile script checks the leases again, atomically).
    await this.#reconcileQueue(waiting);
    await this.#pruneSlots();
    await this.#parts.dispatch.kick();
    return adopted;
  }

  /** Takes a job up again from its durable state (a terminal one is only settled and retired). */
  async #resume(job: JobRecord): Promise<void> {
    const { transitions, tracker, delivery, slots, dispatch } = this.#parts;
    const log = this.#ctx.jobLog(job);
    if (isTerminal(job.state)) {
      await this.#ctx.jobs.update(job.id, (j) => j); // retires it from the indexes
      await transitions.settle(job);
      await this.#ctx.options.spool.remove(job.id).catch(() => undefined);
      return;
    }
    if (IN_FLIGHT.has(job.state)) slots.add(job.id);
    switch (job.state) {
      case 'waiting':
        return; // the fair queue's business (see #reconcileQueue)
      case 'submitted':
        if (!job.requestId && job.unsent) {
          dispatch.resend(job);
          return;
        }
        if (!job.requestId) {
          // We crashed while the submit was on the wire: it may have started on RunComfy.
          log.warn('found a submit with no request id after a restart; not re-sending it');
          await transitions.end(job.id, 'failed', {
            failure: {
              code: 'runcomfy_submit_uncertain',
              detail: 'The bot restarted while submitting; the job was not re-sent to avoid paying twice',
              params: {},
            },
            chargeKept: true,
          });
          return;
        }
        tracker.resume(job);
        return;
      case 'fetching':
        if (job.imageUrls.length > 0) {
          delivery.startCollect(job.id);
          return;
        }
        tracker.resume(job);
        return;
      case 'queued':
      case 'running':
        tracker.resume(job);
        return;
      case 'delivering':
        delivery.startDelivery(job.id);
        return;
    }
  }

  /**
   * After a restart: the stored queue is the order. Entries whose job is no longer waiting go;
   * waiting jobs missing from it (a crash in the middle of sending one) go back to the front.
   */
  async #reconcileQueue(waiting: JobRecord[]): Promise<void> {
    const { queue, restored } = await this.#parts.decisions.reconcile(waiting);
    if (restored.length > 0) this.#ctx.log.warn({ jobs: restored }, 'fair queue: waiting jobs put back at the front');
    this.#parts.queue.replace(queue);
  }

  /** Frees the slots of jobs that no longer hold one (ended while a process was down). */
  async #pruneSlots(): Promise<void> {
    await this.#ctx.store.transact([SLOTS_KEY], async (tx) => {
      const slots = (await tx.get(...SLOTS_KEY, slotsSchema)) ?? [];
      const records = await tx.getMany('jobs', slots, jobRecordSchema);
      const kept = slots.filter((_, i) => {
        const state = records[i]?.state;
        return state !== undefined && (state === 'waiting' || IN_FLIGHT.has(state));
      });
      if (kept.length !== slots.length) tx.set(...SLOTS_KEY, kept);
    });
  }

  /**
   * Deletes the spool folders of jobs no longer active (ended while their files were being
   * written, or left by a crash): only an active job may still need its local copies.
   */
  async #sweepSpool(activeIds: ReadonlySet<string>): Promise<void> {
    const spool = this.#ctx.options.spool;
    const leftovers = (await spool.jobsOnDisk().catch(() => [])).filter((id) => !activeIds.has(id));
    for (const jobId of leftovers) await spool.remove(jobId).catch(() => undefined);
    if (leftovers.length > 0)
      this.#ctx.log.info({ removed: leftovers.length }, 'spool: leftovers of ended jobs removed');
  }

  /** Deletes expired records (ended jobs past JOB_RETENTION, old counters) now and every 6 hours. */
  async #sweepStore(): Promise<void> {
    try {
      const removed = await this.#ctx.store.sweepExpired();
      if (removed > 0) this.#ctx.log.info({ removed }, 'store: expired records removed');
    } catch (error) {
      this.#ctx.log.warn({ err: describeError(error) }, 'store: could not remove expired records');
    }
    if (this.#ctx.signal.aborted) return;
    this.#sweepTimer = setTimeout(() => void this.#sweepStore(), SWEEP_EVERY_MS);
    this.#sweepTimer.unref?.();
  }
}
