/**
 * Job records and the indexes over them, all in the store. Crash ordering matters: an id
 * enters an index before its record is written and leaves it after the record is terminal,
 * so recovery (which reads the indexes) can never miss a live job.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { isTerminal, type JobRecord, jobRecordSchema } from './job.js';
import type { Store } from './store.js';

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
  maxActivePerUser: number;
}

export class JobRepository {
  constructor(
    readonly store: Store,
    readonly historyLimit = 50,
  ) {}

  get(jobId: string): Promise<JobRecord | undefined> {
    return this.store.get('jobs', jobId, jobRecordSchema);
  }

  async require(jobId: string): Promise<JobRecord> {
    const job = await this.get(jobId);
    if (!job) throw new JobNotFoundError(jobId);
    return job;
  }

  /**
   * Writes a new job, enforcing the user's active-job limit atomically (in this process).
   * `guard` runs inside the same critical section for further checks (quotas).
   */
  async create(
    job: JobRecord,
    limits: CreateLimits,
    guard?: () => Promise<void>,
  ): Promise<{ job: JobRecord; created: boolean }> {
    const userId = job.owner.userId;
    return this.store.withLock('users', userId, async () => {
      const existing = await this.get(job.id);
      if (existing) return { job: existing, created: false }; // same idempotency key: nothing new
      const index = await this.#userIndex(userId);
      const live = await this.#liveIds(index.active);
      if (live.length >= limits.maxActivePerUser) throw new ActiveJobLimitError(limits.maxActivePerUser, live.length);
      await guard?.();
      await this.#addToActive(job.id);
      await this.store.set('users', userId, { ...index, active: [...live, job.id] });
      await this.store.set('jobs', job.id, job);
      return { job, created: true };
    });
  }

  /** Read-modify-write of one job. `change` may return the same object to write nothing. */
  async update(jobId: string, change: (job: JobRecord) => JobRecord | Promise<JobRecord>): Promise<JobRecord> {
    const next = await this.store.update('jobs', jobId, jobRecordSchema, async (current) => {
      if (!current) throw new JobNotFoundError(jobId);
      return change(current);
    });
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
    await this.store.update('index', `active:${bucketOf(jobId)}`, idListSchema, (ids) =>
      ids?.includes(jobId) ? ids.filter((id) => id !== jobId) : ids,
    );
  }

  async userActive(userId: string): Promise<JobRecord[]> {
    const index = await this.#userIndex(userId);
    const jobs = await this.store.getMany('jobs', index.active, jobRecordSchema);
    return jobs.filter((j): j is JobRecord => j !== undefined && !isTerminal(j.state));
  }

  async userHistory(userId: string): Promise<string[]> {
    return (await this.#userIndex(userId)).history;
  }

  /** Takes a terminal job out of the active indexes and into the user's history. */
  async #retire(job: JobRecord): Promise<void> {
    await this.store.update('index', `active:${bucketOf(job.id)}`, idListSchema, (ids) => {
      if (!ids?.includes(job.id)) return ids;
      return ids.filter((id) => id !== job.id);
    });
    await this.store.update('users', job.owner.userId, userIndexSchema, (index) => {
      const current = index ?? { active: [], history: [] };
      if (!current.active.includes(job.id) && (job.state !== 'delivered' || current.history.includes(job.id))) {
        return index;
      }
      const history =
        job.state === 'delivered' && !current.history.includes(job.id)
          ? [job.id, ...current.history].slice(0, this.historyLimit)
          : current.history;
      return { active: current.active.filter((id) => id !== job.id), history };
    });
  }

  async #addToActive(jobId: string): Promise<void> {
    await this.store.update('index', `active:${bucketOf(jobId)}`, idListSchema, (ids) =>
      ids?.includes(jobId) ? ids : [...(ids ?? []), jobId],
    );
  }

  async #userIndex(userId: string): Promise<UserIndex> {
    return (await this.store.get('users', userId, userIndexSchema)) ?? { active: [], history: [] };
  }

  /** Ids whose job still exists and is not terminal (self-heals after a crash mid-retire). */
  async #liveIds(ids: string[]): Promise<string[]> {
    const jobs = await this.store.getMany('jobs', ids, jobRecordSchema);
    return ids.filter((_, i) => {
      const job = jobs[i];
      return job !== undefined && !isTerminal(job.state);
    });
  }
}

function bucketOf(jobId: string): number {
  return createHash('sha1').update(jobId).digest()[0]! % ACTIVE_BUCKETS;
}
