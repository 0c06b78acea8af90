/**
 * One scheduler for every tracked job: a min-heap of due times and a single timer (never a
 * timer per job), at most `concurrency` calls in flight, a token bucket of `ratePerSecond`
 * that halves on a 429 and climbs back while calls succeed, and a global pause until a
 * 429's Retry-After.
 *
 * Rate control (tuned with bench/poller.bench.ts): one cut per rate-limit episode (the other
 * calls already in flight when the first 429 came back do not cut again); after a cut the
 * rate climbs back fast to just under the rate that drew the 429, then probes slowly above it.
 * A call wanted at once (a job just reported completed) goes ahead of the calls that merely
 * fell due, so scarce calls are not spent on the backlog first.
 */
import { type Logger, silentLogger } from '../log.js';
import { MinHeap } from '../util/min-heap.js';

export interface PollSchedulerOptions {
  concurrency: number;
  ratePerSecond: number;
  /** Runs one poll of `id`; resolves to the next due time, or null when the job needs no more polls. */
  run: (id: string) => Promise<number | null>;
  clock?: () => number;
  /**
   * How much faster than real time `clock` runs (benchmarks compress time); timer delays are
   * divided by it. 1 in production.
   */
  timeScale?: number;
  logger?: Logger;
}

/** How far ahead of the due calls an immediate call is put (a day: ahead of any backlog). */
const IMMEDIATE_AHEAD_MS = 86_400_000;
/** After a cut, the rate climbs fast up to this fraction of the rate that drew the 429, then slowly. */
const FAST_RECOVERY = 0.9;

export class PollScheduler {
  /** Keyed by priority: the due time, or far before it for a call wanted at once (see `schedule`). */
  readonly #heap = new MinHeap<string>();
  /** The heap key each tracked id currently has; heap entries that disagree are stale. */
  readonly #due = new Map<string, number>();
  readonly #inFlight = new Set<string>();
  /** In-flight ids that were unscheduled meanwhile: their returned due time is dropped. */
  readonly #dropped = new Set<string>();
  readonly #options: Required<Omit<PollSchedulerOptions, 'logger'>> & { logger: Logger };
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #running = false;
  #pausedUntil = 0;
  #rate: number;
  #tokens: number;
  #tokensAt: number;
  #successesSinceCut = 0;
  /** The rate that drew the last 429 (the limit lies just under it). */
  #ceiling = Number.POSITIVE_INFINITY;
  #idle: Array<() => void> = [];

  constructor(options: PollSchedulerOptions) {
    this.#options = { clock: Date.now, timeScale: 1, logger: silentLogger, ...options };
    this.#rate = options.ratePerSecond;
    this.#tokens = 1;
    this.#tokensAt = this.#options.clock();
  }

