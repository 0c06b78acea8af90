/**
 * The global in-flight cap: the jobs holding a slot, shared by every process on the store (a
 * slot is taken in the same atomic step that admits or pops a job, and given back when it
 * leaves RunComfy's hands), and this process's own view of them.
 */
import { z } from 'zod';
import type { Namespace, Store } from '../store/store.js';
import type { JobState } from './job.js';

export const SLOTS_KEY: [Namespace, string] = ['index', 'in-flight'];
export const slotsSchema = z.array(z.string());

/** Jobs that hold a slot of the global cap. */
export const IN_FLIGHT: ReadonlySet<JobState> = new Set(['submitted', 'queued', 'running']);

export class InFlightSlots {
  readonly #store: Store;
  /** Jobs holding a slot that this process works on. */
  readonly #local = new Set<string>();
  /** The cap (Infinity: none). */
  readonly max: number;

  constructor(store: Store, max: number | undefined) {
    this.#store = store;
    this.max = max ?? Number.POSITIVE_INFINITY;
  }

  get size(): number {
    return this.#local.size;
  }

  has(jobId: string): boolean {
    return this.#local.has(jobId);
  }

  add(jobId: string): void {
    this.#local.add(jobId);
  }

  /** Forgets a slot locally only (the job went to another process). */
  forget(jobId: string): void {
    this.#local.delete(jobId);
  }

  /** Gives a job's slot of the global cap back (in every process's view). */
  async release(jobId: string): Promise<void> {
    this.#local.delete(jobId);
    await this.#store.update(SLOTS_KEY[0], SLOTS_KEY[1], slotsSchema, (ids) =>
      ids?.includes(jobId) ? ids.filter((id) => id !== jobId) : ids,
    );
  }
}
