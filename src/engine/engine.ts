/**
 * The job engine's facade: builds its parts, starts and stops them, and answers the surfaces
 * (check, submit, cancel, get…). Each part has one job, in its own file: admission (limits,
 * reservation, record), dispatch (fair queue, in-flight cap, sending), upstream-tracker
 * (polling RunComfy), delivery-runner (download, deliver, retries), transitions (state moves
 * and settlement), recovery (restarts, leases, sweeps). Every transition is persisted before
 * the side effect that follows it. It never imports discord.js: surfaces subscribe to its
 * events and implement `Deliverer` (surface.ts).
 */
import { EventEmitter, setMaxListeners } from 'node:events';
import { EtaModel } from '../accounting/eta-model.js';
import { PriceBook } from '../accounting/pricing.js';
import { NO_LIMITS, QuotaLedger } from '../accounting/quota.js';
import { UsageLedger } from '../accounting/usage.js';
import { type Logger, silentLogger } from '../log.js';
import { DEFAULT_MODEL_KEY, runcomfyModelId } from '../models/registry.js';
import { AdmissionStore } from '../store/coordination/admission-decisions.js';
import { Leases } from '../store/coordination/leases.js';
import { PersistentFairQueue } from '../store/fair-queue.js';
import type { ImageSpool } from '../store/image-spool.js';
import { JobRepository } from '../store/job-repository.js';
import { Admission } from './admission.js';
import { NO_RETRY } from './backoffs.js';
import type { EngineContext, EngineLifecycle } from './context.js';
import { DeliveryRunner } from './delivery-runner.js';
import { Dispatch } from './dispatch.js';
import { ImageSizeMonitor } from './image-size-check.js';
import type { JobRecord } from './job.js';
import type { JobEngineOptions } from './options.js';
import { Recovery } from './recovery.js';
import { InFlightSlots } from './slots.js';
import type { CancelOutcome, EngineEvents, QuotaHold, SubmitRequest } from './surface.js';
import { Transitions } from './transitions.js';
import { UpstreamTracker } from './upstream-tracker.js';

export class JobEngine extends EventEmitter<EngineEvents> {
  readonly jobs: JobRepository;
  readonly eta: EtaModel;
  readonly pricing: PriceBook;
  readonly usage: UsageLedger;
  readonly quota: QuotaLedger;
  /** Images not the size asked for: counted, and emitted as 'mismatch' (image-size-check.ts). */
  readonly imageSizes = new ImageSizeMonitor();
  readonly leases: Leases;
  readonly #log: Logger;
  readonly #spool: ImageSpool;
  readonly #stopping = new AbortController();
  readonly #lifecycle: EngineLifecycle = { started: false, draining: false };
  readonly #queue: PersistentFairQueue;
  readonly #slots: InFlightSlots;
  readonly #admission: Admission;
  readonly #dispatch: Dispatch;
  readonly #tracker: UpstreamTracker;
  readonly #delivery: DeliveryRunner;
  readonly #recovery: Recovery;

