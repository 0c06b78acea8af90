/**
 * Quotas: images per user per day, images per server per day, US$ per server per month, and
 * active jobs per user and per server. A request reserves its images and estimated cost when
 * it is accepted, inside one critical section over every counter it touches (so concurrent
 * requests can never pass a limit together); a job that ends without a delivery gives them
 * back, a delivered one is corrected to what RunComfy says it charged.
 */

import type { JobRecord, Reservation } from '../engine/job.js';
import { AppError } from '../errors.js';
import type { Namespace, StoreTx } from '../store/store.js';
import {
  applyDelta,
  counterKeys,
  dayKey,
  EMPTY_USAGE,
  fromMicroUsd,
  monthKey,
  nextDayStart,
  nextMonthStart,
  toMicroUsd,
  type UsageDelta,
  type UsageLedger,
  type UsageRecord,
  usageRecordSchema,
  usageTtlMs,
} from './usage.js';

/** Every limit; null = no limit. */
export interface QuotaLimits {
  userDailyImages: number | null;
  guildDailyImages: number | null;
  guildMonthlyUsd: number | null;
  activePerUser: number | null;
  activePerGuild: number | null;
}

export const NO_LIMITS: QuotaLimits = {
  userDailyImages: null,
  guildDailyImages: null,
  guildMonthlyUsd: null,
  activePerUser: null,
  activePerGuild: null,
};

export const LIMIT_NAMES = Object.keys(NO_LIMITS) as Array<keyof QuotaLimits>;

/** Over a quota; `resetsAt` (epoch ms) says when it resets, `resets` the same in ISO for logs and the CLI. */
export class QuotaExceededError extends AppError {
  readonly resetsAt: number;
  constructor(code: string, message: string, params: Record<string, number | string>, resetsAt: number) {
    super(code, message, { params: { ...params, resetsAt, resets: new Date(resetsAt).toISOString() } });
    this.resetsAt = resetsAt;
  }
}

export class UserDailyQuotaError extends QuotaExceededError {
  constructor(limit: number, used: number, requested: number, resetsAt: number) {
    super(
      'quota_user_daily',
      `User used ${used} of ${limit} images today; asked for ${requested}`,
      { limit, used, requested, left: Math.max(0, limit - used) },
      resetsAt,
    );
  }
}

export class GuildDailyQuotaError extends QuotaExceededError {
  constructor(limit: number, used: number, requested: number, resetsAt: number) {
    super(
      'quota_guild_daily',
      `Server used ${used} of ${limit} images today; asked for ${requested}`,
      { limit, used, requested, left: Math.max(0, limit - used) },
      resetsAt,
    );
  }
}

export class GuildMonthlyBudgetError extends QuotaExceededError {
  constructor(limitUsd: number, usedUsd: number, estimateUsd: number, resetsAt: number) {
    super(
      'quota_guild_monthly',
      `Server spent US$${usedUsd} of US$${limitUsd} this month; the request costs about US$${estimateUsd}`,
      { limit: limitUsd, used: usedUsd, estimate: estimateUsd, left: Math.max(0, limitUsd - usedUsd) },
      resetsAt,
    );
  }
}

export class GuildActiveLimitError extends AppError {
  constructor(limit: number, active: number) {
    super('guild_active_limit', `Server has ${active} active jobs (limit ${limit})`, { params: { limit, active } });
  }
}

/** What one request asks for. */
export interface QuotaRequest {
  userId: string;
  /** The server it is charged to (null: none, e.g. the CLI). */
  guildId: string | null;
  images: number;
  microUsd: number;
}

export class QuotaLedger {
  constructor(readonly usage: UsageLedger) {}

  /** The reservation a request accepted at `now` holds. */
  reservationFor(request: QuotaRequest, now: number): Reservation {
    return {
      day: dayKey(now),
      month: monthKey(now),
      guildId: request.guildId,
      images: request.images,
      microUsd: request.microUsd,
      state: 'held',
    };
  }

  /** Throws the first limit `records` (user day, user month, guild day, guild month) leave no room for. */
  assertWithin(request: QuotaRequest, limits: QuotaLimits, records: UsageRecord[], now: number): void {
    assertWithin(request, limits, records, now);
  }

  /** The locks `reserveLocked` needs held. */
  lockKeys(reservation: Reservation, userId: string): Array<[Namespace, string]> {
    return counterKeys(userId, reservation.guildId, reservation.day, reservation.month).map((k) => ['stats', k]);
  }

  /** Throws the first quota the request would pass (read-only: for a quick answer before the atomic check). */
  async check(request: QuotaRequest, limits: QuotaLimits, now: number): Promise<void> {
    const reservation = this.reservationFor(request, now);
    const records = await this.usage.read(
      counterKeys(request.userId, request.guildId, reservation.day, reservation.month),
    );
    assertWithin(request, limits, records, now);
  }

