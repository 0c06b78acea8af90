/**
 * Admission: `check` answers at once from memory (holding what it let through until its
 * submit), and `admit` is submit's one atomic step over every limit, the reservation, the
 * record, the fair queue and the global cap. Admission prices requests, so it keeps the
 * price fresh too.
 */
import type { PriceBook } from '../accounting/pricing.js';
import { GuildActiveLimitError, type QuotaLedger, type QuotaLimits, type QuotaRequest } from '../accounting/quota.js';
import { counterKeys, toMicroUsd, type UsageLedger } from '../accounting/usage.js';
import { DEFAULT_MODEL_KEY, modelFor, setParameters } from '../models/registry.js';
import type { AdmissionStore } from '../store/coordination/admission-decisions.js';
import type { FairQueueState, PersistentFairQueue } from '../store/fair-queue.js';
import { ActiveJobLimitError } from '../store/job-repository.js';
import type { EngineContext } from './context.js';
import { type JobRecord, newJobId } from './job.js';
import type { InFlightSlots } from './slots.js';
import type { QuotaHold, SubmitRequest } from './surface.js';

/**
 * How old the counters and indexes behind `check` may be when read from memory. This process's
 * own writes are always there at once; another process's (several bots on one Redis) within this.
 */
const CHECK_MAX_AGE_MS = 2_000;
/** How often RunComfy's price is read again. */
const PRICE_REFRESH_MS = 6 * 3_600_000;

interface Held {
  images: number;
  microUsd: number;
  jobs: number;
}

/** What `admit` decided: the job as stored, whether this request created it, and its image count. */
export interface Admitted {
  job: JobRecord;
  created: boolean;
  images: number;
}

export interface AdmissionParts {
  pricing: PriceBook;
  usage: UsageLedger;
  quota: QuotaLedger;
  queue: PersistentFairQueue;
  slots: InFlightSlots;
  /** The store's atomic step (one Lua script on Redis). */
  decisions: AdmissionStore;
  /** The limits of a request that brings none. */
  defaultLimits: QuotaLimits;
}