  constructor(options: JobEngineOptions) {
    super();
    const clock = options.clock ?? Date.now;
    const log = options.logger ?? silentLogger;
    this.#log = log;
    this.#spool = options.spool;
    this.jobs = new JobRepository(options.store, options.historyLimit, options.retentionMs);
    this.eta = new EtaModel(options.store);
    this.usage = new UsageLedger(options.store);
    this.quota = new QuotaLedger(this.usage);
    this.pricing =
      options.pricing ??
      new PriceBook({
        fallbackPerImageUsd: options.pricePerImageUsd ?? 0.03,
        fetchInfo: () =>
          options.client.modelInfo(runcomfyModelId(DEFAULT_MODEL_KEY, options.modelIds), {
            signal: this.#stopping.signal,
            retry: NO_RETRY,
            timeoutMs: 5_000,
          }),
        clock,
        logger: log,
      });
    this.#queue = new PersistentFairQueue(options.store, options.queueName);
    this.leases = new Leases(options.store, options.leaseMs, options.processId);
    this.jobs.fenceOf = (jobId) => this.leases.fence(jobId);
    // Every limit, the fair queue and the global cap are decided in the store, atomically for
    // every process on it (one Lua script each on Redis).
    const decisions = new AdmissionStore(options.store, this.jobs, this.quota, this.#queue.lockKey, this.leases);
    this.#slots = new InFlightSlots(decisions, options.maxInFlight);
    const ctx: EngineContext = {
      options,
      store: options.store,
      jobs: this.jobs,
      leases: this.leases,
      clock,
      log,
      events: this,
      signal: this.#stopping.signal,
      lifecycle: this.#lifecycle,
      jobLog: (job) => log.child({ jobId: job.id, requestId: job.requestId }),
    };
    // The two edges back from transitions, wired here: an ended job is no longer polled, and
    // a freed slot lets the next waiting job go.
    const transitions = new Transitions(ctx, this.quota, this.#slots, {
      ending: (jobId) => this.#tracker.untrack(jobId),
      slotFreed: () => this.#dispatch.kick(),
    });
    // Every call in flight listens to this one signal.
    setMaxListeners(0, this.#stopping.signal);
    this.#delivery = new DeliveryRunner(ctx, transitions, this.imageSizes);
    this.#tracker = new UpstreamTracker(ctx, this.eta, transitions, this.#delivery);
    this.#dispatch = new Dispatch(ctx, this.#queue, this.#slots, decisions, transitions, this.#tracker);
    this.#admission = new Admission(ctx, {
      pricing: this.pricing,
      usage: this.usage,
      quota: this.quota,
      queue: this.#queue,
      slots: this.#slots,
      decisions,
      defaultLimits: { ...NO_LIMITS, ...options.limits },
    });
    this.#recovery = new Recovery(ctx, {
      queue: this.#queue,
      slots: this.#slots,
      decisions,
      transitions,
      tracker: this.#tracker,
      delivery: this.#delivery,
      dispatch: this.#dispatch,
    });
  }

  /** Jobs followed by the poller right now. */
  get trackedCount(): number {
    return this.#tracker.size;
  }

  /** True while a call, a download or a post is under way (tests wait for quiet). */
  get busy(): boolean {
    return this.#tracker.polling > 0 || this.#dispatch.sending > 0 || this.#delivery.working;
  }

  /** Jobs holding a slot of the global cap right now. */
  get inFlightCount(): number {
    return this.#slots.size;
  }

  /** Ids of the jobs waiting in the fair queue, in the order they will be sent. */
  waitingOrder(): string[] {
    return this.#dispatch.waitingOrder();
  }

  /** Loads the learned ETAs and the fair queue, resumes every unfinished job, then starts polling. */
  async start(): Promise<void> {
    if (this.#lifecycle.started) return;
    this.#lifecycle.started = true;
    await this.eta.load();
    await this.#queue.load();
    const resumed = await this.#recovery.resumeAll();
    // Before anything is sent: a job whose wait ran out while the bot was down is not.
    await this.#dispatch.expireWaiting();
    this.#tracker.start();
    await this.#admission.refreshPrice();
    this.#log.info({ resumed, waiting: this.#dispatch.waitingCount, inFlight: this.#slots.size }, 'job engine started');
    await this.#dispatch.kick();
    this.#dispatch.schedulePositions();
    this.#recovery.keepLeases();
  }

  /** One round of adoption: every active job nobody holds a lease on is resumed here. */
  adopt(): Promise<number> {
    return this.#recovery.adopt();
  }

  /** Stops polling and deliveries; every job stays in the store and resumes at the next start. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#recovery.stopTimers();
    this.#admission.stop();
    this.#dispatch.stopTimers();
    await this.#tracker.stop();
    await this.#dispatch.idle();
    await Promise.allSettled([...this.#delivery.tasks(), ...this.#dispatch.submits()]);
    // Sets downloaded but not delivered go to disk, so the next start needs no URL.
    await this.#spool.close().catch((error: unknown) => this.#log.warn({ err: error }, 'could not write the spool'));
    await this.eta.save().catch((error: unknown) => this.#log.warn({ err: error }, 'could not save ETA model'));
    // The others adopt this process's jobs at once instead of after the lease time.
    await this.leases.releaseAll().catch(() => undefined);
  }

  /**
   * The first half of a graceful stop: no submit, download or delivery starts any more, and the
   * ones under way may finish. Resolves true once they have, false when `timeoutMs` (real time)
   * ran out first; `stop()` then aborts what is left, which resumes from its durable steps at
   * the next start. Tasks waiting out a backoff are not waited for.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    this.#lifecycle.draining = true;
    const until = Date.now() + timeoutMs;
    const working = () => this.#dispatch.sending > 0 || this.#delivery.working;
    while (working()) {
      const left = until - Date.now();
      if (left <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      // Re-checked every 250 ms too: a task that starts backing off settles nothing.
      await Promise.race([
        ...this.#delivery.tasks(),
        ...this.#dispatch.submits(),
        new Promise((resolve) => {
          timer = setTimeout(resolve, Math.min(left, 250));
        }),
      ]).catch(() => undefined);
      clearTimeout(timer);
    }
    return true;
  }

  /**
   * Answers at once whether a request would pass every limit (admission.ts); the returned hold
   * counts it until its `submit`.
   */
  check(request: Pick<SubmitRequest, 'owner' | 'model' | 'input' | 'limits' | 'billingGuildId'>): Promise<QuotaHold> {
    return this.#admission.check(request);
  }

  /**
   * Accepts a request: one atomic step checks every limit, reserves the images and the
   * estimated cost and records the job (admission.ts). Then, if a slot of the global cap is
   * free and nobody is waiting, submits it to RunComfy at once (a RunComfy error ends the job
   * `failed` and is thrown); otherwise the job waits its turn in the fair queue and is returned
   * `waiting` (dispatch.ts). `guard` runs inside the atomic step.
   */
  async submit(request: SubmitRequest, guard?: () => Promise<void>): Promise<JobRecord> {
    const admitted = await this.#admission.admit(request, guard);
    if (!admitted.created) return admitted.job;
    return this.#dispatch.accept(admitted.job, admitted.images);
  }

  /** Cancels a job that is still waiting in the bot's queue or queued on RunComfy. */
  cancel(jobId: string): Promise<{ outcome: CancelOutcome; job: JobRecord }> {
    return this.#dispatch.cancel(jobId);
  }

  /** The job, with its live place in the fair queue while it waits. */
  async get(jobId: string): Promise<JobRecord | undefined> {
    const job = await this.jobs.get(jobId);
    return job && this.#dispatch.withPosition(job);
  }

  /** A user's unfinished jobs (live queue places included). */
  async userActive(userId: string): Promise<JobRecord[]> {
    return (await this.jobs.userActive(userId)).map((job) => this.#dispatch.withPosition(job));
  }

  /** Stores surface data (e.g. the status card's message id) on the job. */
  async setSurface(jobId: string, patch: JobRecord['surface']): Promise<JobRecord> {
    return this.jobs.update(jobId, (job) => ({ ...job, surface: { ...job.surface, ...patch } }));
  }

  /** Learned running time for a job's kind (for ETA bars). */
  estimate(job: JobRecord): { meanMs: number; devMs: number } {
    return this.#tracker.estimate(job);
  }
}
