/**
 * Job records and the indexes over them, all in the store. Crash ordering matters: an id
 * enters an index before its record is written and leaves it after the record is terminal,
 * so recovery (which reads the indexes) can never miss a live job.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { GuildActiveLimitError } from '../accounting/quota.js';
import { isTerminal, type JobRecord, jobRecordSchema } from '../engine/job.js';
import { AppError } from '../errors.js';
import type { Namespace, Store, StoreTx } from './store.js';

const ACTIVE_BUCKETS = 16;
const idListSchema = z.array(z.string());
const userIndexSchema = z.object({
  active: z.array(z.string()).default([]),
  /** Newest first, capped. */
  history: z.array(z.string()).default([]),
});
export type UserIndex = z.infer<typeof userIndexSchema>;

export class ActiveJobLimitError extends AppError {
  constructor(limit: number, active: number) {
    super('user_active_limit', `User has ${active} active jobs (limit ${limit})`, { params: { limit, active } });
  }
}

export class JobNotFoundError extends AppError {
  constructor(jobId: string) {
    super('job_not_found', `No job ${jobId}`, { params: { jobId } });
  }
}

export interface CreateLimits {
  /** null: no limit. */
  maxActivePerUser: number | null;
  /** Active jobs charged to one server; null or absent: no limit. */
  maxActivePerGuild?: number | null;
}

/** The server a job is charged to: its reservation's, else the one it was asked in. */
export function billingGuildOf(job: JobRecord): string | null {
  return job.reservation ? job.reservation.guildId : job.owner.guildId;
}

export class JobRepository {
  /**
   * The lease that fences this process's writes of a job (set by the engine): a write is made
   * only while the lease is still this process's.
   */
  fenceOf: (jobId: string) => { key: string; token: string } | undefined = () => undefined;

  constructor(
    readonly store: Store,
    readonly historyLimit = 50,
    /** How long an ended job's record is kept; undefined: for ever. */
    readonly retentionMs?: number,
  ) {}

  get(jobId: string): Promise<JobRecord | undefined> {
    return this.store.get('jobs', jobId, jobRecordSchema);
  }

  async require(jobId: string): Promise<JobRecord> {
    const job = await this.get(jobId);
    if (!job) throw new JobNotFoundError(jobId);
    return job;
  }

  /** The locks `createLocked` needs held for a job of `userId` charged to `guildId`. */
  static createLocks(userId: string, guildId: string | null): Array<[Namespace, string]> {
    return [['users', userId], ...(guildId === null ? [] : [['index', guildIndexKey(guildId)] as [Namespace, string]])];
  }

  /**
   * Writes a new job inside the transaction `tx`, enforcing the user's (and its server's)
   * active-job limits atomically with everything else `tx` reads and writes (across every
   * process on the store). `section` runs after the limit checks and before anything is
   * written; it may throw (nothing is written then) or return the record to write (e.g. with
   * another state). The caller's transaction holds `createLocks`.
   */
  async createTx(
    tx: StoreTx,
    job: JobRecord,
    limits: CreateLimits,
    section: (job: JobRecord) => Promise<JobRecord>,
  ): Promise<{ job: JobRecord; created: boolean }> {
    const existing = await tx.get('jobs', job.id, jobRecordSchema);
    if (existing) return { job: existing, created: false }; // same idempotency key: nothing new
    const userId = job.owner.userId;
    const guildId = billingGuildOf(job);
    const index = (await tx.get('users', userId, userIndexSchema)) ?? { active: [], history: [] };
    const live = await this.#liveWhenNear(tx, index.active, limits.maxActivePerUser);
    if (limits.maxActivePerUser != null && live.length >= limits.maxActivePerUser) {
      throw new ActiveJobLimitError(limits.maxActivePerUser, live.length);
    }
    let guildLive: string[] = [];
    if (guildId !== null) {
      const ids = (await tx.get('index', guildIndexKey(guildId), idListSchema)) ?? [];
      guildLive = await this.#liveWhenNear(tx, ids, limits.maxActivePerGuild ?? null);
      if (limits.maxActivePerGuild != null && guildLive.length >= limits.maxActivePerGuild) {
        throw new GuildActiveLimitError(limits.maxActivePerGuild, guildLive.length);
      }
    }
    const record = await section(job);
    const bucket = `active:${activeBucketOf(record.id)}`;
    const activeIds = (await tx.get('index', bucket, idListSchema)) ?? [];
    if (!activeIds.includes(record.id)) tx.set('index', bucket, [...activeIds, record.id]);
    tx.set('users', userId, { ...index, active: [...live, record.id] });
    if (guildId !== null) tx.set('index', guildIndexKey(guildId), [...guildLive, record.id]);
    tx.set('jobs', record.id, record);
    return { job: record, created: true };
  }

  /** Read-modify-write of one job. `change` may return the same object to write nothing. */
  async update(jobId: string, change: (job: JobRecord) => JobRecord | Promise<JobRecord>): Promise<JobRecord> {
    const next = await this.store.update(
      'jobs',
      jobId,
      jobRecordSchema,
      async (current) => {
        if (!current) throw new JobNotFoundError(jobId);
        return change(current);
      },
      // An ended job is kept for its buttons (Reroll, Delete…) and /jobs, then expires.
      (job) => (isTerminal(job.state) ? this.retentionMs : undefined),
      this.fenceOf(jobId),
    );
    if (!next) throw new JobNotFoundError(jobId);
    if (isTerminal(next.state)) await this.#retire(next);
    return next;
  }

