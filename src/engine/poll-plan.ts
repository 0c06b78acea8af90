/**
 * When to look at a job next, and through which endpoint. Pure: the engine feeds it what it
 * has seen and the learned ETA.
 *
 * - Queued: the status endpoint (the only one with queue_position); the interval grows with
 *   the position, since a job far back cannot finish soon.
 * - Running: the result endpoint, which answers the current state until the output exists,
 *   so the poll that sees completion also brings the images (one call, not two). The first
 *   poll comes at the start of the learned completion window (mean − k·deviation, counted
 *   from the earliest moment the job can have started), then polls are tight across the
 *   window, then back off gently if the job outlives it.
 */
import type { Eta } from '../accounting/eta-model.js';

export type PollPhase = 'queued' | 'running' | 'fetching';
export type PollEndpoint = 'status' | 'result';

export interface PollObservation {
  phase: PollPhase;
  submittedAt: number;
  /** Last moment the job was seen waiting in the queue (lower bound of its start). */
  lastQueuedAt: number | null;
  /** First moment it was seen running (upper bound of its start). */
  runningSeenAt: number | null;
  queuePosition: number | null;
  /** Polls made after the completion window closed (drives the late backoff). */
  latePolls: number;
}

export interface PollTuning {
  queuedBaseMs: number;
  queuedPerPositionMs: number;
  queuedMaxMs: number;
  windowIntervalMs: number;
  /** Width of the completion window in deviations either side of the mean. */
  windowSigmas: number;
  /**
   * Where the window ends, in deviations after the mean (default: `windowSigmas`). Polls past
   * the mean are cheap (only jobs still running make them), so the end may reach further than
   * the start to keep the few slow jobs inside the tight polling.
   */
  windowEndSigmas?: number;
  lateMaxMs: number;
  /** Longest single wait before the window, in case the learned ETA is stale. */
  maxWaitMs: number;
}

export const DEFAULT_POLL_TUNING: PollTuning = {
  queuedBaseMs: 1_000,
  queuedPerPositionMs: 500,
  queuedMaxMs: 15_000,
  windowIntervalMs: 700,
  windowSigmas: 2,
  windowEndSigmas: 3,
  lateMaxMs: 5_000,
  maxWaitMs: 30_000,
};

export interface PlannedPoll {
  at: number;
  endpoint: PollEndpoint;
}

export function planNextPoll(
  seen: PollObservation,
  eta: Eta,
  now: number,
  tuning: PollTuning = DEFAULT_POLL_TUNING,
): PlannedPoll {
  if (seen.phase === 'fetching') return { at: now, endpoint: 'result' };
  if (seen.phase === 'queued') {
    const position = seen.queuePosition ?? 1;
    const interval = Math.min(tuning.queuedMaxMs, tuning.queuedBaseMs + tuning.queuedPerPositionMs * position);
    return { at: now + interval, endpoint: 'status' };
  }
  const earliestStart = seen.lastQueuedAt ?? seen.submittedAt;
  const latestStart = seen.runningSeenAt ?? now;
  const windowStart = earliestStart + eta.meanMs - tuning.windowSigmas * eta.devMs;
  const endSigmas = Math.max(tuning.windowSigmas, tuning.windowEndSigmas ?? tuning.windowSigmas);
  const windowEnd = latestStart + eta.meanMs + endSigmas * eta.devMs;
  if (now + tuning.windowIntervalMs < windowStart) {
    return { at: Math.min(windowStart, now + tuning.maxWaitMs), endpoint: 'result' };
  }
  if (now <= windowEnd) return { at: now + tuning.windowIntervalMs, endpoint: 'result' };
  // The caller counts late polls from `windowSigmas`; those made inside the extended end were not late.
  const extended = Math.ceil(((endSigmas - tuning.windowSigmas) * eta.devMs) / tuning.windowIntervalMs);
  const late = Math.max(1, seen.latePolls - extended + 1);
  return { at: now + Math.min(tuning.lateMaxMs, tuning.windowIntervalMs * 1.5 ** late), endpoint: 'result' };
}
