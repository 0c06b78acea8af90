/**
 * The global in-flight cap: the jobs holding a slot, shared by every process on the store (a
 * slot is taken in the same atomic step that admits or pops a job, and given back when it
 * leaves RunComfy's hands), and this process's own view of them.
 */
import type { AdmissionStore } from '../store/coordination/admission-decisions.js';
import type { JobState } from './job.js';

/** Jobs that hold a slot of the global cap. */
export const IN_FLIGHT: ReadonlySet<JobState> = new Set(['submitted', 'queued', 'running']);

export class InFlightSlots {
  readonly #decisions: AdmissionStore;
  /** Jobs holding a slot that this process works on. */
  readonly #local = new Set<string>();
  /** The cap (Infinity: none). */
  readonly max: number;

  constructor(decisions: AdmissionStore, max: number | undefined) {
    this.#decisions = decisions;
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
    await this.#decisions.releaseSlot(jobId);
  }
}
