/**
 * The job engine: submits, follows every RunComfy request through one poll scheduler,
 * hands finished sets to a Deliverer step by step, and resumes all of it after any crash.
 * Every transition is persisted before the side effect that follows it. It never imports
 * discord.js: surfaces subscribe to its events and implement `Deliverer`.
 */
import { EventEmitter, setMaxListeners } from 'node:events';
import { z } from 'zod';
import { EtaModel } from '../accounting/eta-model.js';
import { PriceBook } from '../accounting/pricing.js';
import {
  GuildActiveLimitError,
  NO_LIMITS,
  QuotaLedger,
  type QuotaLimits,
  type QuotaRequest,
} from '../accounting/quota.js';
import { counterKeys, toMicroUsd, UsageLedger } from '../accounting/usage.js';
import { AppError, describeError, isAbortError } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { DEFAULT_MODEL_KEY, modelFor, runcomfyModelId, setParameters } from '../models/registry.js';
import { RunComfyNotFoundError, RunComfyRateLimitError, RunComfySubmitUncertainError } from '../runcomfy/errors.js';
import type { ResultResponse, StatusResponse } from '../runcomfy/schemas.js';
import { Leases } from '../store/coordination/leases.js';
import { SharedRate } from '../store/coordination/rate-limit.js';
import { FairQueue, type FairQueueState, fairQueueSchema, PersistentFairQueue } from '../store/fair-queue.js';
import type { SpooledImage } from '../store/image-spool.js';
import { ActiveJobLimitError, activeBucketOf, JobNotFoundError, JobRepository } from '../store/job-repository.js';
import { LeaseLostError, type Namespace } from '../store/store.js';
import { backoffDelay, type RetryPolicy } from '../util/retry.js';
import { sleep } from '../util/sleep.js';
import { keepsCharge, submitMayHaveStarted } from './charge-policy.js';
import { ImageSizeMonitor } from './image-size-check.js';
import {
  canTransition,
  isTerminal,
  type JobFailure,
  type JobRecord,
  type JobState,
  jobRecordSchema,
  newJobId,
  transition,
} from './job.js';
import type { JobEngineOptions } from './options.js';
import { DEFAULT_POLL_TUNING, type PollObservation, type PollTuning, planNextPoll } from './poll-plan.js';
import { PollScheduler } from './poll-scheduler.js';
import { deliverySteps } from './steps.js';
import {
  type CancelOutcome,
  type EngineEvents,
  PermanentDeliveryError,
  type QuotaHold,
  type SubmitRequest,
} from './surface.js';

/**
 * The jobs holding a slot of the global cap, shared by every process on the store: a slot is
 * taken in the same atomic step that admits or pops a job, and given back when it leaves
 * RunComfy's hands.
 */
const SLOTS_KEY: [Namespace, string] = ['index', 'in-flight'];
const slotsSchema = z.array(z.string());

/** Jobs that hold a slot of the global cap. */
const IN_FLIGHT: ReadonlySet<JobState> = new Set(['submitted', 'queued', 'running']);

interface Tracked extends PollObservation {
  requestId: string;
  /** The job's model key: its output is parsed by that model. */
  model: string;
  count: number;
  quality: string;
  deadlineAt: number;
  errors: number;
  lastPollAt: number;
}

/**
 * How old the counters and indexes behind `check` may be when read from memory. This process's
 * own writes are always there at once; another process's (several bots on one Redis) within this.
 */
const CHECK_MAX_AGE_MS = 2_000;
const NO_RETRY: RetryPolicy = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
const ERROR_BACKOFF: RetryPolicy = { maxAttempts: Number.POSITIVE_INFINITY, baseDelayMs: 1_000, maxDelayMs: 15_000 };
const DELIVERY_BACKOFF: RetryPolicy = { maxAttempts: 8, baseDelayMs: 2_000, maxDelayMs: 60_000 };