  get size(): number {
    return this.#due.size;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** The current adaptive rate (calls per second). */
  get rate(): number {
    return this.#rate;
  }

  start(): void {
    this.#running = true;
    this.#wake();
  }

  /** Stops issuing calls; resolves when the calls in flight have finished. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#clearTimer();
    if (this.#inFlight.size > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  /**
   * Tracks `id` (or moves its due time). A call wanted at once (`at` not in the future: a job
   * RunComfy just reported completed, or one resumed after a restart) goes ahead of every call
   * that merely fell due, so when calls are scarce (rate limited) it does not wait behind the backlog.
   */
  schedule(id: string, at: number): void {
    this.#dropped.delete(id);
    const key = at <= this.#options.clock() ? at - IMMEDIATE_AHEAD_MS : at;
    this.#due.set(id, key);
    this.#heap.push(key, id);
    if (this.#running && key < this.#timerAt) this.#wake();
  }

  unschedule(id: string): void {
    this.#due.delete(id);
    if (this.#inFlight.has(id)) this.#dropped.add(id);
  }

  has(id: string): boolean {
    return this.#due.has(id) || this.#inFlight.has(id);
  }

  /** A 429 anywhere pauses every poll until `until`, and the rate is halved (once per episode). */
  pauseUntil(until: number): void {
    const alreadyPaused = this.#options.clock() < this.#pausedUntil;
    if (until > this.#pausedUntil) this.#pausedUntil = until;
    if (alreadyPaused) return; // the same episode: calls sent before the pause are still coming back
    this.#ceiling = this.#rate;
    this.#rate = Math.max(0.5, this.#rate / 2);
    this.#tokens = Math.min(this.#tokens, 0);
    this.#successesSinceCut = 0;
    this.#options.logger.warn({ until, rate: this.#rate }, 'polling paused after rate limit');
    this.#wake();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #refill(now: number): void {
    // A bucket of one: calls are paced evenly, so no one-second window ever holds more than the rate.
    this.#tokens = Math.min(1, this.#tokens + ((now - this.#tokensAt) / 1000) * this.#rate);
    this.#tokensAt = now;
  }

  /** Starts every call that is due and allowed, then arms the one timer for the next moment. */
  #wake(): void {
    if (!this.#running) return;
    this.#clearTimer();
    const { clock, concurrency } = this.#options;
    const now = clock();
    let nextAt = Number.POSITIVE_INFINITY;
    if (now < this.#pausedUntil) {
      nextAt = this.#pausedUntil;
    } else {
      this.#refill(now);
      while (this.#inFlight.size < concurrency) {
        const topKey = this.#heap.peekKey();
        if (topKey === undefined) break;
        const top = this.#heap.pop()!;
        const id = top.value;
        if (this.#due.get(id) !== top.key || this.#inFlight.has(id)) continue; // stale entry
        if (top.key > now) {
          this.#heap.push(top.key, id);
          nextAt = top.key;
          break;
        }
        if (this.#tokens < 1) {
          this.#heap.push(top.key, id);
          nextAt = now + Math.ceil(((1 - this.#tokens) / this.#rate) * 1000);
          break;
        }
        this.#tokens -= 1;
        this.#due.delete(id);
        this.#launch(id);
      }
    }
    if (nextAt !== Number.POSITIVE_INFINITY && this.#inFlight.size < concurrency) {
      this.#timerAt = nextAt;
      this.#timer = setTimeout(() => this.#wake(), Math.max(0, (nextAt - now) / this.#options.timeScale));
      this.#timer.unref?.();
    }
  }

  #launch(id: string): void {
    this.#inFlight.add(id);
    this.#options
      .run(id)
      .then(
        (next) => {
          this.#noteSuccess();
          return next;
        },
        (error: unknown) => {
          // run() is expected to handle its own errors; this is the last line of defence.
          this.#options.logger.error({ err: error, jobId: id }, 'poll failed unexpectedly; retrying in 5 s');
          return this.#options.clock() + 5_000;
        },
      )
      .then((returned) => {
        let next = returned;
        this.#inFlight.delete(id);
        // A schedule() made while the call was in flight wins over the returned time.
        if (this.#dropped.delete(id)) next = null;
        const wanted = this.#due.get(id);
        // #wake skipped (dropped) its heap entry while the call was in flight: put it back.
        if (wanted !== undefined) this.#heap.push(wanted, id);
        else if (next !== null) this.schedule(id, next);
        if (this.#inFlight.size === 0 && this.#idle.length > 0) {
          for (const resolve of this.#idle.splice(0)) resolve();
        }
        this.#wake();
      });
  }

  #noteSuccess(): void {
    if (this.#rate >= this.#options.ratePerSecond) return;
    // Additive increase, in calls per second per second: about 4 while well under the rate that
    // drew the last 429, then 1/4 while probing around it.
    this.#successesSinceCut++;
    const fast = this.#rate < FAST_RECOVERY * this.#ceiling;
    if (this.#successesSinceCut >= (fast ? this.#rate / 4 : this.#rate * 4)) {
      this.#successesSinceCut = 0;
      this.#rate = Math.min(this.#options.ratePerSecond, this.#rate + 1);
    }
  }
}
