/**
 * The bot's own fair queue: accepted requests wait here while the global cap on jobs in flight
 * is reached, and leave round-robin across users, so one heavy user cannot starve the rest.
 * Each user keeps their own requests in arrival order; the ring says whose turn is next, and
 * a served user goes to the back of the ring. All of it is one record in the store, written
 * under its lock at every change, so the order survives any crash.
 */
import { z } from 'zod';
import type { Namespace, Store } from './store.js';

export const queueEntrySchema = z.object({
  id: z.string().min(1),
  userId: z.string(),
  at: z.number(),
});
export type QueueEntry = z.infer<typeof queueEntrySchema>;

export const fairQueueSchema = z.object({
  v: z.literal(1),
  /** Users with waiting jobs, in the order they will be served (head first). */
  ring: z.array(z.string()).default([]),
  /** Waiting jobs in arrival order. */
  jobs: z.array(queueEntrySchema).default([]),
});
export type FairQueueState = z.infer<typeof fairQueueSchema>;

/** The queue in memory: pure data, no I/O. */
export class FairQueue {
  #ring: string[] = [];
  #jobs: QueueEntry[] = [];
  #positions: Map<string, number> | undefined;

  constructor(state?: FairQueueState) {
    if (state) this.#load(state);
  }

  get size(): number {
    return this.#jobs.length;
  }

  has(jobId: string): boolean {
    return this.#jobs.some((j) => j.id === jobId);
  }

  entries(): readonly QueueEntry[] {
    return this.#jobs;
  }

  /** Adds a job at the end of its user's line; a new user joins at the back of the ring. */
  enqueue(entry: QueueEntry): void {
    if (this.has(entry.id)) return;
    this.#jobs.push(entry);
    if (!this.#ring.includes(entry.userId)) this.#ring.push(entry.userId);
    this.#positions = undefined;
  }

  /** Puts jobs back at the very front, in the given order (recovery of an interrupted dispatch). */
  restoreAtFront(entries: QueueEntry[]): void {
    const fresh = entries.filter((e) => !this.has(e.id));
    if (fresh.length === 0) return;
    this.#jobs = [...fresh, ...this.#jobs];
    const users = [...new Set(fresh.map((e) => e.userId))];
    this.#ring = [...users, ...this.#ring.filter((u) => !users.includes(u))];
    this.#positions = undefined;
  }

  /** The job whose turn it is. */
  peek(): QueueEntry | undefined {
    const user = this.#ring[0];
    return user === undefined ? undefined : this.#jobs.find((j) => j.userId === user);
  }

  /** Takes `jobId` out because it was served: its user goes to the back of the ring. */
  serve(jobId: string): void {
    const entry = this.#jobs.find((j) => j.id === jobId);
    if (!entry) return;
    this.#jobs = this.#jobs.filter((j) => j.id !== jobId);
    this.#ring = this.#ring.filter((u) => u !== entry.userId);
    if (this.#jobs.some((j) => j.userId === entry.userId)) this.#ring.push(entry.userId);
    this.#positions = undefined;
  }

  /** Takes `jobId` out without using its user's turn (cancelled, or gone). */
  remove(jobId: string): boolean {
    const entry = this.#jobs.find((j) => j.id === jobId);
    if (!entry) return false;
    this.#jobs = this.#jobs.filter((j) => j.id !== jobId);
    if (!this.#jobs.some((j) => j.userId === entry.userId)) this.#ring = this.#ring.filter((u) => u !== entry.userId);
    this.#positions = undefined;
    return true;
  }

  /** Every waiting job in the order it will be sent if nothing else arrives. */
  order(): string[] {
    const lines = new Map<string, string[]>(this.#ring.map((u) => [u, []]));
    for (const job of this.#jobs) lines.get(job.userId)?.push(job.id);
    const out: string[] = [];
    for (let round = 0; out.length < this.#jobs.length; round++) {
      for (const user of this.#ring) {
        const id = lines.get(user)![round];
        if (id !== undefined) out.push(id);
      }
    }
    return out;
  }

  /** 1-based place of `jobId` in the sending order. */
  positionOf(jobId: string): number | undefined {
    this.#positions ??= new Map(this.order().map((id, i) => [id, i + 1]));
    return this.#positions.get(jobId);
  }

  toJSON(): FairQueueState {
    return { v: 1, ring: [...this.#ring], jobs: this.#jobs.map((j) => ({ ...j })) };
  }

  /** Loads a stored state, healing any inconsistency (duplicates, users missing from the ring). */
  #load(state: FairQueueState): void {
    const seen = new Set<string>();
    this.#jobs = state.jobs.filter((j) => !seen.has(j.id) && seen.add(j.id));
    const users = new Set(this.#jobs.map((j) => j.userId));
    const ring = [...new Set(state.ring)].filter((u) => users.has(u));
    for (const job of this.#jobs) if (!ring.includes(job.userId)) ring.push(job.userId);
    this.#ring = ring;
    this.#positions = undefined;
  }
}

/** The queue persisted in the store under one key; every change is written under its lock. */
export class PersistentFairQueue {
  readonly lockKey: [Namespace, string];
  #queue = new FairQueue();

  constructor(
    private readonly store: Store,
    name = 'main',
  ) {
    this.lockKey = ['index', `fair-queue:${name}`];
  }

  get queue(): FairQueue {
    return this.#queue;
  }

  async load(): Promise<void> {
    await this.withLock(async () => {
      const state = await this.store.get(this.lockKey[0], this.lockKey[1], fairQueueSchema);
      this.#queue = new FairQueue(state);
    });
  }

  /** Replaces the copy in memory (e.g. with what the store holds after a failed write). */
  replace(state: FairQueueState | undefined): void {
    this.#queue = new FairQueue(state);
  }

  /** Runs `section` holding the queue's lock (changes inside must end with `saveLocked`). */
  withLock<T>(section: () => Promise<T>): Promise<T> {
    return this.store.withLock(this.lockKey[0], this.lockKey[1], section);
  }

  /** Writes the queue; the caller holds the lock. */
  async saveLocked(): Promise<void> {
    await this.store.set(this.lockKey[0], this.lockKey[1], this.#queue.toJSON());
  }
}
