/**
 * Ownership of active jobs by lease: a Redis key per job (`<prefix>lease:<jobId>`) holding
 * the owner's token, set NX with an expiry and renewed while the owner lives. Only the owner
 * polls and delivers a job; when it dies its leases expire and another process adopts the
 * jobs. Every write the owner makes to a job record is fenced by the lease (see
 * Store.transact), so a process that lost a lease (paused, partitioned) writes nothing more
 * for that job and posts nothing for it (each post's "started" step is such a write).
 * With one process (SQLite, memory) every lease is granted at once and nothing is stored.
 */

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { RawRedis, Store } from '../store.js';
import { runStoreScript, storeScript } from './run-script.js';

/** Renews a lease only while this process still holds it. */
const RENEW_SCRIPT = storeScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`);

/** Gives a lease up only if this process holds it. */
const RELEASE_SCRIPT = storeScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`);

export const DEFAULT_LEASE_MS = 15_000;

/** A process's identity: unique per start (a restarted process is a new owner). */
export function newProcessId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export class Leases {
  /** This process's identity: also sent to RunComfy so calls can be told apart. */
  readonly token: string;
  readonly #redis: { client: RawRedis; prefix: string } | undefined;
  readonly #store: Store;
  readonly #owned = new Set<string>();
  /** When each lease was taken (Date.now()): a lease just taken is not yet being worked on. */
  readonly #acquiredAt = new Map<string, number>();
  /** Leases seen idle at the last renewal. */
  readonly #idle = new Set<string>();
  /** Leases this process held and lost: writes for them stay fenced (and fail). */
  readonly #lost = new Set<string>();

  constructor(
    store: Store,
    readonly leaseMs = DEFAULT_LEASE_MS,
    token = newProcessId(),
  ) {
    this.#redis = store.redis;
    this.#store = store;
    this.token = token;
  }

  /** True when several processes may share the store (leases are real). */
  get shared(): boolean {
    return this.#redis !== undefined;
  }

  owns(jobId: string): boolean {
    return this.#owned.has(jobId);
  }

  get ownedCount(): number {
    return this.#owned.size;
  }

  keyOf(jobId: string): string {
    return `${this.#redis?.prefix ?? ''}lease:${jobId}`;
  }

  /** Takes the lease of a job nobody holds (or that this process holds already). */
  async acquire(jobId: string): Promise<boolean> {
    if (this.#owned.has(jobId)) return true;
    if (this.#redis) {
      const redis = this.#redis;
      const key = this.keyOf(jobId);
      // Run again across a blip: a set whose answer was lost is found holding this token.
      const set = await this.#store.retryingBlips(() =>
        redis.client.set(key, this.token, { NX: true, PX: this.leaseMs }),
      );
      if (set !== 'OK' && (await this.#store.retryingBlips(() => redis.client.get(key))) !== this.token) return false;
    }
    this.granted(jobId);
    return true;
  }

  /**
   * Takes the lease of a job nobody holds, to adopt it. Unlike `acquire`, a lease this process
   * holds already is refused: the admission and pop scripts lease a job to this process before
   * it records the grant, so finding its own token means it is admitting or sending that job
   * right now (adopting it too would end it "submit uncertain" while the submit goes on). An
   * adoption whose answer a blip lost is therefore refused too; the lease expires and a later
   * round adopts the job.
   */
  async adopt(jobId: string): Promise<boolean> {
    if (this.#owned.has(jobId)) return false;
    if (this.#redis) {
      const redis = this.#redis;
      const set = await redis.client.set(this.keyOf(jobId), this.token, { NX: true, PX: this.leaseMs });
      if (set !== 'OK') return false;
    }
    this.granted(jobId);
    return true;
  }

  /** Records a lease taken for this process elsewhere (in the script that admitted or popped the job). */
  granted(jobId: string): void {
    this.#lost.delete(jobId);
    this.#owned.add(jobId);
    this.#acquiredAt.set(jobId, Date.now());
  }

  /**
   * Renews every lease held; returns the ids whose lease was lost (another process owns them
   * now). A lease this process holds but no longer works on (`working` says no: a step failed
   * between taking the lease and taking up the job) is given up rather than renewed for ever,
   * so another process adopts the job; writes for it stay fenced here.
   */
  async renewAll(working: (jobId: string) => boolean = () => true): Promise<string[]> {
    if (!this.#redis) return [];
    const redis = this.#redis;
    const lost: string[] = [];
    const now = Date.now();
    for (const jobId of [...this.#owned]) {
      // Idle at two renewals in a row (a moment between two steps is not idleness).
      if (working(jobId) || now - (this.#acquiredAt.get(jobId) ?? now) < this.leaseMs / 2) {
        this.#idle.delete(jobId);
        continue;
      }
      if (!this.#idle.has(jobId)) {
        this.#idle.add(jobId);
        continue;
      }
      this.#idle.delete(jobId);
      await this.release(jobId);
      this.#lost.add(jobId);
      lost.push(jobId);
    }
    const ids = [...this.#owned];
    // Sent together: the client pipelines them into one round trip.
    const answers = await Promise.all(
      ids.map((jobId) =>
        runStoreScript(redis.client, RENEW_SCRIPT, [this.keyOf(jobId)], [this.token, String(this.leaseMs)]),
      ),
    );
    for (const [i, jobId] of ids.entries()) {
      if (Number(answers[i]) === 1 || !this.#owned.has(jobId)) continue;
      this.#owned.delete(jobId);
      this.#lost.add(jobId);
      lost.push(jobId);
    }
    return lost;
  }

  /** Gives a lease up (its job ended, or this process stops). */
  async release(jobId: string): Promise<void> {
    if (!this.#owned.delete(jobId)) return;
    this.#acquiredAt.delete(jobId);
    if (!this.#redis) return;
    await runStoreScript(this.#redis.client, RELEASE_SCRIPT, [this.keyOf(jobId)], [this.token]);
  }

  /**
   * Of `jobIds`, those no process holds a lease on (one MGET a call): adoption reads and
   * tries only these, not every job the live processes are working on.
   */
  async unheld(jobIds: readonly string[]): Promise<string[]> {
    const candidates = jobIds.filter((jobId) => !this.#owned.has(jobId));
    if (!this.#redis || candidates.length === 0) return candidates;
    const holders = await this.#redis.client.mGet(candidates.map((jobId) => this.keyOf(jobId)));
    return candidates.filter((_, i) => holders[i] === null);
  }

  /** Gives every lease up (a graceful stop: the others adopt at once). */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.#owned].map((jobId) => this.release(jobId)));
  }

  /** The fence of a job's writes by this process (undefined: it never held the lease). */
  fence(jobId: string): { key: string; token: string } | undefined {
    if (!this.#redis || !(this.#owned.has(jobId) || this.#lost.has(jobId))) return undefined;
    return { key: this.keyOf(jobId), token: this.token };
  }
}
