/**
 * Follows every job RunComfy holds through one poll scheduler: status while queued, result
 * once it runs; RunComfy's answer becomes the job's state, the deadline and 429s are kept,
 * and each finished set teaches the ETA model. A finished set goes to the delivery runner.
 */
import type { EtaModel } from '../accounting/eta-model.js';
import { describeError, isAbortError } from '../errors.js';
import { modelFor, setParameters } from '../models/registry.js';
import { RunComfyNotFoundError, RunComfyRateLimitError } from '../runcomfy/errors.js';
import type { ResultResponse, StatusResponse } from '../runcomfy/schemas.js';
import { SharedRate } from '../store/coordination/rate-limit.js';
import { LeaseLostError } from '../store/store.js';
import { backoffDelay } from '../util/retry.js';
import { ERROR_BACKOFF, NO_RETRY } from './backoffs.js';
import type { EngineContext } from './context.js';
import type { DeliveryRunner } from './delivery-runner.js';
import { isTerminal, type JobRecord, type JobState, transition } from './job.js';
import { DEFAULT_POLL_TUNING, type PollObservation, type PollTuning, planNextPoll } from './poll-plan.js';
import { PollScheduler } from './poll-scheduler.js';
import { failureOf, type Transitions } from './transitions.js';

interface Tracked extends PollObservation {
  requestId: string;
  /** The job's model key: its output is parsed by that model. */
  model: string;
  count: number;
  quality: string;
  deadlineAt: number;
  errors: number;
  lastPollAt: number;
}

export class UpstreamTracker {
  readonly #ctx: EngineContext;
  readonly #eta: EtaModel;
  readonly #transitions: Transitions;
  readonly #delivery: DeliveryRunner;
  readonly #tuning: PollTuning;
  readonly #scheduler: PollScheduler;
  readonly #tracked = new Map<string, Tracked>();
  /** POLL_RATE for all processes together (several on Redis); each also paces itself. */
  readonly #sharedPollRate: SharedRate;
  #consecutive429 = 0;