  /** Ids of every job not yet terminal, as the indexes say (may include just-finished ones). */
  async activeIds(): Promise<string[]> {
    const buckets = await this.store.getMany(
      'index',
      Array.from({ length: ACTIVE_BUCKETS }, (_, i) => `active:${i}`),
      idListSchema,
    );
    return buckets.flatMap((ids) => ids ?? []);
  }

  /** Removes an id from the active index (its record was never written). */
  async forget(jobId: string): Promise<void> {
    const bucket: [Namespace, string] = ['index', `active:${activeBucketOf(jobId)}`];
    await this.store.transact([bucket], (tx) => tx.listOp(...bucket, 'remove', jobId));
  }

  async userActive(userId: string): Promise<JobRecord[]> {
    const index = await this.#userIndex(userId);
    const jobs = await this.store.getMany('jobs', index.active, jobRecordSchema);
    return jobs.filter((j): j is JobRecord => j !== undefined && !isTerminal(j.state));
  }

  /**
   * How many jobs a user (or a server) has in progress, from the indexes alone and from memory
   * when this process read or wrote them less than `maxAgeMs` ago: quick, for a first look
   * before a command is answered. The indexes drop an id when its job ends (and at start
   * after a crash), so the count may be high for a moment, never low.
   */
  async activeCount(userId: string, guildId: string | null, maxAgeMs = 0): Promise<{ user: number; guild: number }> {
    const [[user], [guild]] = await Promise.all([
      this.store.getFresh('users', [userId], userIndexSchema, maxAgeMs),
      guildId === null
        ? Promise.resolve([undefined])
        : this.store.getFresh('index', [guildIndexKey(guildId)], idListSchema, maxAgeMs),
    ]);
    return { user: user?.active.length ?? 0, guild: guild?.length ?? 0 };
  }

  /** Jobs charged to a server that have not ended. */
  async guildActive(guildId: string): Promise<JobRecord[]> {
    const ids = (await this.store.get('index', guildIndexKey(guildId), idListSchema)) ?? [];
    const jobs = await this.store.getMany('jobs', ids, jobRecordSchema);
    return jobs.filter((j): j is JobRecord => j !== undefined && !isTerminal(j.state));
  }

  async userHistory(userId: string): Promise<string[]> {
    return (await this.#userIndex(userId)).history;
  }

  /** Takes a terminal job out of the active indexes and into the user's history. */
  /**
   * One transaction: the user's index is compared (its history is rewritten), the shared
   * indexes (active bucket, server) lose the id by a list operation that other processes'
   * admissions to the same index cannot make retry.
   */
  async #retire(job: JobRecord): Promise<void> {
    const guildId = billingGuildOf(job);
    const bucket: [Namespace, string] = ['index', `active:${activeBucketOf(job.id)}`];
    const guild: Array<[Namespace, string]> = guildId === null ? [] : [['index', guildIndexKey(guildId)]];
    await this.store.transact([bucket, ['users', job.owner.userId], ...guild], async (tx) => {
      await tx.listOp(...bucket, 'remove', job.id);
      for (const key of guild) await tx.listOp(...key, 'remove', job.id);
      const index = await tx.get('users', job.owner.userId, userIndexSchema);
      const current = index ?? { active: [], history: [] };
      if (!current.active.includes(job.id) && (job.state !== 'delivered' || current.history.includes(job.id))) {
        return;
      }
      const history =
        job.state === 'delivered' && !current.history.includes(job.id)
          ? [job.id, ...current.history].slice(0, this.historyLimit)
          : current.history;
      tx.set('users', job.owner.userId, { active: current.active.filter((id) => id !== job.id), history });
    });
  }

  async #userIndex(userId: string): Promise<UserIndex> {
    return (await this.store.get('users', userId, userIndexSchema)) ?? { active: [], history: [] };
  }

  /**
   * The index as it is while it is clearly under the limit, else only the ids still live.
   * An index can only hold too many ids (a crash between a job's end and its retiring), never
   * too few, so reading every record (O(jobs) per request: a busy server's burst went
   * quadratic) is needed only when the raw count would refuse.
   */
  async #liveWhenNear(tx: StoreTx, ids: string[], limit: number | null): Promise<string[]> {
    return limit != null && ids.length >= limit ? this.#liveIds(tx, ids) : ids;
  }

  /** Ids whose job still exists and is not terminal (self-heals after a crash mid-retire). */
  async #liveIds(tx: StoreTx, ids: string[]): Promise<string[]> {
    const jobs = await tx.getMany('jobs', ids, jobRecordSchema);
    return ids.filter((_, i) => {
      const job = jobs[i];
      return job !== undefined && !isTerminal(job.state);
    });
  }
}

function guildIndexKey(guildId: string): string {
  return `guild-active:${guildId}`;
}

/** The bucket of the active index that holds a job's id. */
export function activeBucketOf(jobId: string): number {
  return createHash('sha1').update(jobId).digest()[0]! % ACTIVE_BUCKETS;
}
