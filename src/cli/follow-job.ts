/**
 * Follows one RunComfy request to its end, the way the bot's poller does for many: the status
 * endpoint while queued (it alone has the queue position), the result endpoint once running
 * (the poll that sees completion also brings the output), timed by `planNextPoll`. Every wait
 * takes the caller's AbortSignal (Ctrl-C) and the whole follow has a deadline.
 */

import type { Eta } from '../accounting/eta-model.js';
import {
  DEFAULT_POLL_TUNING,
  type PollEndpoint,
  type PollObservation,
  type PollTuning,
  planNextPoll,
} from '../engine/poll-plan.js';
import { AppError, describeError, isAbortError } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import type { RunComfyClient } from '../runcomfy/client.js';
import { isTransient, RunComfyRateLimitError } from '../runcomfy/errors.js';
import type { ResultResponse, StatusResponse } from '../runcomfy/schemas.js';
import { backoffDelay } from '../util/retry.js';
import { sleep } from '../util/sleep.js';

/**
 * One job with one person watching it: the planner's long first wait (sized for a learned ETA)
 * would leave them staring at a finished job when the CLI's ETA is only the prior, so waits
 * before the completion window are capped at 2 s, as RunComfy's own CLI polls.
 */
export const CLI_POLL_TUNING: PollTuning = { ...DEFAULT_POLL_TUNING, maxWaitMs: 2_000 };

const ERROR_BACKOFF = { maxAttempts: Number.POSITIVE_INFINITY, baseDelayMs: 2_000, maxDelayMs: 30_000 };

export type FollowPhase = 'queued' | 'running' | 'fetching';

export interface FollowProgress {
  phase: FollowPhase;
  /** RunComfy's own word for the state (unknown ones included). */
  status: string;
  queuePosition: number | null;
  /** Learned completion estimate; null while queued or when `eta` was not given. */
  expectedDoneAt: number | null;
}

export interface FollowOptions {
  client: RunComfyClient;
  requestId: string;
  /** When the request was submitted (or when following began, for an older one). */
  submittedAt: number;
  deadlineAt: number;
  signal: AbortSignal;
  /** The expected running time; without it no ETA is shown (polling still adapts). */
  eta?: Eta | undefined;
  clock?: () => number;
  onProgress?: (progress: FollowProgress) => void;
  log?: Logger;
  tuning?: PollTuning;
}

export interface FollowedJob {
  /** A result whose status is `succeeded`. */
  result: ResultResponse;
  /** First time the job was seen running (null if it went straight from queued to done). */
  runningSeenAt: number | null;
  completedSeenAt: number;
}

// With no learned ETA the planner treats the job as due now and tightens its polls gently.
const NO_ETA: Eta = { meanMs: 0, devMs: 0, samples: 0 };

/**
 * Resolves with the succeeded result. Throws AppError `generation_failed`, `job_cancelled`
 * or `job_timed_out` {minutes}; RunComfy errors that are not transient (not found, auth…);
 * AbortedError when `signal` aborts. Transient errors are retried until the deadline.
 */
export async function followJob(options: FollowOptions): Promise<FollowedJob> {
  const clock = options.clock ?? Date.now;
  const log = options.log ?? silentLogger;
  const tuning = options.tuning ?? CLI_POLL_TUNING;
  const eta = options.eta ?? NO_ETA;
  const { requestId, signal } = options;
  const seen: PollObservation = {
    phase: 'queued',
    submittedAt: options.submittedAt,
    lastQueuedAt: null,
    runningSeenAt: null,
    queuePosition: null,
    latePolls: 0,
  };
  let status = 'in_queue';
  let endpoint: PollEndpoint = 'status';
  let failures = 0;

  const report = () =>
    options.onProgress?.({
      phase: seen.phase,
      status,
      queuePosition: seen.phase === 'queued' ? seen.queuePosition : null,
      expectedDoneAt: seen.phase === 'running' && options.eta ? expectedDoneAt(seen, eta) : null,
    });

  const onStatus = (answer: StatusResponse | ResultResponse, now: number) => {
    status = answer.status;
    switch (answer.status) {
      case 'in_queue':
        seen.phase = 'queued';
        seen.lastQueuedAt = now;
        seen.queuePosition = 'queue_position' in answer ? (answer.queue_position ?? null) : seen.queuePosition;
        return;
      case 'in_progress':
        if (seen.phase === 'fetching') return; // the status endpoint ran ahead of the result
        seen.phase = 'running';
        seen.runningSeenAt ??= now;
        seen.queuePosition = null;
        return;
      case 'completed':
        seen.phase = 'fetching';
        seen.queuePosition = null;
        return;
      case 'cancelled':
        throw new AppError('job_cancelled', 'RunComfy reports the request as cancelled', { requestId });
      case 'failed':
        throw new AppError('generation_failed', `RunComfy reports the generation as failed: ${summarise(answer)}`, {
          requestId,
        });
      default:
        // RunComfy and its clients know more states than documented: still working, and logged.
        log.debug({ requestId, status: answer.status }, 'unknown RunComfy status; still working');
    }
  };

  for (;;) {
    let nextAt: number;
    try {
      if (endpoint === 'status') {
        onStatus(await options.client.status(requestId, { signal }), clock());
      } else {
        const answer = await options.client.result(requestId, { signal, includeCost: true });
        const now = clock();
        if (answer.status === 'succeeded') {
          return { result: answer, runningSeenAt: seen.runningSeenAt, completedSeenAt: now };
        }
        onStatus(answer, now);
        if (seen.phase === 'running' && now > windowEnd(seen, eta, tuning)) seen.latePolls++;
      }
      failures = 0;
      report();
      const plan = planNextPoll(seen, eta, clock(), tuning);
      endpoint = plan.endpoint;
      nextAt = plan.at;
    } catch (error) {
      if (isAbortError(error) || !isTransient(error)) throw error;
      failures++;
      const waitMs =
        error instanceof RunComfyRateLimitError && error.retryAfterMs !== undefined
          ? error.retryAfterMs
          : backoffDelay(failures, ERROR_BACKOFF);
      log.warn({ requestId, err: describeError(error), waitMs }, 'poll failed');
      nextAt = clock() + waitMs;
    }
    const now = clock();
    if (now >= options.deadlineAt) {
      const minutes = Math.max(1, Math.round((options.deadlineAt - options.submittedAt) / 60_000));
      throw new AppError('job_timed_out', `Request ${requestId} did not finish before the deadline`, {
        requestId,
        params: { minutes },
      });
    }
    // The last wait ends at the deadline, for one final look.
    await sleep(Math.min(nextAt, options.deadlineAt) - now, signal);
  }
}

function startEstimate(seen: PollObservation): number {
  const earliest = seen.lastQueuedAt ?? seen.submittedAt;
  const latest = seen.runningSeenAt ?? earliest;
  return (earliest + latest) / 2;
}

function expectedDoneAt(seen: PollObservation, eta: Eta): number {
  return Math.round(startEstimate(seen) + eta.meanMs);
}

function windowEnd(seen: PollObservation, eta: Eta, tuning: PollTuning): number {
  return (seen.runningSeenAt ?? seen.submittedAt) + eta.meanMs + tuning.windowSigmas * eta.devMs;
}

function summarise(answer: StatusResponse | ResultResponse): string {
  const error = 'error' in answer ? answer.error : undefined;
  if (error === undefined || error === null) return 'no details';
  const text = typeof error === 'string' ? error : JSON.stringify(error);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