export class Admission {
  readonly #ctx: EngineContext;
  readonly #parts: AdmissionParts;
  /** What requests between `check` and `submit` hold, by counter key. */
  readonly #holds = new Map<string, Held>();
  #priceTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(ctx: EngineContext, parts: AdmissionParts) {
    this.#ctx = ctx;
    this.#parts = parts;
  }

  /**
   * The same checks as `admit`, done at once: lets a surface answer privately before it shows
   * anything public. Counters and indexes come from the store's memory while fresh
   * (CHECK_MAX_AGE_MS), so a warm check does not wait on the store. Passing requests are held
   * in memory until their `submit` has written its counters (or until `release()`), so a burst
   * of requests cannot all pass this look together; `admit` checks again atomically.
   */
  async check(
    request: Pick<SubmitRequest, 'owner' | 'model' | 'input' | 'limits' | 'billingGuildId'>,
  ): Promise<QuotaHold> {
    const { pricing, usage, quota, defaultLimits } = this.#parts;
    const limits = request.limits ?? defaultLimits;
    const userId = request.owner.userId;
    const guildId = request.billingGuildId === undefined ? request.owner.guildId : request.billingGuildId;
    const images = setParameters({ model: request.model ?? DEFAULT_MODEL_KEY, input: request.input }).count;
    const quotaRequest = { userId, guildId, images, microUsd: toMicroUsd(pricing.estimate(images).usd) };
    const reservation = quota.reservationFor(quotaRequest, this.#ctx.clock());
    const keys = counterKeys(userId, guildId, reservation.day, reservation.month);
    const activeKeys = [`active:user:${userId}`, ...(guildId === null ? [] : [`active:guild:${guildId}`])];
    const [counts, stored] = await Promise.all([
      this.#ctx.jobs.activeCount(userId, guildId, CHECK_MAX_AGE_MS),
      usage.readFresh(keys, CHECK_MAX_AGE_MS),
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
    quota.assertWithin(quotaRequest, limits, records, this.#ctx.clock());
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

  #held(key: string): Held {
    return this.#holds.get(key) ?? { images: 0, microUsd: 0, jobs: 0 };
  }

  #hold(key: string, delta: Held, sign: 1 | -1): void {
    const current = this.#held(key);
    const next = {
      images: current.images + sign * delta.images,
      microUsd: current.microUsd + sign * delta.microUsd,
      jobs: current.jobs + sign * delta.jobs,
    };
    if (next.jobs <= 0) this.#holds.delete(key);
    else this.#holds.set(key, next);
  }

  /**
   * Submit's atomic step: inside one critical section over the user's and the server's active
   * jobs, every usage counter it touches and the fair queue, it checks every limit, reserves
   * the images and the estimated cost, and records the job: `submitted` with a slot of the
   * global cap when one is free and nobody waits, else `waiting` in the fair queue. A request
   * whose id is already recorded gets that job (`created` false). `guard` runs inside the
   * critical section.
   */
  async admit(request: SubmitRequest, guard?: () => Promise<void>): Promise<Admitted> {
    const { jobs, options, signal } = this.#ctx;
    const { pricing, quota, queue: persistentQueue, slots: inFlight, decisions, defaultLimits } = this.#parts;
    if (request.id !== undefined) {
      const existing = await jobs.get(request.id);
      if (existing) {
        request.hold?.release();
        return { job: existing, created: false, images: 0 };
      }
    }
    const now = this.#ctx.clock();
    const limits = request.limits ?? defaultLimits;
    const model = modelFor(request.model ?? DEFAULT_MODEL_KEY);
    const input = model.inputSchema.parse(request.input);
    const images = model.parameters(input).count;
    const estimate = pricing.estimate(images);
    const quotaRequest: QuotaRequest = {
      userId: request.owner.userId,
      guildId: request.billingGuildId === undefined ? request.owner.guildId : request.billingGuildId,
      images,
      microUsd: toMicroUsd(estimate.usd),
    };
    const reservation = quota.reservationFor(quotaRequest, now);
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
      deadlineAt: now + options.deadlineMs,
      stateTimes: { submitted: now },
      unsent: true,
      queuePosition: null,
      imageUrls: [],
      missingImages: [],
      estimate,
      reservation,
      delivery: {},
      deliveryAttempts: 0,
      surface: request.surface ?? {},
      ...(request.parent ? { parent: request.parent } : {}),
    };
    let holdsSlot: boolean;
    let queueAfter: FairQueueState | undefined;
    let stored: JobRecord;
    let created: boolean;
    try {
      // One atomic step over the user's and server's active jobs, every counter it touches,
      // the shared fair queue and the global in-flight cap (in every process on the store).
      // The early hold stays until the counters and indexes are written (finally, below): a
      // check in between must see this request in one or the other.
      ({
        job: stored,
        created,
        holdsSlot,
        queue: queueAfter,
      } = await decisions.admit({
        record,
        quota: quotaRequest,
        limits,
        maxInFlight: inFlight.max,
        mayTakeSlot: !signal.aborted,
        guard,
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
    if (created && holdsSlot) inFlight.add(stored.id);
    if (queueAfter) persistentQueue.replace(queueAfter);
    return { job: stored, created, images };
  }

  /** Reads RunComfy's price now and every 6 hours (the book keeps its last price on failure). */
  async refreshPrice(): Promise<void> {
    await this.#parts.pricing.refresh();
    if (this.#ctx.signal.aborted) return;
    this.#priceTimer = setTimeout(() => void this.refreshPrice(), PRICE_REFRESH_MS);
    this.#priceTimer.unref?.();
  }

  stop(): void {
    clearTimeout(this.#priceTimer);
  }
}
