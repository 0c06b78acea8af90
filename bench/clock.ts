/**
 * Time for the poller benchmark. Every process computes the same virtual clock from two
 * shared instants: it stands at `t0` while the jobs are being submitted (so every job is
 * submitted at virtual t0, however long the submitting takes), then from the real instant `t1`
 * on it runs F× real time: `virtual = t0 + (real − t1) × F`. Real time is
 * `performance.timeOrigin + performance.now()`: monotonic within a process, on the wall-clock
 * scale, so it lines up across processes.
 */

/** Real time in epoch ms (sub-millisecond, monotonic within the process). */
export function realNow(): number {
  return performance.timeOrigin + performance.now();
}

export class VirtualClock {
  #t1: number | undefined;

  constructor(
    readonly t0: number,
    readonly factor: number,
  ) {}

  /** Starts virtual time at the real instant `t1` (it stands at t0 until then). */
  release(t1: number): void {
    this.#t1 = t1;
  }

  get released(): boolean {
    return this.#t1 !== undefined;
  }

  /** Virtual epoch ms. */
  now = (): number => {
    const t1 = this.#t1;
    if (t1 === undefined) return this.t0;
    const real = realNow();
    return real <= t1 ? this.t0 : this.t0 + (real - t1) * this.factor;
  };

  /** Real ms to wait for `virtualMs` to pass (once released). */
  toReal(virtualMs: number): number {
    return Math.max(0, virtualMs / this.factor);
  }
}

/** Sleeps `virtualMs` of virtual time (the clock must be running). */
export function sleepVirtual(clock: VirtualClock, virtualMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, clock.toReal(virtualMs)));
}