export class JobEngine extends EventEmitter<EngineEvents> {
  readonly jobs: JobRepository;
  readonly eta: EtaModel;
  readonly pricing: PriceBook;
  readonly usage: UsageLedger;
  readonly quota: QuotaLedger;
  /** Images not the size asked for: counted, and emitted as 'mismatch' (image-size-check.ts). */
  readonly imageSizes = new ImageSizeMonitor();
  readonly #options: JobEngineOptions;
  readonly #clock: () => number;
  readonly #log: Logger;
  readonly #tuning: PollTuning;
  readonly #scheduler: PollScheduler;
  readonly #tracked = new Map<string, Tracked>();
  readonly #submitting = new Map<string, Promise<unknown>>();
  readonly #deliveries = new Map<string, Promise<void>>();
  /** Background tasks waiting out a backoff (not doing anything right now). */
  readonly #backingOff = new Set<string>();
  readonly #stopping = new AbortController();
  readonly #queue: PersistentFairQueue;
  /** Jobs holding a slot of the global cap. */
  readonly #inFlight = new Set<string>();
  readonly #maxInFlight: number;
  readonly #defaultLimits: QuotaLimits;
  #pumping: Promise<void> | undefined;
  #pumpAgain = false;
  #positionsScheduled = false;
  /** Last position announced per waiting job. */
  readonly #announced = new Map<string, number>();
  /** What requests between `check` and `submit` hold, by counter key. */
  readonly #holds = new Map<string, { images: number; microUsd: number; jobs: number }>();
  #priceTimer: ReturnType<typeof setTimeout> | undefined;
  #sweepTimer: ReturnType<typeof setTimeout> | undefined;
  /** Fires at the earliest deadline of the jobs waiting in the fair queue. */
  #waitingTimer: ReturnType<typeof setTimeout> | undefined;
  #consecutive429 = 0;
  #started = false;
  /** Set by drain(): nothing new is sent, downloaded or delivered; work under way goes on. */
  #draining = false;
  readonly leases: Leases;
  /** POLL_RATE for all processes together (several on Redis); each also paces itself. */
  readonly #sharedPollRate: SharedRate;
  #leaseTimer: ReturnType<typeof setTimeout> | undefined;
  #adoptTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: JobEngineOptions) {
    super();
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
    this.#log = options.logger ?? silentLogger;
    this.#tuning = { ...DEFAULT_POLL_TUNING, ...options.tuning };
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
            retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
            timeoutMs: 5_000,
          }),
        clock: this.#clock,
        logger: this.#log,
      });
    this.#queue = new PersistentFairQueue(options.store, options.queueName);
    this.leases = new Leases(options.store, options.leaseMs, options.processId);
    this.#sharedPollRate = new SharedRate(options.store, 'runcomfy-polls', options.pollRate);
    this.jobs.fenceOf = (jobId) => this.leases.fence(jobId);
    this.#maxInFlight = options.maxInFlight ?? Number.POSITIVE_INFINITY;
    this.#defaultLimits = { ...NO_LIMITS, activePerUser: options.maxActivePerUser, ...options.limits };
    // A job that leaves RunComfy's hands frees its slot: the next waiting job may go.
    this.on('state', (job) => {
      if (isTerminal(job.state)) {
        void this.leases
          .release(job.id)
          .catch((error: unknown) =>
            this.#log.warn({ err: describeError(error), jobId: job.id }, 'could not release a lease'),
          );
      }
      if (IN_FLIGHT.has(job.state) || !this.#inFlight.has(job.id)) return;
      void this.#releaseSlot(job.id)
        .catch((error: unknown) =>
          this.#log.warn({ err: describeError(error), jobId: job.id }, 'could not free a slot'),
        )
        .then(() => this.#kick());
    });
    // Every call in flight listens to this one signal.
    setMaxListeners(0, this.#stopping.signal);
    this.#scheduler = new PollScheduler({
      concurrency: options.pollConcurrency,
      ratePerSecond: options.pollRate,
      clock: this.#clock,
      timeScale: options.timeScale ?? 1,
      logger: this.#log,
      run: (jobId) => this.#poll(jobId),
    });
  }

  /** Jobs followed by the poller right now. */
  get trackedCount(): number {
    return this.#tracked.size;
  }

  /** True while a call, a download or a post is under way (tests wait for quiet). */
  get busy(): boolean {
    return this.#scheduler.inFlight > 0 || this.#submitting.size > 0 || this.#deliveries.size > this.#backingOff.size;
  }

  /** Loads the learned ETAs and the fair queue, resumes every unfinished job, then starts polling. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.eta.load();
    await this.#queue.load();
    const ids = await this.jobs.activeIds();
    const waiting: JobRecord[] = [];
    let resumed = 0;
    for (let i = 0; i < ids.length; i += 200) {
      const chunk = ids.slice(i, i + 200);
      const records = await Promise.all(chunk.map((id) => this.jobs.get(id)));
      for (const [index, job] of records.entries()) {
        const id = chunk[index]!;
        if (!job) {
          await this.#dropDanglingId(id);
          continue;
        }
        if (job.state === 'waiting') waiting.push(job);
        else if (isTerminal(job.state) || (await this.leases.acquire(job.id))) await this.#resume(job);
        else continue; // another live process owns it
        resumed++;
      }
    }
    await this.#reconcileQueue(waiting);
    await this.#pruneSlots();
    await this.#sweepSpool(new Set(ids));
    // A full scan of a large SQLite table: in the background, not before the bot answers.
    void this.#sweepStore();
    // Before anything is sent: a job whose wait ran out while the bot was down is not.
    await this.#expireWaiting();
    this.#scheduler.start();
    await this.#refreshPrice();
    this.#log.info({ resumed, waiting: this.#queue.queue.size, inFlight: this.#inFlight.size }, 'job engine started');
    await this.#kick();
    this.#schedulePositions();
    if (this.leases.shared) {
      this.#scheduleRenewal();
      this.#scheduleAdoption();
    }
  }

  /** Renews this process's leases; a lost one (this process was paused) stops its work at once. */
  #scheduleRenewal(): void {
    this.#leaseTimer = setTimeout(async () => {
      try {
        const working = (jobId: string) =>
          this.#tracked.has(jobId) || this.#deliveries.has(jobId) || this.#submitting.has(jobId);
        for (const jobId of await this.leases.renewAll(working)) {
          this.#log.warn({ jobId }, 'lease lost: another process owns the job now');
          this.#untrack(jobId);
          this.#inFlight.delete(jobId);
        }
      } catch (error) {
        this.#log.warn({ err: describeError(error) }, 'could not renew leases');
      }
      if (!this.#stopping.signal.aborted) this.#scheduleRenewal();
    }, this.leases.leaseMs / 3);
    this.#leaseTimer.unref?.();
  }

  /** Adopts the jobs of processes that died (their leases expired), and repairs the queue they left. */
  #scheduleAdoption(): void {
    this.#adoptTimer = setTimeout(async () => {
      try {
        await this.adopt();
      } catch (error) {
        this.#log.warn({ err: describeError(error) }, 'could not adopt jobs');
      }
      if (!this.#stopping.signal.aborted) this.#scheduleAdoption();
    }, this.leases.leaseMs / 2);
    this.#adoptTimer.unref?.();
  }

  /** One round of adoption: every active job nobody holds a lease on is resumed here. */
  async adopt(): Promise<number> {
    const ids = await this.jobs.activeIds();
    const waiting: JobRecord[] = [];
    let adopted = 0;
    for (let i = 0; i < ids.length && !this.#stopping.signal.aborted; i += 200) {
      const chunk = ids.slice(i, i + 200).filter((id) => !this.leases.owns(id));
      const records = await this.#options.store.getMany('jobs', chunk, jobRecordSchema);
      for (const job of records) {
        if (!job) continue;
        if (job.state === 'waiting') waiting.push(job);
        else if (isTerminal(job.state)) await this.#resume(job);
        else if (await this.leases.acquire(job.id)) {
          // Read again under the lease: the former owner may have moved it before it died.
          const current = await this.jobs.get(job.id);
          if (!current || isTerminal(current.state)) {
            await this.leases.release(job.id);
            if (current) await this.#resume(current);
            continue;
          }
          this.#jobLog(current).info({ state: current.state }, 'adopted a job whose owner is gone');
          await this.#resume(current);
          adopted++;
        }
      }
    }
    // A waiting job outside the queue is only put back when no process is sending it.
    const held = await Promise.all(waiting.map((job) => this.leases.isHeld(job.id)));
    await this.#reconcileQueue(waiting.filter((_, i) => !held[i]));
    await this.#pruneSlots();
    await this.#kick();
    return adopted;
  }

  /** Stops polling and deliveries; every job stays in the store and resumes at the next start. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    clearTimeout(this.#leaseTimer);
    clearTimeout(this.#adoptTimer);
    clearTimeout(this.#priceTimer);
    clearTimeout(this.#sweepTimer);
    clearTimeout(this.#waitingTimer);
    await this.#scheduler.stop();
    await this.#pumping?.catch(() => undefined);
    await Promise.allSettled([...this.#deliveries.values(), ...this.#submitting.values()]);
    // Sets downloaded but not delivered go to disk, so the next start needs no URL.
    await this.#options.spool
      .close()
      .catch((error: unknown) => this.#log.warn({ err: error }, 'could not write the spool'));
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
    this.#draining = true;
    const until = Date.now() + timeoutMs;
    const working = () => this.#submitting.size > 0 || this.#deliveries.size > this.#backingOff.size;
    while (working()) {
      const left = until - Date.now();
      if (left <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      // Re-checked every 250 ms too: a task that starts backing off settles nothing.
      await Promise.race([
        ...this.#deliveries.values(),
        ...this.#submitting.values(),
        new Promise((resolve) => {
          timer = setTimeout(resolve, Math.min(left, 250));
        }),
      ]).catch(() => undefined);
      clearTimeout(timer);
    }
    return true;
  }

  /** Jobs holding a slot of the global cap right now. */
  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  /** Ids of the jobs waiting in the fair queue, in the order they will be sent. */
  waitingOrder(): string[] {
    return this.#queue.queue.order();
  }

  /** The limits of a request that brings none. */
  get defaultLimits(): QuotaLimits {
    return { ...this.#defaultLimits };
  }

  /**
   * Accepts a request: inside one critical section over the user's and the server's active
   * jobs, every usage counter it touches and the fair queue, it checks every limit, reserves
   * the images and the estimated cost, and records the job. Then, if a slot of the global cap
   * is free and nobody is waiting, submits it to RunComfy at once (a RunComfy error ends the
   * job `failed` and is thrown); otherwise the job waits its turn in the fair queue and is
   * returned `waiting`. `guard` runs inside the critical section.
   */
  async submit(request: SubmitRequest, guard?: () => Promise<void>): Promise<JobRecord> {
    if (request.id !== undefined) {
      const existing = await this.jobs.get(request.id);
      if (existing) {
        request.hold?.release();
        return existing;
      }
    }
    const now = this.#clock();
    const limits = request.limits ?? this.#defaultLimits;
    const model = modelFor(request.model ?? DEFAULT_MODEL_KEY);
    const input = model.inputSchema.parse(request.input);
    const images = model.parameters(input).count;
    const estimate = this.pricing.estimate(images);
    const quotaRequest: QuotaRequest = {
      userId: request.owner.userId,
      guildId: request.billingGuildId === undefined ? request.owner.guildId : request.billingGuildId,
      images,
      microUsd: toMicroUsd(estimate.usd),
    };
    const reservation = this.quota.reservationFor(quotaRequest, now);
    const record: JobRecord = {
      v: 2,
      id: request.id ?? newJobId(),
      state: 'submitted',
      owner: request.owner,
      prompt: request.prompt,
      model: model.key,
      input,
      createdAt: now,
      updatedAt: now,
      deadlineAt: now + this.#options.deadlineMs,
      stateTimes: { submitted: now },
      queuePosition: null,
      imageUrls: [],
      missingImages: [],
      estimate,
      reservation,
      delivery: {},
      deliveryAttempts: 0,
      surface: request.surface ?? {},
    };
    const locks = [
      ...JobRepository.createLocks(quotaRequest.userId, quotaRequest.guildId),
      ...this.quota.lockKeys(reservation, quotaRequest.userId),
      this.#queue.lockKey,
    ];
    let holdsSlot = false;
    let queueAfter: FairQueueState | undefined;
    let stored: JobRecord;
    let created: boolean;
    try {
      // One atomic step over the user's and server's active jobs, every counter it touches,
      // the shared fair queue and the global in-flight cap (in every process on the store).
      ({ job: stored, created } = await this.#options.store.transact([...locks, SLOTS_KEY], async (tx) => {
        holdsSlot = false;
        queueAfter = undefined;
        await tx.prefetch([['jobs', record.id], ...locks, SLOTS_KEY, ['index', `active:${activeBucketOf(record.id)}`]]);
        return this.jobs.createTx(
          tx,
          record,
          { maxActivePerUser: limits.activePerUser, maxActivePerGuild: limits.activePerGuild },
          async (job) => {
            // The early hold stays until the counters and indexes are written (finally, below):
            // a check in between must see this request in one or the other.
            await guard?.();
            await this.quota.reserveTx(tx, quotaRequest, reservation, limits, now);
            const queue = new FairQueue(await tx.get(...this.#queue.lockKey, fairQueueSchema));
            const slots = (await tx.get(...SLOTS_KEY, slotsSchema)) ?? [];
            if (queue.size === 0 && slots.length < this.#maxInFlight && !this.#stopping.signal.aborted) {
              tx.set(...SLOTS_KEY, [...slots, job.id]);
              holdsSlot = true;
              return job;
            }
            // The queue entry is written with the record: one transaction.
            queue.enqueue({ id: job.id, userId: job.owner.userId, at: now });
            tx.set(...this.#queue.lockKey, queue.toJSON());
            queueAfter = queue.toJSON();
            return { ...job, state: 'waiting', stateTimes: { waiting: now }, queuePosition: queue.positionOf(job.id)! };
          },
        );
      }));
    } finally {
      request.hold?.release();
    }
    if (!created && stored.createdAt === record.createdAt && stored.owner.userId === record.owner.userId) {
      // Our own commit landed but its answer was lost (Redis dropped the connection): the
      // transaction ran again and found it. It is this request's job, to send or queue.
      created = true;
      holdsSlot = stored.state === 'submitted';
    }
    if (created && holdsSlot) this.#inFlight.add(stored.id);
    if (queueAfter) this.#queue.replace(queueAfter);
    if (!created) return stored;
    const log = this.#jobLog(stored);
    if (stored.state === 'waiting') {
      log.info({ count: images, position: stored.queuePosition }, 'job accepted; waiting for a free slot');
      this.emit('state', stored, 'waiting');
      this.#schedulePositions();
      this.#armWaitingDeadline();
      await this.#kick();
      return (await this.get(stored.id)) ?? stored;
    }
    await this.leases.acquire(stored.id);
    log.info({ count: images }, 'job recorded; submitting');
    this.emit('state', stored, 'submitted');
    return this.#send(stored);
  }

  /**
   * Sends a recorded `submitted` job to RunComfy, then follows it. The submit call starts
   * before this returns its promise, so `#submitting` knows about it at once.
   */
  async #send(record: JobRecord): Promise<JobRecord> {
    const modelId = runcomfyModelId(record.model, this.#options.modelIds);
    const submitting = this.#options.client.submit(modelId, record.input, { signal: this.#stopping.signal });
    this.#submitting.set(record.id, submitting);
    let requestId: string;
    try {
      requestId = (await submitting).request_id;
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
      await this.#end(record.id, 'failed', {
        failure: failureOf(reported, 'submit_failed'),
        ...(uncertain ? { chargeKept: true } : {}),
      });
      throw reported;
    } finally {
      this.#submitting.delete(record.id);
    }
    const queuedAt = this.#clock();
    const queued = await this.#move(record.id, 'queued', { requestId });
    if (!queued) return this.jobs.require(record.id);
    this.#jobLog(queued).info('submitted to RunComfy');
    this.#track(queued, queuedAt);
    this.#scheduler.schedule(queued.id, queuedAt + this.#tuning.queuedBaseMs);
    return queued;
  }

  /**
   * The same checks as `submit`, done at once: lets a surface answer privately before it shows
   * anything public. Counters and indexes come from the store's memory while fresh
   * (CHECK_MAX_AGE_MS), so a warm check does not wait on the store. Passing requests are held
   * in memory until their `submit` has written its counters (or until `release()`), so a burst
   * of requests cannot all pass this look together; `submit` checks again atomically.
   */
  async check(
    request: Pick<SubmitRequest, 'owner' | 'model' | 'input' | 'limits' | 'billingGuildId'>,
  ): Promise<QuotaHold> {
    const limits = request.limits ?? this.#defaultLimits;
    const userId = request.owner.userId;
    const guildId = request.billingGuildId === undefined ? request.owner.guildId : request.billingGuildId;
    const images = setParameters({ model: request.model ?? DEFAULT_MODEL_KEY, input: request.input }).count;
    const quotaRequest = { userId, guildId, images, microUsd: toMicroUsd(this.pricing.estimate(images).usd) };
    const reservation = this.quota.reservationFor(quotaRequest, this.#clock());
    const keys = counterKeys(userId, guildId, reservation.day, reservation.month);
    const activeKeys = [`active:user:${userId}`, ...(guildId === null ? [] : [`active:guild:${guildId}`])];
    const [counts, stored] = await Promise.all([
      this.jobs.activeCount(userId, guildId, CHECK_MAX_AGE_MS),
      this.usage.readFresh(keys, CHECK_MAX_AGE_MS),
    ]);
    // From here to the hold nothing awaits: two checks cannot both take the last place.
    // (A submit that wrote its counters during the wait still held its place until then.)
    if (limits.activePerUser !== null) {
      const active = counts.user + this.#held(activeKeys[0]!).jobs;
      if (active >= limits.activePerUser) throw new ActiveJobLimitError(limits.activePerUser, active);
    }
    if (guildId !== null && limits.activePerGuild !== null) {
      const active = counts.guild + this.#held(activeKeys[1]!).jobs;
      if (active >= limits.activePerGuild) throw new GuildActiveLimitError(limits.activePerGuild, active);
    }
    const records = stored.map((record, i) => {
      const held = this.#held(keys[i]!);
      return { ...record, images: record.images + held.images, microUsd: record.microUsd + held.microUsd };
    });
    this.quota.assertWithin(quotaRequest, limits, records, this.#clock());
    const delta = { images, microUsd: quotaRequest.microUsd, jobs: 1 };
    for (const key of [...activeKeys, ...keys]) this.#hold(key, delta, 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        for (const key of [...activeKeys, ...keys]) this.#hold(key, delta, -1);
      },
    };
  }

  #held(key: string): { images: number; microUsd: number; jobs: number } {
    return this.#holds.get(key) ?? { images: 0, microUsd: 0, jobs: 0 };
  }

  #hold(key: string, delta: { images: number; microUsd: number; jobs: number }, sign: 1 | -1): void {
    const current = this.#held(key);
    const next = {
      images: current.images + sign * delta.images,
      microUsd: current.microUsd + sign * delta.microUsd,
      jobs: current.jobs + sign * delta.jobs,
    };
    if (next.jobs <= 0) this.#holds.delete(key);
    else this.#holds.set(key, next);
  }

  /** Cancels a job that is still waiting in the bot's queue or queued on RunComfy. */
  async cancel(jobId: string): Promise<{ outcome: CancelOutcome; job: JobRecord }> {
    await this.#submitting.get(jobId)?.catch(() => undefined);
    let job = await this.jobs.require(jobId);
    if (job.state === 'waiting') {
      const cancelled = await this.#endWaiting(jobId, 'cancelled', {});
      if (cancelled) return { outcome: 'cancelled', job: cancelled };
      // It was sent meanwhile: cancel it on RunComfy like any other.
      await this.#submitting.get(jobId)?.catch(() => undefined);
      job = await this.jobs.require(jobId);
    }
    if (isTerminal(job.state)) return { outcome: 'already_ended', job };
    if (!job.requestId || !['submitted', 'queued'].includes(job.state)) return { outcome: 'not_cancellable', job };
    const answer = await this.#options.client.cancel(job.requestId, { signal: this.#stopping.signal });
    if (answer.outcome !== 'cancelled') {
      this.#jobLog(job).info('RunComfy refused the cancel: the job is already running');
      return { outcome: 'not_cancellable', job: await this.jobs.require(jobId) };
    }
    const ended = await this.#end(jobId, 'cancelled', {});
    return { outcome: ended?.state === 'cancelled' ? 'cancelled' : 'already_ended', job: ended ?? job };
  }

  /** The job, with its live place in the fair queue while it waits. */
  async get(jobId: string): Promise<JobRecord | undefined> {
    const job = await this.jobs.get(jobId);
    return job && this.#withPosition(job);
  }

  /** A user's unfinished jobs (live queue places included). */
  async userActive(userId: string): Promise<JobRecord[]> {
    return (await this.jobs.userActive(userId)).map((job) => this.#withPosition(job));
  }

  /** Stores surface data (e.g. the status card's message id) on the job. */
  async setSurface(jobId: string, patch: JobRecord['surface']): Promise<JobRecord> {
    return this.jobs.update(jobId, (job) => ({ ...job, surface: { ...job.surface, ...patch } }));
  }

  /** Learned running time for a job's kind (for ETA bars). */
  estimate(job: JobRecord): { meanMs: number; devMs: number } {
    const { count, quality } = setParameters(job);
    return this.eta.estimate(count, quality);
  }

  // ——— polling ———

  #track(job: JobRecord, lastQueuedAt: number | null): void {
    const { count, quality } = setParameters(job);
    const phase = job.state === 'fetching' ? 'fetching' : job.state === 'running' ? 'running' : 'queued';
    this.#tracked.set(job.id, {
      phase,
      submittedAt: job.stateTimes.queued ?? job.createdAt,
      lastQueuedAt: lastQueuedAt ?? job.stateTimes.queued ?? null,
      runningSeenAt: job.stateTimes.running ?? null,
      queuePosition: job.queuePosition,
      latePolls: 0,
      requestId: job.requestId!,
      model: job.model,
      count,
      quality,
      deadlineAt: job.deadlineAt,
      errors: 0,
      lastPollAt: this.#clock(),
    });
  }

  #untrack(jobId: string): void {
    this.#tracked.delete(jobId);
    this.#scheduler.unschedule(jobId);
  }

  /** One poll of one job; returns when to poll it next (null: no more polls). */
  async #poll(jobId: string): Promise<number | null> {
    const t = this.#tracked.get(jobId);
    if (!t) return null;
    const now = this.#clock();
    if (now >= t.deadlineAt) {
      await this.#timeOut(jobId, t);
      return null;
    }
    const endpoint = t.phase === 'queued' ? 'status' : 'result';
    try {
      await this.#sharedPollRate.take(this.#stopping.signal);
      const callOptions = {
        retry: NO_RETRY,
        timeoutMs: this.#options.pollTimeoutMs ?? 10_000,
        signal: this.#stopping.signal,
      };
      const next =
        endpoint === 'status'
          ? await this.#onStatus(jobId, t, await this.#options.client.status(t.requestId, callOptions))
          : await this.#onResult(
              jobId,
              t,
              await this.#options.client.result(t.requestId, { ...callOptions, includeCost: true }),
            );
      this.#consecutive429 = 0;
      t.errors = 0;
      t.lastPollAt = this.#clock();
      return next === null ? null : Math.min(next, t.deadlineAt);
    } catch (error) {
      return this.#onPollError(jobId, t, error);
    }
  }

  #plan(t: Tracked): number {
    const eta = this.eta.estimate(t.count, t.quality);
    return planNextPoll(t, eta, this.#clock(), this.#tuning).at;
  }

  async #onStatus(jobId: string, t: Tracked, answer: StatusResponse): Promise<number | null> {
    const now = this.#clock();
    switch (answer.status) {
      case 'in_queue': {
        t.lastQueuedAt = now;
        const position = answer.queue_position ?? null;
        if (position !== t.queuePosition) {
          t.queuePosition = position;
          const job = await this.jobs.update(jobId, (j) =>
            isTerminal(j.state) ? j : { ...j, queuePosition: position },
          );
          if (!isTerminal(job.state)) this.emit('queue', job);
        }
        return this.#plan(t);
      }
      case 'in_progress':
        t.phase = 'running';
        t.runningSeenAt = now;
        if (!(await this.#move(jobId, 'running', { queuePosition: null }))) return null;
        return this.#plan(t);
      case 'completed':
        t.phase = 'fetching';
        if (!(await this.#move(jobId, 'fetching', { queuePosition: null }))) return null;
        return now;
      case 'cancelled':
        await this.#end(jobId, 'cancelled', {});
        return null;
      default:
        this.#jobLog({ id: jobId, requestId: t.requestId }).warn(
          { status: answer.status },
          'unknown RunComfy status; still working',
        );
        return this.#plan(t);
    }
  }

  async #onResult(jobId: string, t: Tracked, answer: ResultResponse): Promise<number | null> {
    const now = this.#clock();
    switch (answer.status) {
      case 'succeeded':
        return this.#onSucceeded(jobId, t, answer);
      case 'failed':
        await this.#fail(jobId, {
          code: 'generation_failed',
          detail: 'RunComfy reported the generation as failed',
          params: {},
          upstream: summarise(answer.error),
        });
        return null;
      case 'cancelled':
        await this.#end(jobId, 'cancelled', {});
        return null;
      case 'in_queue':
        // The result endpoint is only asked once the job ran; a step back is odd but harmless.
        t.lastQueuedAt = now;
        return now + this.#tuning.windowIntervalMs;
      case 'in_progress':
        if (t.phase === 'fetching') return now + this.#tuning.windowIntervalMs; // status ran ahead of result
        if (t.runningSeenAt === null) {
          t.runningSeenAt = now;
          if (!(await this.#move(jobId, 'running', { queuePosition: null }))) return null;
        }
        if (now > this.#windowEnd(t)) t.latePolls++;
        return this.#plan(t);
      default:
        this.#jobLog({ id: jobId, requestId: t.requestId }).warn(
          { status: answer.status },
          'unknown RunComfy result status; still working',
        );
        return this.#plan(t);
    }
  }

  #windowEnd(t: Tracked): number {
    const eta = this.eta.estimate(t.count, t.quality);
    return (t.runningSeenAt ?? this.#clock()) + eta.meanMs + this.#tuning.windowSigmas * eta.devMs;
  }

  async #onSucceeded(jobId: string, t: Tracked, answer: ResultResponse): Promise<null> {
    let urls: string[];
    try {
      const model = modelFor(t.model);
      urls = model.parseOutput(answer.output, { requested: t.count, allowedHosts: this.#options.outputHosts }).urls;
    } catch (error) {
      await this.#fail(jobId, failureOf(error, 'output_malformed'));
      return null;
    }
    this.#learn(t);
    this.#untrack(jobId);
    const now = this.#clock();
    let from = 'running' as JobState;
    const fetching = await this.jobs.update(jobId, (job) => {
      if (isTerminal(job.state) || job.state === 'delivering' || job.imageUrls.length > 0) return job;
      from = job.state;
      const patch = { imageUrls: urls, queuePosition: null, ...(answer.cost == null ? {} : { cost: answer.cost }) };
      return job.state === 'fetching' ? { ...job, ...patch, updatedAt: now } : transition(job, 'fetching', now, patch);
    });
    if (fetching.state !== 'fetching') return null;
    if (from !== 'fetching') this.emit('state', fetching, from);
    this.#jobLog(fetching).info({ images: urls.length }, 'result ready; copying the images');
    this.#startCollect(jobId);
    return null;
  }

  #learn(t: Tracked): void {
    const now = this.#clock();
    const startedLow = t.lastQueuedAt ?? t.submittedAt;
    const startedHigh = t.runningSeenAt ?? now;
    const finished = (t.lastPollAt + now) / 2;
    this.eta.observe(t.count, t.quality, finished - (startedLow + startedHigh) / 2);
    void this.eta.save().catch((error: unknown) => this.#log.warn({ err: error }, 'could not save ETA model'));
  }

  async #onPollError(jobId: string, t: Tracked, error: unknown): Promise<number | null> {
    const now = this.#clock();
    if (isAbortError(error) || this.#stopping.signal.aborted) return null;
    if (error instanceof LeaseLostError) {
      this.#untrack(jobId);
      return null;
    }
    const log = this.#jobLog({ id: jobId, requestId: t.requestId });
    if (error instanceof RunComfyRateLimitError) {
      this.#consecutive429++;
      const wait = error.retryAfterMs ?? backoffDelay(this.#consecutive429, ERROR_BACKOFF);
      this.#scheduler.pauseUntil(now + wait);
      return now + wait;
    }
    if (error instanceof RunComfyNotFoundError) {
      log.warn('RunComfy no longer knows the request: expired');
      await this.#end(jobId, 'expired', { failure: failureOf(error, 'runcomfy_not_found') });
      return null;
    }
    t.errors++;
    const wait = backoffDelay(t.errors, ERROR_BACKOFF);
    log.warn({ err: describeError(error), retryInMs: wait }, 'poll failed');
    return Math.min(now + wait, t.deadlineAt);
  }

  async #timeOut(jobId: string, t: Tracked): Promise<void> {
    this.#jobLog({ id: jobId, requestId: t.requestId }).warn('deadline reached');
    // Nobody will see this set any more: do not let it be charged if it has not started. Only a
    // cancel RunComfy confirms gives the charge back; a running job is billed when it finishes.
    let cancelled = false;
    if (t.phase === 'queued') {
      const answer = await this.#options.client
        .cancel(t.requestId, { signal: this.#stopping.signal })
        .catch(() => undefined);
      cancelled = answer?.outcome === 'cancelled';
    }
    await this.#end(jobId, 'timed_out', {
      chargeKept: !cancelled,
      failure: {
        code: 'job_timed_out',
        detail: 'The job passed its deadline',
        params: { minutes: Math.round(this.#options.deadlineMs / 60_000) },
      },
    });
  }

  // ——— copying the set, then delivery ———

  #startCollect(jobId: string): void {
    this.#runOnce(jobId, () => this.#collect(jobId));
  }

  #startDelivery(jobId: string): void {
    this.#runOnce(jobId, () => this.#deliver(jobId));
  }

  /** One background task per job at a time (collect, then deliver). */
  #runOnce(jobId: string, task: () => Promise<void>): void {
    if (this.#deliveries.has(jobId) || this.#stopping.signal.aborted || this.#draining) return;
    const run = task()
      .catch((error: unknown) => this.#log.error({ err: error, jobId }, 'background task failed'))
      .finally(() => {
        this.#deliveries.delete(jobId);
      });
    this.#deliveries.set(jobId, run);
  }

  /** fetching → delivering: downloads the images RunComfy listed (retrying transient failures). */
  async #collect(jobId: string): Promise<void> {
    const signal = this.#stopping.signal;
    for (let attempt = 1; ; attempt++) {
      const job = await this.jobs.get(jobId);
      if (job?.state !== 'fetching' || signal.aborted) return;
      const log = this.#jobLog(job);
      try {
        const { images, missing } = await this.#options.spool.fetchAll(job.id, job.imageUrls, signal);
        if (missing.length > 0) log.warn({ missing }, 'some images could not be downloaded');
        if (images.length === 0) {
          // Said as it was: gone from the CDN, or refused by the bot (a pixel bomb, a private host…).
          const reasons = new Set(missing.map((m) => m.reason));
          const only = reasons.size === 1 ? [...reasons][0] : undefined;
          await this.#fail(jobId, {
            code: only && only !== 'image_gone' ? only : 'images_expired',
            detail: `None of the ${job.imageUrls.length} images could be used (${[...reasons].join(', ')})`,
            params: { missing: missing.length },
          });
          return;
        }
        this.imageSizes.check(job, images, log);
        const ready = await this.#move(jobId, 'delivering', { missingImages: missing.map((m) => m.index) });
        if (!ready) return;
        this.emit('ready', ready);
        await this.#deliver(jobId, ready);
        return;
      } catch (error) {
        if (isAbortError(error) || signal.aborted) return;
        const wait = backoffDelay(attempt, ERROR_BACKOFF);
        log.warn({ err: describeError(error), retryInMs: wait }, 'image download failed');
        if (this.#clock() + wait >= job.deadlineAt + (this.#options.deliveryGraceMs ?? 15 * 60_000)) {
          await this.#fail(jobId, failureOf(error, 'images_download_failed'));
          return;
        }
        if (!(await this.#backOff(jobId, wait, signal))) return;
      }
    }
  }

  /** delivering → delivered; `current` is the job's record when the caller has just written it. */
  async #deliver(jobId: string, current?: JobRecord): Promise<void> {
    const signal = this.#stopping.signal;
    let known = current;
    for (;;) {
      const job = known ?? (await this.jobs.get(jobId));
      known = undefined;
      if (job?.state !== 'delivering' || signal.aborted) return;
      const log = this.#jobLog(job);
      try {
        const images = await this.#localCopies(job, signal);
        const steps = deliverySteps(job, this.jobs, this.#clock);
        let posted = false;
        try {
          await this.#options.deliverer.deliver(job, images, steps, signal);
          posted = true;
        } finally {
          // Every step's record is in the store before the job ends; one that could not be
          // saved makes the attempt fail, and the retry re-posts that step with its nonce.
          const flushed = steps.flush();
          await (posted ? flushed : flushed.catch(() => undefined));
        }
        await this.#end(jobId, 'delivered', {});
        return;
      } catch (error) {
        if (isAbortError(error) || signal.aborted) return;
        const updated = await this.jobs.update(jobId, (j) => ({ ...j, deliveryAttempts: j.deliveryAttempts + 1 }));
        const attempts = updated.deliveryAttempts;
        const graceEnds = updated.deadlineAt + (this.#options.deliveryGraceMs ?? 15 * 60_000);
        const permanent = error instanceof PermanentDeliveryError;
        log.warn({ err: describeError(error), attempts, permanent }, 'delivery failed');
        if (permanent || attempts >= DELIVERY_BACKOFF.maxAttempts || this.#clock() >= graceEnds) {
          await this.#fail(jobId, failureOf(error, 'delivery_failed'));
          return;
        }
        if (!(await this.#backOff(jobId, backoffDelay(attempts, DELIVERY_BACKOFF), signal))) return;
      }
    }
  }

  /**
   * The set's local copies, complete. The spool writes its files only once a delivery lasts
   * (see image-spool.ts), so a crash (or a failed write, or a spool cleaned by hand) can leave
   * some missing; those are downloaded again (the same URLs, usually seconds after RunComfy
   * listed them).
   * The images RunComfy never served stay out, so the set packs exactly as it did before; if
   * one is gone for good the job ends `images_expired` rather than posting a set with a hole.
   */
  async #localCopies(job: JobRecord, signal: AbortSignal): Promise<SpooledImage[]> {
    const spool = this.#options.spool;
    const images = await spool.list(job.id);
    const have = new Set(images.map((image) => image.index));
    const absent = job.imageUrls.map((_, index) => index).filter((i) => !have.has(i) && !job.missingImages.includes(i));
    if (absent.length === 0) {
      if (images.length === 0)
        throw new PermanentDeliveryError('images_expired', 'The local copies of the set are gone');
      return images;
    }
    this.#jobLog(job).warn({ absent }, 'local copies incomplete; downloading them again');
    const again = await spool.fetchAll(job.id, job.imageUrls, signal, new Set(absent));
    if (again.missing.length > 0) {
      throw new PermanentDeliveryError('images_expired', 'Images of the set are gone from RunComfy and from disk', {
        params: { missing: again.missing.length },
      });
    }
    return spool.list(job.id);
  }

  /** Sleeps a background task; false when the engine is stopping. */
  async #backOff(jobId: string, ms: number, signal: AbortSignal): Promise<boolean> {
    this.#backingOff.add(jobId);
    try {
      await sleep(ms, signal);
      return true;
    } catch {
      return false;
    } finally {
      this.#backingOff.delete(jobId);
    }
  }

  // ——— transitions ———

  /** Persists a move to `to`; returns undefined (and changes nothing) if the job already ended. */
  async #move(jobId: string, to: JobState, patch: Partial<JobRecord>): Promise<JobRecord | undefined> {
    let from: JobState | undefined;
    const job = await this.jobs.update(jobId, (current) => {
      from = current.state;
      if (current.state === to || !canTransition(current.state, to)) return current;
      return transition(current, to, this.#clock(), patch);
    });
    if (job.state !== to) return undefined;
    if (from !== to) {
      // Quota goes back (or is corrected to the charged cost) before anyone hears of the end.
      const ended = isTerminal(job.state) ? await this.#settle(job) : job;
      this.emit('state', ended, from!);
      if (isTerminal(ended.state)) this.emit('ended', ended);
      return ended;
    }
    return job;
  }

  async #end(jobId: string, to: JobState, patch: Partial<JobRecord>): Promise<JobRecord | undefined> {
    this.#untrack(jobId);
    const job = await this.#move(jobId, to, patch);
    if (job) {
      this.#jobLog(job).info({ state: to, failure: job.failure?.code }, 'job ended');
      await this.#options.spool.remove(jobId).catch(() => undefined);
    }
    return job;
  }

  #fail(jobId: string, failure: JobFailure): Promise<JobRecord | undefined> {
    return this.#end(jobId, 'failed', { failure });
  }

  async #resume(job: JobRecord): Promise<void> {
    const log = this.#jobLog(job);
    if (isTerminal(job.state)) {
      await this.jobs.update(job.id, (j) => j); // retires it from the indexes
      await this.#settle(job);
      await this.#options.spool.remove(job.id).catch(() => undefined);
      return;
    }
    if (IN_FLIGHT.has(job.state)) this.#inFlight.add(job.id);
    switch (job.state) {
      case 'waiting':
        return; // the fair queue's business (see #reconcileQueue)
      case 'submitted':
        if (!job.requestId) {
          // We crashed while the submit was on the wire: it may have started on RunComfy.
          log.warn('found a submit with no request id after a restart; not re-sending it');
          await this.#end(job.id, 'failed', {
            failure: {
              code: 'runcomfy_submit_uncertain',
              detail: 'The bot restarted while submitting; the job was not re-sent to avoid paying twice',
              params: {},
            },
            chargeKept: true,
          });
          return;
        }
        this.#track(job, null);
        this.#scheduler.schedule(job.id, this.#clock());
        return;
      case 'fetching':
        if (job.imageUrls.length > 0) {
          this.#startCollect(job.id);
          return;
        }
        this.#track(job, null);
        this.#scheduler.schedule(job.id, this.#clock());
        return;
      case 'queued':
      case 'running':
        this.#track(job, null);
        this.#scheduler.schedule(job.id, this.#clock());
        return;
      case 'delivering':
        this.#startDelivery(job.id);
        return;
    }
  }

  // ——— quota ———

  /** Gives a terminal job's reservation back, or corrects it to the charged cost; once. */
  async #settle(job: JobRecord): Promise<JobRecord> {
    if (job.reservation?.state !== 'held') return job;
    // The mark on the job and the counters move together: a crash leaves both or neither.
    try {
      return await this.#options.store.transact([['jobs', job.id], ...this.#settleLocks(job)], async (tx) => {
        const fence = this.leases.fence(job.id);
        if (fence) tx.fence(fence.key, fence.token);
        const current = await tx.get('jobs', job.id, jobRecordSchema);
        if (current?.reservation?.state !== 'held' || !isTerminal(current.state)) return current ?? job;
        const outcome = keepsCharge(current) ? 'settled' : 'released';
        const marked: JobRecord = { ...current, reservation: { ...current.reservation, state: outcome } };
        tx.set('jobs', job.id, marked, this.#options.retentionMs);
        await this.quota.settleTx(tx, marked, current.reservation, outcome);
        return marked;
      });
    } catch (error) {
      this.#jobLog(job).error({ err: describeError(error) }, 'could not give the quota back');
      return job;
    }
  }

  #settleLocks(job: JobRecord): Array<[Namespace, string]> {
    return job.reservation ? this.quota.lockKeys(job.reservation, job.owner.userId) : [];
  }

  /** Gives a job's slot of the global cap back (in every process's view). */
  async #releaseSlot(jobId: string): Promise<void> {
    this.#inFlight.delete(jobId);
    await this.#options.store.update(SLOTS_KEY[0], SLOTS_KEY[1], slotsSchema, (ids) =>
      ids?.includes(jobId) ? ids.filter((id) => id !== jobId) : ids,
    );
  }

  async #refreshPrice(): Promise<void> {
    await this.pricing.refresh();
    if (this.#stopping.signal.aborted) return;
    this.#priceTimer = setTimeout(() => void this.#refreshPrice(), 6 * 3_600_000);
    this.#priceTimer.unref?.();
  }

  // ——— the fair queue ———

  /** Sends waiting jobs while slots are free; concurrent calls share one run. */
  #kick(): Promise<void> {
    if (this.#draining) return Promise.resolve();
    if (this.#pumping) {
      this.#pumpAgain = true;
      return this.#pumping;
    }
    this.#pumping = (async () => {
      try {
        do {
          this.#pumpAgain = false;
          await this.#pump();
        } while (this.#pumpAgain && !this.#stopping.signal.aborted);
      } catch (error) {
        this.#log.error({ err: describeError(error) }, 'fair queue: dispatch failed');
      } finally {
        this.#pumping = undefined;
      }
    })();
    return this.#pumping;
  }

  async #pump(): Promise<void> {
    // A slot that frees goes to a job still within its deadline.
    const due = this.#waitingDue();
    if (due.length > 0) await this.#expireWaiting(due);
    let sent = 0;
    while (this.#started && !this.#stopping.signal.aborted) {
      // Popped and given a slot in one atomic step, shared by every process: round-robin
      // across members holds for all of them, and the cap is never passed.
      const popped = await this.#options.store.transact([this.#queue.lockKey, SLOTS_KEY], async (tx) => {
        const queue = new FairQueue(await tx.get(...this.#queue.lockKey, fairQueueSchema));
        const slots = (await tx.get(...SLOTS_KEY, slotsSchema)) ?? [];
        let changed = false;
        let next = slots.length < this.#maxInFlight ? queue.peek() : undefined;
        // An entry whose job no longer waits (sent or ended meanwhile) leaves without a slot.
        while (next && (await tx.get('jobs', next.id, jobRecordSchema))?.state !== 'waiting') {
          queue.remove(next.id);
          changed = true;
          next = queue.peek();
        }
        if (next) {
          queue.serve(next.id);
          changed = true;
          if (!slots.includes(next.id)) tx.set(...SLOTS_KEY, [...slots, next.id]);
        }
        if (changed) tx.set(...this.#queue.lockKey, queue.toJSON());
        return { queue: queue.toJSON(), next };
      });
      this.#queue.replace(popped.queue);
      const next = popped.next;
      if (!next) break;
      // Out of the queue first: a crash here leaves a waiting job outside it, which
      // recovery puts back at the very front (where it was).
      // Another process holds it (it popped the same job just before a repair put it back):
      // that process sends it, with the slot.
      if (!(await this.leases.acquire(next.id))) continue;
      const now = this.#clock();
      let moved = false;
      const record = await this.jobs
        .update(next.id, (j) => {
          moved = false;
          if (j.state !== 'waiting') return j;
          moved = true;
          return transition(j, 'submitted', now, { deadlineAt: now + this.#options.deadlineMs, queuePosition: null });
        })
        .catch((error: unknown) => {
          if (error instanceof JobNotFoundError) return undefined;
          throw error;
        });
      if (!record || !moved) {
        await this.leases.release(next.id);
        // Cancelled meanwhile, or gone: the slot goes back (unless the job is at RunComfy).
        if (!record || !IN_FLIGHT.has(record.state)) await this.#releaseSlot(next.id);
        continue;
      }
      this.#inFlight.add(record.id);
      this.#announced.delete(record.id);
      this.emit('state', record, 'waiting');
      this.#jobLog(record).info({ inFlight: this.#inFlight.size }, 'a slot is free; submitting');
      this.#send(record).catch(() => undefined);
      sent++;
    }
    if (sent > 0) this.#schedulePositions();
  }

  /**
   * Ends a job still waiting in the fair queue, cancelled or past its deadline (nothing was
   * sent, nothing charged: its quota goes back); undefined if it is no longer waiting (it was
   * sent meanwhile).
   */
  async #endWaiting(
    jobId: string,
    to: 'cancelled' | 'timed_out',
    patch: Partial<JobRecord>,
  ): Promise<JobRecord | undefined> {
    let queueAfter: FairQueueState | undefined;
    const ended = await this.#options.store.transact(
      [this.#queue.lockKey, ['jobs', jobId]],
      async (tx): Promise<JobRecord | undefined> => {
        queueAfter = undefined;
        const job = await tx.get('jobs', jobId, jobRecordSchema);
        if (job?.state !== 'waiting') return undefined;
        const record = transition(job, to, this.#clock(), { ...patch, queuePosition: null });
        tx.set('jobs', jobId, record);
        const queue = new FairQueue(await tx.get(...this.#queue.lockKey, fairQueueSchema));
        if (queue.remove(jobId)) {
          tx.set(...this.#queue.lockKey, queue.toJSON());
          queueAfter = queue.toJSON();
        }
        return record;
      },
    );
    if (queueAfter) this.#queue.replace(queueAfter);
    if (ended) await this.jobs.update(jobId, (j) => j); // retires it from the indexes
    if (!ended) return undefined;
    this.#announced.delete(jobId);
    this.#jobLog(ended).info({ state: to }, 'ended while waiting in the fair queue');
    const settled = await this.#settle(ended);
    this.emit('state', settled, 'waiting');
    this.emit('ended', settled);
    this.#schedulePositions();
    return settled;
  }

  /**
   * Every job has a deadline, a waiting one too: one that has waited in the fair queue for the
   * whole job deadline (the cap stayed full) ends timed_out instead of waiting on forever. Its
   * deadline starts again when it is sent, for RunComfy's part.
   */
  #armWaitingDeadline(): void {
    clearTimeout(this.#waitingTimer);
    if (this.#stopping.signal.aborted) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const entry of this.#queue.queue.entries()) earliest = Math.min(earliest, entry.at);
    if (earliest === Number.POSITIVE_INFINITY) return;
    const dueIn = Math.max(0, earliest + this.#options.deadlineMs - this.#clock());
    this.#waitingTimer = setTimeout(
      () => {
        void this.#expireWaiting().catch((error: unknown) =>
          this.#log.warn({ err: describeError(error) }, 'fair queue: could not time out waiting jobs'),
        );
      },
      dueIn / (this.#options.timeScale ?? 1),
    );
    this.#waitingTimer.unref?.();
  }

  /** Ids of the waiting jobs whose deadline has passed. */
  #waitingDue(): string[] {
    const now = this.#clock();
    return this.#queue.queue
      .entries()
      .filter((entry) => entry.at + this.#options.deadlineMs <= now)
      .map((entry) => entry.id);
  }

  async #expireWaiting(due: readonly string[] = this.#waitingDue()): Promise<void> {
    const minutes = Math.round(this.#options.deadlineMs / 60_000);
    for (const jobId of due) {
      if (this.#stopping.signal.aborted) return;
      await this.#endWaiting(jobId, 'timed_out', {
        failure: {
          code: 'queue_timed_out',
          detail: 'The job waited in the bot’s queue until its deadline',
          params: { minutes },
        },
      });
    }
    this.#armWaitingDeadline();
  }

  /**
   * After a restart: the stored queue is the order. Entries whose job is no longer waiting go;
   * waiting jobs missing from it (a crash in the middle of sending one) go back to the front.
   */
  async #reconcileQueue(waiting: JobRecord[]): Promise<void> {
    const after = await this.#options.store.transact([this.#queue.lockKey], async (tx) => {
      const queue = new FairQueue(await tx.get(...this.#queue.lockKey, fairQueueSchema));
      const waitingIds = new Set(waiting.map((j) => j.id));
      let changed = false;
      // Another process may be running: an entry only goes when its job is read as not waiting now.
      const strays = queue.entries().filter((entry) => !waitingIds.has(entry.id));
      const records = await tx.getMany(
        'jobs',
        strays.map((entry) => entry.id),
        jobRecordSchema,
      );
      for (const [i, entry] of strays.entries()) {
        if (records[i]?.state !== 'waiting') changed = queue.remove(entry.id) || changed;
      }
      const missing = waiting
        .filter((j) => !queue.has(j.id))
        .sort((a, b) => a.createdAt - b.createdAt)
        .map((j) => ({ id: j.id, userId: j.owner.userId, at: j.createdAt }));
      if (missing.length > 0) {
        this.#log.warn({ jobs: missing.map((m) => m.id) }, 'fair queue: waiting jobs put back at the front');
        queue.restoreAtFront(missing);
        changed = true;
      }
      if (changed) tx.set(...this.#queue.lockKey, queue.toJSON());
      return queue.toJSON();
    });
    this.#queue.replace(after);
  }

  /** Frees the slots of jobs that no longer hold one (ended while a process was down). */
  async #pruneSlots(): Promise<void> {
    await this.#options.store.transact([SLOTS_KEY], async (tx) => {
      const slots = (await tx.get(...SLOTS_KEY, slotsSchema)) ?? [];
      const records = await tx.getMany('jobs', slots, jobRecordSchema);
      const kept = slots.filter((_, i) => {
        const state = records[i]?.state;
        return state !== undefined && (state === 'waiting' || IN_FLIGHT.has(state));
      });
      if (kept.length !== slots.length) tx.set(...SLOTS_KEY, kept);
    });
  }

  /** Announces new queue places (coalesced: once per turn of the event loop). */
  #schedulePositions(): void {
    if (this.#positionsScheduled) return;
    this.#positionsScheduled = true;
    setImmediate(() => {
      this.#positionsScheduled = false;
      void this.#announcePositions().catch((error: unknown) =>
        this.#log.warn({ err: describeError(error) }, 'fair queue: could not announce positions'),
      );
    });
  }

  async #announcePositions(): Promise<void> {
    const order = this.#queue.queue.order();
    const changed = order.filter((id, i) => this.#announced.get(id) !== i + 1);
    for (const id of this.#announced.keys()) if (!this.#queue.queue.has(id)) this.#announced.delete(id);
    if (changed.length === 0) return;
    const records = await this.#options.store.getMany('jobs', changed, jobRecordSchema);
    for (const record of records) {
      if (record?.state !== 'waiting') continue;
      const job = this.#withPosition(record);
      this.#announced.set(job.id, job.queuePosition ?? 0);
      this.emit('queue', job);
    }
  }

  #withPosition(job: JobRecord): JobRecord {
    if (job.state !== 'waiting') return job;
    const position = this.#queue.queue.positionOf(job.id);
    return position === undefined || position === job.queuePosition ? job : { ...job, queuePosition: position };
  }

  /**
   * Deletes the spool folders of jobs no longer active (ended while their files were being
   * written, or left by a crash): only an active job may still need its local copies.
   */
  async #sweepSpool(activeIds: ReadonlySet<string>): Promise<void> {
    const spool = this.#options.spool;
    const leftovers = (await spool.jobsOnDisk().catch(() => [])).filter((id) => !activeIds.has(id));
    for (const jobId of leftovers) await spool.remove(jobId).catch(() => undefined);
    if (leftovers.length > 0) this.#log.info({ removed: leftovers.length }, 'spool: leftovers of ended jobs removed');
  }

  /** Deletes expired records (ended jobs past JOB_RETENTION, old counters) now and every 6 hours. */
  async #sweepStore(): Promise<void> {
    try {
      const removed = await this.#options.store.sweepExpired();
      if (removed > 0) this.#log.info({ removed }, 'store: expired records removed');
    } catch (error) {
      this.#log.warn({ err: describeError(error) }, 'store: could not remove expired records');
    }
    if (this.#stopping.signal.aborted) return;
    this.#sweepTimer = setTimeout(() => void this.#sweepStore(), 6 * 3_600_000);
    this.#sweepTimer.unref?.();
  }

  async #dropDanglingId(jobId: string): Promise<void> {
    // An id whose record was never written (crash mid-create): take it out of the index.
    await this.jobs.forget(jobId);
  }

  #jobLog(job: { id: string; requestId?: string | undefined }): Logger {
    return this.#log.child({ jobId: job.id, requestId: job.requestId });
  }
}

function failureOf(error: unknown, fallbackCode: string): JobFailure {
  if (error instanceof AppError) {
    return { code: error.code, detail: error.message, params: { ...error.params } };
  }
  return { code: fallbackCode, detail: error instanceof Error ? error.message : String(error), params: {} };
}

function summarise(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