  /**
   * Checks every limit against the counters and adds the reservation to them, inside the
   * transaction `tx` (atomic with the rest of the request's admission, in every process).
   */
  async reserveTx(
    tx: StoreTx,
    request: QuotaRequest,
    reservation: Reservation,
    limits: QuotaLimits,
    now: number,
  ): Promise<void> {
    const keys = counterKeys(request.userId, reservation.guildId, reservation.day, reservation.month);
    const records = (await tx.getMany('stats', keys, usageRecordSchema)).map((r) => r ?? { ...EMPTY_USAGE });
    assertWithin(request, limits, records, now);
    for (const [i, key] of keys.entries()) {
      tx.set(
        'stats',
        key,
        applyDelta(records[i]!, { images: reservation.images, microUsd: reservation.microUsd, jobs: 1 }),
        usageTtlMs(key, now),
      );
    }
  }

  /**
   * Gives a reservation back (`released`: RunComfy did no paid work) or keeps it, corrected to
   * the charged cost when RunComfy said it (`settled`; see charge-policy.ts), counting the
   * images of a kept charge that never reached Discord as undelivered. Inside the transaction
   * that marks the job's reservation: the mark and the counters move together.
   */
  async settleTx(
    tx: StoreTx,
    job: JobRecord,
    reservation: Reservation,
    outcome: 'settled' | 'released',
  ): Promise<void> {
    const delta = settlementDelta(job, reservation, outcome);
    if (!delta) return;
    const keys = counterKeys(job.owner.userId, reservation.guildId, reservation.day, reservation.month);
    const now = Date.now();
    // Added, not read and rewritten: a server's counters are shared by every process's settlements.
    const fields = Object.fromEntries(Object.entries(delta).filter(([, d]) => d !== undefined)) as Record<
      string,
      number
    >;
    for (const key of keys) await tx.add('stats', key, EMPTY_USAGE, fields, usageTtlMs(key, now));
  }
}

/** What settling a reservation changes on its counters (undefined: nothing). */
function settlementDelta(
  job: JobRecord,
  reservation: Reservation,
  outcome: 'settled' | 'released',
): UsageDelta | undefined {
  if (outcome === 'released') return { images: -reservation.images, microUsd: -reservation.microUsd, jobs: -1 };
  const delta: UsageDelta = {};
  if (job.cost !== undefined) delta.microUsd = toMicroUsd(job.cost) - reservation.microUsd;
  if (job.state !== 'delivered') delta.undelivered = reservation.images;
  return delta.microUsd || delta.undelivered ? delta : undefined;
}

function assertWithin(request: QuotaRequest, limits: QuotaLimits, records: UsageRecord[], now: number): void {
  const [userDay, , guildDay, guildMonth] = records;
  if (limits.userDailyImages !== null && userDay!.images + request.images > limits.userDailyImages) {
    throw new UserDailyQuotaError(limits.userDailyImages, userDay!.images, request.images, nextDayStart(now));
  }
  if (request.guildId === null) return;
  if (limits.guildDailyImages !== null && guildDay!.images + request.images > limits.guildDailyImages) {
    throw new GuildDailyQuotaError(limits.guildDailyImages, guildDay!.images, request.images, nextDayStart(now));
  }
  if (limits.guildMonthlyUsd !== null && guildMonth!.microUsd + request.microUsd > toMicroUsd(limits.guildMonthlyUsd)) {
    throw new GuildMonthlyBudgetError(
      limits.guildMonthlyUsd,
      fromMicroUsd(guildMonth!.microUsd),
      fromMicroUsd(request.microUsd),
      nextMonthStart(now),
    );
  }
}

/** A configured number as a limit: 0 means no limit. */
export function limitOrNone(value: number): number | null {
  return value === 0 ? null : value;
}

/** The bot's defaults with a server's own choices on top (0 = no limit, absent = the default). */
export function effectiveLimits(
  defaults: QuotaLimits,
  overrides: Partial<Record<keyof QuotaLimits, number>> | undefined,
): QuotaLimits {
  const limits = { ...defaults };
  for (const name of LIMIT_NAMES) {
    const value = overrides?.[name];
    if (value !== undefined) limits[name] = limitOrNone(value);
  }
  return limits;
}

/** The bot's default limits, from the environment (0 = no limit). */
export function limitsFromEnv(env: {
  USER_DAILY_IMAGES: number;
  GUILD_DAILY_IMAGES: number;
  GUILD_MONTHLY_BUDGET_USD: number;
  MAX_ACTIVE_JOBS_PER_USER: number;
  MAX_ACTIVE_JOBS_PER_GUILD: number;
}): QuotaLimits {
  return {
    userDailyImages: limitOrNone(env.USER_DAILY_IMAGES),
    guildDailyImages: limitOrNone(env.GUILD_DAILY_IMAGES),
    guildMonthlyUsd: limitOrNone(env.GUILD_MONTHLY_BUDGET_USD),
    activePerUser: limitOrNone(env.MAX_ACTIVE_JOBS_PER_USER),
    activePerGuild: limitOrNone(env.MAX_ACTIVE_JOBS_PER_GUILD),
  };
}
