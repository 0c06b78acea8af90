/**
 * Usage counters in the store (namespace `stats`), one record per person or server per UTC
 * day or month: images and money (micro-dollars, so sums never drift). Quota reservations
 * add to them when a request is accepted and take back on cancel/failure (src/accounting/quota.ts).
 */
import { z } from 'zod';
import type { Store } from '../store/store.js';

export const usageRecordSchema = z.object({
  v: z.literal(1).default(1),
  images: z.number().int().min(0).default(0),
  microUsd: z.number().int().min(0).default(0),
  jobs: z.number().int().min(0).default(0),
  /** Of `images`, those charged without being delivered (RunComfy may have billed them). */
  undelivered: z.number().int().min(0).default(0),
});
export type UsageRecord = z.infer<typeof usageRecordSchema>;
export const EMPTY_USAGE: UsageRecord = { v: 1, images: 0, microUsd: 0, jobs: 0, undelivered: 0 };

export const MICRO = 1_000_000;
export const toMicroUsd = (usd: number): number => Math.round(usd * MICRO);
export const fromMicroUsd = (micro: number): number => micro / MICRO;

/** `yyyy-mm-dd` of the UTC day of `ms`. */
export function dayKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `yyyy-mm` of the UTC month of `ms`. */
export function monthKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

/** Next UTC midnight after `ms`: when daily quotas reset. */
export function nextDayStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

/** First instant of the next UTC month after `ms`: when monthly quotas reset. */
export function nextMonthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export const usageKeys = {
  userDay: (userId: string, day: string) => `user:${userId}:${day}`,
  userMonth: (userId: string, month: string) => `user:${userId}:${month}`,
  guildDay: (guildId: string, day: string) => `guild:${guildId}:${day}`,
  guildMonth: (guildId: string, month: string) => `guild:${guildId}:${month}`,
};

/**
 * How long a counter is still needed from `now`: a day's until the day after it ended, a
 * month's until a day after the month ended (/usage and the limits read only today's and
 * this month's; the margin covers a release that lands just after midnight).
 */
export function usageTtlMs(key: string, now: number): number | undefined {
  const period = key.slice(key.lastIndexOf(':') + 1);
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(period);
  const month = /^(\d{4})-(\d{2})$/.exec(period);
  let ends: number;
  if (day) ends = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]) + 1);
  else if (month) ends = Date.UTC(Number(month[1]), Number(month[2]), 1);
  else return undefined;
  return Math.max(ends + 86_400_000 - now, 60_000);
}

/** The counters one job touches. */
export function counterKeys(userId: string, guildId: string | null, day: string, month: string): string[] {
  const keys = [usageKeys.userDay(userId, day), usageKeys.userMonth(userId, month)];
  if (guildId !== null) keys.push(usageKeys.guildDay(guildId, day), usageKeys.guildMonth(guildId, month));
  return keys;
}

export interface UsageSnapshot {
  userDay: UsageRecord;
  userMonth: UsageRecord;
  guildDay: UsageRecord | null;
  guildMonth: UsageRecord | null;
  dayResetsAt: number;
  monthResetsAt: number;
}

export class UsageLedger {
  constructor(private readonly store: Store) {}

  async read(keys: string[]): Promise<UsageRecord[]> {
    const records = await this.store.getMany('stats', keys, usageRecordSchema);
    return records.map((r) => r ?? { ...EMPTY_USAGE });
  }

  /** `read`, from memory for counters this process read or wrote less than `maxAgeMs` ago (see Store.getFresh). */
  async readFresh(keys: string[], maxAgeMs: number): Promise<UsageRecord[]> {
    const records = await this.store.getFresh('stats', keys, usageRecordSchema, maxAgeMs);
    return records.map((r) => r ?? { ...EMPTY_USAGE });
  }

  /** Usage of a person (and their server) today and this month. */
  async snapshot(userId: string, guildId: string | null, now: number): Promise<UsageSnapshot> {
    const day = dayKey(now);
    const month = monthKey(now);
    const [userDay, userMonth, guildDay, guildMonth] = await this.read(counterKeys(userId, guildId, day, month));
    return {
      userDay: userDay!,
      userMonth: userMonth!,
      guildDay: guildDay ?? null,
      guildMonth: guildMonth ?? null,
      dayResetsAt: nextDayStart(now),
      monthResetsAt: nextMonthStart(now),
    };
  }

  /**
   * Adds `delta` to one counter (its own read-modify-write; never below zero). Not for use
   * while holding that key's lock (see QuotaLedger.reserve, which writes under its locks).
   */
  async add(key: string, delta: UsageDelta): Promise<void> {
    await this.store.update(
      'stats',
      key,
      usageRecordSchema,
      (current) => applyDelta(current ?? EMPTY_USAGE, delta),
      () => usageTtlMs(key, Date.now()),
    );
  }
}

export type UsageDelta = Partial<Omit<UsageRecord, 'v'>>;

export function applyDelta(record: UsageRecord, delta: UsageDelta): UsageRecord {
  return {
    v: 1,
    images: Math.max(0, record.images + (delta.images ?? 0)),
    microUsd: Math.max(0, record.microUsd + (delta.microUsd ?? 0)),
    jobs: Math.max(0, record.jobs + (delta.jobs ?? 0)),
    undelivered: Math.max(0, record.undelivered + (delta.undelivered ?? 0)),
  };
}
