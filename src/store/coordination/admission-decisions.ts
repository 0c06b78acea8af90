/**
 * The store's side of admission and dispatch (the engine's parts, src/engine/admission.ts,
 * dispatch.ts, slots.ts and recovery.ts, decide through it), shared by every process on the store: a request is checked
 * against every limit, reserves its quota and is recorded, with a slot of the global in-flight
 * cap or a place in the fair queue, in one atomic step; a waiting job is popped round-robin
 * with a slot in another; a slot goes back in a third. On Redis each is one Lua script
 * (admission-scripts.ts) or one commutative list operation, so processes do not collide; on
 * SQLite and memory (one process) each is a transaction of the store under its locks.
 */

import { z } from 'zod';
import type { QuotaLedger, QuotaLimits, QuotaRequest } from '../../accounting/quota.js';
import { counterKeys, EMPTY_USAGE, usageRecordSchema, usageTtlMs } from '../../accounting/usage.js';
import type { JobRecord } from '../../engine/job.js';
import { jobRecordSchema } from '../../engine/job.js';
import { AppError } from '../../errors.js';
import { FairQueue, type FairQueueState, fairQueueSchema, type QueueEntry } from '../fair-queue.js';
import { activeBucketOf, billingGuildOf, JobRepository } from '../job-repository.js';
import { type Namespace, Store } from '../store.js';
import { ADMIT, POP, POSITION_SENTINEL, RECONCILE } from './admission-scripts.js';
import type { Leases } from './leases.js';

/**
 * The jobs holding a slot of the global cap, shared by every process on the store: a slot is
 * taken in the same atomic step that admits or pops a job, and given back when it leaves
 * RunComfy's hands.
 */
export const SLOTS_KEY: [Namespace, string] = ['index', 'in-flight'];
export const slotsSchema = z.array(z.string());

export interface AdmissionRequest {
  /** The new job, `submitted`; it is stored `waiting` instead when it must queue. */
  record: JobRecord;
  quota: QuotaRequest;
  limits: QuotaLimits;
  maxInFlight: number;
  /** False while the engine stops: the job queues instead of taking a slot. */
  mayTakeSlot: boolean;
  /** Runs inside the critical section, before the quota is reserved. */
  guard?: (() => Promise<void>) | undefined;
}

export interface AdmissionResult {
  job: JobRecord;
  /** False: a job with this id existed already (it is returned as stored). */
  created: boolean;
  /** The job took a slot of the cap (to be sent now). */
  holdsSlot: boolean;
  /** The fair queue after the job joined it. */
  queue?: FairQueueState | undefined;
}

export class AdmissionStore {
  constructor(
    private readonly store: Store,
    private readonly jobs: JobRepository,
    private readonly quota: QuotaLedger,
    /** The fair queue's record. */
    readonly queueKey: [Namespace, string],
    /** This process's leases: a job given a slot is leased to it in the same script (Redis). */
    private readonly leases?: Leases,
  ) {}