  constructor(ctx: EngineContext, eta: EtaModel, transitions: Transitions, delivery: DeliveryRunner) {
    const { options } = ctx;
    this.#ctx = ctx;
    this.#eta = eta;
    this.#transitions = transitions;
    this.#delivery = delivery;
    this.#tuning = { ...DEFAULT_POLL_TUNING, ...options.tuning };
    this.#sharedPollRate = new SharedRate(options.store, 'runcomfy-polls', options.pollRate);
    this.#scheduler = new PollScheduler({
      concurrency: options.pollConcurrency,
      ratePerSecond: options.pollRate,
      clock: ctx.clock,
      timeScale: options.timeScale ?? 1,
      logger: ctx.log,
      run: (jobId) => this.#poll(jobId),
    });
  }

  /** Jobs followed right now. */
  get size(): number {
    return this.#tracked.size;
  }

  /** Polls under way. */
  get polling(): number {
    return this.#scheduler.inFlight;
  }

  has(jobId: string): boolean {
    return this.#tracked.has(jobId);
  }

  start(): void {
    this.#scheduler.start();
  }

  stop(): Promise<void> {
    return this.#scheduler.stop();
  }

  /** Learned running time for a job's kind (for ETA bars). */
  estimate(job: JobRecord): { meanMs: number; devMs: number } {
    const { count, quality } = setParameters(job);
    return this.#eta.estimate(count, quality, job.model);
  }

  /** Follows a job RunComfy has just accepted: its first status poll comes after the queued base interval. */
  followSubmitted(job: JobRecord, queuedAt: number): void {
    this.#track(job, queuedAt);
    this.#scheduler.schedule(job.id, queuedAt + this.#tuning.queuedBaseMs);
  }

  /** Follows a job found at RunComfy after a restart or an adoption: polled at once. */
  resume(job: JobRecord): void {
    this.#track(job, null);
    this.#scheduler.schedule(job.id, this.#ctx.clock());
  }

  untrack(jobId: string): void {
    this.#tracked.delete(jobId);
    this.#scheduler.unschedule(jobId);
  }

  #track(job: JobRecord, lastQueuedAt: number | null): void {
    const { count, quality } = setParameters(job);
    const phase = job.state === 'fetching' ? 'fetching' : job.state === 'running' ? 'running' : 'queued';
    this.#tracked.set(job.id, {
      phase,
      submittedAt: job.stateTimes.queued ?? job.createdAt,
      lastQueuedAt: lastQueuedAt ?? job.stateTimes.queued ?? null,
      runningSeenAt: job.stateTimes.running ?? null,
      queuePosition: job.queuePosition,
      latePolls: 0,
      requestId: job.requestId!,
      model: job.model,
      count,
      quality,
      deadlineAt: job.deadlineAt,
      errors: 0,
      lastPollAt: this.#ctx.clock(),
    });
  }

  /** One poll of one job; returns when to poll it next (null: no more polls). */
  async #poll(jobId: string): Promise<number | null> {
    const t = this.#tracked.get(jobId);
    if (!t) return null;
    const { clock, signal, options } = this.#ctx;
    const now = clock();
    if (now >= t.deadlineAt) {
      await this.#timeOut(jobId, t);
      return null;
    }
    const endpoint = t.phase === 'queued' ? 'status' : 'result';
    try {
      await this.#sharedPollRate.take(signal);
      const callOptions = { retry: NO_RETRY, timeoutMs: options.pollTimeoutMs ?? 10_000, signal };
      const next =
        endpoint === 'status'
          ? await this.#onStatus(jobId, t, await options.client.status(t.requestId, callOptions))
          : await this.#onResult(
              jobId,
              t,
              await options.client.result(t.requestId, { ...callOptions, includeCost: true }),
            );
      this.#consecutive429 = 0;
      t.errors = 0;
      t.lastPollAt = clock();
      return next === null ? null : Math.min(next, t.deadlineAt);
    } catch (error) {
      return this.#onPollError(jobId, t, error);
    }
  }

  #plan(t: Tracked): number {
    const eta = this.#eta.estimate(t.count, t.quality, t.model);
    return planNextPoll(t, eta, this.#ctx.clock(), this.#tuning).at;
  }

  async #onStatus(jobId: string, t: Tracked, answer: StatusResponse): Promise<number | null> {
    const now = this.#ctx.clock();
    switch (answer.status) {
      case 'in_queue': {
        t.lastQueuedAt = now;
        const position = answer.queue_position ?? null;
        if (position !== t.queuePosition) {
          t.queuePosition = position;
          const job = await this.#ctx.jobs.update(jobId, (j) =>
            isTerminal(j.state) ? j : { ...j, queuePosition: position },
          );
          if (!isTerminal(job.state)) this.#ctx.events.emit('queue', job);
        }
        return this.#plan(t);
      }
      case 'in_progress':
        t.phase = 'running';
        t.runningSeenAt = now;
        if (!(await this.#transitions.move(jobId, 'running', { queuePosition: null }))) return null;
        return this.#plan(t);
      case 'completed':
        t.phase = 'fetching';
        if (!(await this.#transitions.move(jobId, 'fetching', { queuePosition: null }))) return null;
        return now;
      case 'cancelled':
        await this.#transitions.end(jobId, 'cancelled', {});
        return null;
      default:
        this.#ctx
          .jobLog({ id: jobId, requestId: t.requestId })
          .warn({ status: answer.status }, 'unknown RunComfy status; still working');
        return this.#plan(t);
    }
  }

  async #onResult(jobId: string, t: Tracked, answer: ResultResponse): Promise<number | null> {
    const now = this.#ctx.clock();
    switch (answer.status) {
      case 'succeeded':
        return this.#onSucceeded(jobId, t, answer);
      case 'failed':
        await this.#transitions.fail(jobId, {
          code: 'generation_failed',
          detail: 'RunComfy reported the generation as failed',
          params: {},
          upstream: summarise(answer.error),
        });
        return null;
      case 'cancelled':
        await this.#transitions.end(jobId, 'cancelled', {});
        return null;
      case 'in_queue':
        // The result endpoint is only asked once the job ran; a step back is odd but harmless.
        t.lastQueuedAt = now;
        return now + this.#tuning.windowIntervalMs;
      case 'in_progress':
        if (t.phase === 'fetching') return now + this.#tuning.windowIntervalMs; // status ran ahead of result
        if (t.runningSeenAt === null) {
          t.runningSeenAt = now;
          if (!(await this.#transitions.move(jobId, 'running', { queuePosition: null }))) return null;
        }
        if (now > this.#windowEnd(t)) t.latePolls++;
        return this.#plan(t);
      default:
        this.#ctx
          .jobLog({ id: jobId, requestId: t.requestId })
          .warn({ status: answer.status }, 'unknown RunComfy result status; still working');
        return this.#plan(t);
    }
  }

  #windowEnd(t: Tracked): number {
    const eta = this.#eta.estimate(t.count, t.quality, t.model);
    return (t.runningSeenAt ?? this.#ctx.clock()) + eta.meanMs + this.#tuning.windowSigmas * eta.devMs;
  }

  async #onSucceeded(jobId: string, t: Tracked, answer: ResultResponse): Promise<null> {
    let urls: string[];
    try {
      const model = modelFor(t.model);
      urls = model.parseOutput(answer.output, { requested: t.count, allowedHosts: this.#ctx.options.outputHosts }).urls;
    } catch (error) {
      await this.#transitions.fail(jobId, failureOf(error, 'output_malformed'));
      return null;
    }
    this.#learn(t);
    this.untrack(jobId);
    const now = this.#ctx.clock();
    let from = 'running' as JobState;
    const fetching = await this.#ctx.jobs.update(jobId, (job) => {
      if (isTerminal(job.state) || job.state === 'delivering' || job.imageUrls.length > 0) return job;
      from = job.state;
      const patch = { imageUrls: urls, queuePosition: null, ...(answer.cost == null ? {} : { cost: answer.cost }) };
      return job.state === 'fetching' ? { ...job, ...patch, updatedAt: now } : transition(job, 'fetching', now, patch);
    });
    if (fetching.state !== 'fetching') return null;
    if (from !== 'fetching') this.#ctx.events.emit('state', fetching, from);
    this.#ctx.jobLog(fetching).info({ images: urls.length }, 'result ready; copying the images');
    this.#delivery.startCollect(jobId);
    return null;
  }

  /** The set's running time, bracketed by the polls that saw it start and end. */
  #learn(t: Tracked): void {
    const now = this.#ctx.clock();
    const startedLow = t.lastQueuedAt ?? t.submittedAt;
    const startedHigh = t.runningSeenAt ?? now;
    const finished = (t.lastPollAt + now) / 2;
    this.#eta.observe(t.count, t.quality, finished - (startedLow + startedHigh) / 2, t.model);
    void this.#eta.save().catch((error: unknown) => this.#ctx.log.warn({ err: error }, 'could not save ETA model'));
  }

  async #onPollError(jobId: string, t: Tracked, error: unknown): Promise<number | null> {
    const now = this.#ctx.clock();
    if (isAbortError(error) || this.#ctx.signal.aborted) return null;
    if (error instanceof LeaseLostError) {
      this.untrack(jobId);
      return null;
    }
    const log = this.#ctx.jobLog({ id: jobId, requestId: t.requestId });
    if (error instanceof RunComfyRateLimitError) {
      // One 429 pauses every poll of this process until its Retry-After.
      this.#consecutive429++;
      const wait = error.retryAfterMs ?? backoffDelay(this.#consecutive429, ERROR_BACKOFF);
      this.#scheduler.pauseUntil(now + wait);
      return now + wait;
    }
    if (error instanceof RunComfyNotFoundError) {
      log.warn('RunComfy no longer knows the request: expired');
      await this.#transitions.end(jobId, 'expired', { failure: failureOf(error, 'runcomfy_not_found') });
      return null;
    }
    t.errors++;
    const wait = backoffDelay(t.errors, ERROR_BACKOFF);
    log.warn({ err: describeError(error), retryInMs: wait }, 'poll failed');
    return Math.min(now + wait, t.deadlineAt);
  }

  async #timeOut(jobId: string, t: Tracked): Promise<void> {
    const { options, signal } = this.#ctx;
    this.#ctx.jobLog({ id: jobId, requestId: t.requestId }).warn('deadline reached');
    // Nobody will see this set any more: do not let it be charged if it has not started. Only a
    // cancel RunComfy confirms gives the charge back; a running job is billed when it finishes.
    let cancelled = false;
    if (t.phase === 'queued') {
      const answer = await options.client.cancel(t.requestId, { signal }).catch(() => undefined);
      cancelled = answer?.outcome === 'cancelled';
    }
    await this.#transitions.end(jobId, 'timed_out', {
      chargeKept: !cancelled,
      failure: {
        code: 'job_timed_out',
        detail: 'The job passed its deadline',
        params: { minutes: Math.round(options.deadlineMs / 60_000) },
      },
    });
  }
}

/** RunComfy's error, as a line short enough for a record. */
function summarise(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