  /** The script arguments that lease a job to this process ('' : none), with `keyOf`. */
  #leaseArgs(keyOf: string): string[] {
    const leases = this.leases;
    if (!leases?.shared) return [keyOf, '', ''];
    return [keyOf, leases.token, String(leases.leaseMs)];
  }

  /** Admits a request, atomically with every other process's; throws the first limit it passes. */
  async admit(request: AdmissionRequest): Promise<AdmissionResult> {
    if (this.store.redis) {
      const scripted = await this.#admitScript(request);
      if (scripted) return scripted;
      // At an active limit: the transaction reads the jobs behind the index (an index may keep
      // the id of a job that ended in a crash) and heals it, or refuses.
    }
    return this.#admitTx(request);
  }

  /** Pops the job whose turn it is and gives it a slot, if one is free. */
  async pop(maxInFlight: number): Promise<{ queue: FairQueueState; next: QueueEntry | undefined }> {
    if (this.store.redis) return this.#popScript(maxInFlight);
    return this.store.transact([this.queueKey, SLOTS_KEY], async (tx) => {
      const queue = new FairQueue(await tx.get(...this.queueKey, fairQueueSchema));
      const slots = (await tx.get(...SLOTS_KEY, slotsSchema)) ?? [];
      let changed = false;
      let next = slots.length < maxInFlight ? queue.peek() : undefined;
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
      if (changed) tx.set(...this.queueKey, queue.toJSON());
      return { queue: queue.toJSON(), next };
    });
  }

  /**
   * After a restart or a process's death: the stored queue is the order. Entries whose job no
   * longer waits go; `waiting` jobs missing from it (a crash between popping and sending one)
   * go back to the very front, unless (Redis) some live process holds the job's lease.
   */
  async reconcile(waiting: JobRecord[]): Promise<{ queue: FairQueueState; restored: string[] }> {
    const sorted = [...waiting].sort((a, b) => a.createdAt - b.createdAt);
    const redis = this.store.redis;
    if (redis && this.leases) {
      const args = [String(Date.now()), `${redis.prefix}jobs:`, this.leases.keyOf(''), String(sorted.length)];
      for (const job of sorted) {
        args.push(Store.rawString(job.id), Store.rawString(job.owner.userId), String(Math.floor(job.createdAt)));
        args.push('1');
      }
      const [json, ...restored] = (await this.store.runScript(RECONCILE, [this.queueKey], args)) as string[];
      const queue = this.store.parseRaw(...this.queueKey, `{"value":${json}}`, fairQueueSchema)!;
      return { queue, restored: restored.map((id) => (id.startsWith('::') ? id.slice(1) : id)) };
    }
    let restored: string[] = [];
    const queue = await this.store.transact([this.queueKey], async (tx) => {
      restored = [];
      const queue = new FairQueue(await tx.get(...this.queueKey, fairQueueSchema));
      const waitingIds = new Set(waiting.map((j) => j.id));
      let changed = false;
      const strays = queue.entries().filter((entry) => !waitingIds.has(entry.id));
      const records = await tx.getMany(
        'jobs',
        strays.map((entry) => entry.id),
        jobRecordSchema,
      );
      for (const [i, entry] of strays.entries()) {
        if (records[i]?.state !== 'waiting') changed = queue.remove(entry.id) || changed;
      }
      const missing = sorted
        .filter((j) => !queue.has(j.id))
        .map((j) => ({ id: j.id, userId: j.owner.userId, at: j.createdAt }));
      if (missing.length > 0) {
        restored = missing.map((m) => m.id);
        queue.restoreAtFront(missing);
        changed = true;
      }
      if (changed) tx.set(...this.queueKey, queue.toJSON());
      return queue.toJSON();
    });
    return { queue, restored };
  }

  /** Gives a job's slot of the global cap back (in every process's view). */
  async releaseSlot(jobId: string): Promise<void> {
    await this.store.transact([SLOTS_KEY], (tx) => tx.listOp(...SLOTS_KEY, 'remove', jobId));
  }

  async #admitTx(request: AdmissionRequest): Promise<AdmissionResult> {
    const { record, quota: quotaRequest, limits } = request;
    const reservation = record.reservation!;
    const locks = [
      ...JobRepository.createLocks(quotaRequest.userId, quotaRequest.guildId),
      ...this.quota.lockKeys(reservation, quotaRequest.userId),
      this.queueKey,
    ];
    let holdsSlot = false;
    let queueAfter: FairQueueState | undefined;
    const { job, created } = await this.store.transact([...locks, SLOTS_KEY], async (tx) => {
      holdsSlot = false;
      queueAfter = undefined;
      await tx.prefetch([['jobs', record.id], ...locks, SLOTS_KEY, ['index', `active:${activeBucketOf(record.id)}`]]);
      return this.jobs.createTx(
        tx,
        record,
        { maxActivePerUser: limits.activePerUser, maxActivePerGuild: limits.activePerGuild },
        async (job) => {
          await request.guard?.();
          await this.quota.reserveTx(tx, quotaRequest, reservation, limits, record.createdAt);
          const queue = new FairQueue(await tx.get(...this.queueKey, fairQueueSchema));
          const slots = (await tx.get(...SLOTS_KEY, slotsSchema)) ?? [];
          if (queue.size === 0 && slots.length < request.maxInFlight && request.mayTakeSlot) {
            tx.set(...SLOTS_KEY, [...slots, job.id]);
            holdsSlot = true;
            return job;
          }
          // The queue entry is written with the record: one transaction.
          const now = record.createdAt;
          queue.enqueue({ id: job.id, userId: job.owner.userId, at: now });
          tx.set(...this.queueKey, queue.toJSON());
          queueAfter = queue.toJSON();
          return { ...job, state: 'waiting', stateTimes: { waiting: now }, queuePosition: queue.positionOf(job.id)! };
        },
      );
    });
    return { job, created, holdsSlot, queue: queueAfter };
  }

  /** One script; undefined when an active limit needs the transaction's closer look. */
  async #admitScript(request: AdmissionRequest): Promise<AdmissionResult | undefined> {
    const { record, quota: quotaRequest, limits } = request;
    const reservation = record.reservation!;
    const now = record.createdAt;
    const guildId = billingGuildOf(record);
    const counters = counterKeys(quotaRequest.userId, reservation.guildId, reservation.day, reservation.month);
    // The limits assertWithin applies, counter by counter (user day, user month, guild day, guild month).
    const limited: Array<[string, number | null]> = [
      ['images', limits.userDailyImages],
      ['', null],
      ['images', limits.guildDailyImages],
      ['microUsd', limits.guildMonthlyUsd === null ? null : Math.round(limits.guildMonthlyUsd * 1_000_000)],
    ];
    const delta = JSON.stringify({ images: reservation.images, microUsd: reservation.microUsd, jobs: 1 });
    const waiting: JobRecord = {
      ...record,
      state: 'waiting',
      stateTimes: { waiting: now },
      queuePosition: POSITION_SENTINEL,
    };
    const wallNow = Date.now();
    const args = [
      String(wallNow),
      this.store.rawRecord(record, undefined, wallNow),
      this.store.rawRecord(waiting, undefined, wallNow),
      Store.rawString(quotaRequest.userId),
      Store.rawString(record.id),
      String(Math.floor(now)),
      String(limits.activePerUser ?? -1),
      String(limits.activePerGuild ?? -1),
      String(Number.isFinite(request.maxInFlight) ? request.maxInFlight : -1),
      request.mayTakeSlot ? '1' : '0',
      JSON.stringify(EMPTY_USAGE),
      String(counters.length),
    ];
    for (const [i, key] of counters.entries()) {
      const [field, limit] = limited[i]!;
      args.push(String(usageTtlMs(key, wallNow) ?? 0), delta, limit === null ? '' : field, String(limit ?? 0));
    }
    args.push(...this.#leaseArgs(this.leases?.keyOf(record.id) ?? ''));
    const keys: Array<[Namespace, string]> = [
      ['jobs', record.id],
      ['users', quotaRequest.userId],
      ['index', `active:${activeBucketOf(record.id)}`],
      this.queueKey,
      SLOTS_KEY,
      ...counters.map((key): [Namespace, string] => ['stats', key]),
      ...(guildId === null ? [] : [['index', `guild-active:${guildId}`] as [Namespace, string]]),
    ];
    await request.guard?.();
    const answer = (await this.store.runScript(ADMIT, keys, args)) as string[];
    switch (answer[0]) {
      case 'exists':
        return {
          job: this.store.parseRaw('jobs', record.id, answer[1], jobRecordSchema)!,
          created: false,
          holdsSlot: false,
        };
      case 'active_limit':
        return undefined;
      case 'quota': {
        const records = counters.map(
          (key, i) => this.store.parseRaw('stats', key, answer[i + 1] || undefined, usageRecordSchema) ?? EMPTY_USAGE,
        );
        this.quota.assertWithin(quotaRequest, limits, records, now);
        throw new AppError('admission_inconsistent', 'The admission script refused a request the quota allows');
      }
      case 'slot':
        if (answer[1] === '1') this.leases?.granted(record.id);
        return { job: record, created: true, holdsSlot: true };
      case 'queued': {
        const queue = this.store.parseRaw(...this.queueKey, `{"value":${answer[2]}}`, fairQueueSchema);
        return { job: { ...waiting, queuePosition: Number(answer[1]) }, created: true, holdsSlot: false, queue };
      }
      default:
        throw new AppError('admission_inconsistent', `Unexpected answer from the admission script: ${answer[0]}`);
    }
  }

  async #popScript(maxInFlight: number): Promise<{ queue: FairQueueState; next: QueueEntry | undefined }> {
    const redis = this.store.redis!;
    const answer = (await this.store.runScript(
      POP,
      [this.queueKey, SLOTS_KEY],
      [
        String(Date.now()),
        String(Number.isFinite(maxInFlight) ? maxInFlight : -1),
        `${redis.prefix}jobs:`,
        ...this.#leaseArgs(this.leases?.keyOf('') ?? ''),
      ],
    )) as string[];
    const raw = answer[0] === 'popped' ? answer[4] : answer[1];
    const queue = raw ? this.store.parseRaw(...this.queueKey, `{"value":${raw}}`, fairQueueSchema) : undefined;
    const state = queue ?? { v: 1 as const, ring: [], jobs: [] };
    if (answer[0] !== 'popped') return { queue: state, next: undefined };
    const next = this.store.parseRaw(
      'jobs',
      'pop',
      JSON.stringify({ value: { id: answer[1], userId: answer[2], at: Number(answer[3]) } }),
      z.object({ id: z.string(), userId: z.string(), at: z.number() }),
    );
    if (next && answer[5] === '1') this.leases?.granted(next.id);
    return { queue: state, next };
  }
}
