import { describe, expect, it } from 'vitest';
import { DEFAULT_POLL_TUNING, type PollObservation, planNextPoll } from '../../src/engine/poll-plan.js';

const eta = { meanMs: 20_000, devMs: 1_000, samples: 5 };
const seen = (patch: Partial<PollObservation>): PollObservation => ({
  phase: 'queued',
  submittedAt: 0,
  lastQueuedAt: null,
  runningSeenAt: null,
  queuePosition: null,
  latePolls: 0,
  ...patch,
});

describe('planNextPoll', () => {
  it('polls the status endpoint while queued, less often the further back the job is', () => {
    const near = planNextPoll(seen({ queuePosition: 0 }), eta, 1_000);
    const far = planNextPoll(seen({ queuePosition: 10 }), eta, 1_000);
    const veryFar = planNextPoll(seen({ queuePosition: 500 }), eta, 1_000);
    expect(near).toEqual({ at: 2_000, endpoint: 'status' });
    expect(far.at - 1_000).toBe(6_000);
    expect(veryFar.at - 1_000).toBe(DEFAULT_POLL_TUNING.queuedMaxMs);
  });

  it('waits for the start of the learned completion window once running, then polls the result endpoint', () => {
    // Seen queued at 10 s, running at 11 s: the earliest completion is 10 + 20 − 2·1 = 28 s.
    const first = planNextPoll(seen({ phase: 'running', lastQueuedAt: 10_000, runningSeenAt: 11_000 }), eta, 11_000);
    expect(first).toEqual({ at: 28_000, endpoint: 'result' });
  });

  it('polls tightly inside the window', () => {
    const inWindow = planNextPoll(seen({ phase: 'running', lastQueuedAt: 10_000, runningSeenAt: 11_000 }), eta, 30_000);
    expect(inWindow.at - 30_000).toBe(DEFAULT_POLL_TUNING.windowIntervalMs);
  });

  it('backs off gently, up to a cap, when the job outlives its window', () => {
    const base = seen({ phase: 'running', lastQueuedAt: 10_000, runningSeenAt: 11_000 });
    const intervals = [0, 1, 2, 3, 4, 5, 6].map(
      (latePolls) => planNextPoll({ ...base, latePolls }, eta, 40_000).at - 40_000,
    );
    expect(intervals[0]).toBeGreaterThan(DEFAULT_POLL_TUNING.windowIntervalMs);
    for (let i = 1; i < intervals.length; i++) expect(intervals[i]).toBeGreaterThanOrEqual(intervals[i - 1]!);
    expect(intervals.at(-1)).toBe(DEFAULT_POLL_TUNING.lateMaxMs);
  });

  it('never waits longer than maxWaitMs before the window (a stale ETA cannot starve a job)', () => {
    const slow = { meanMs: 600_000, devMs: 1_000, samples: 5 };
    const plan = planNextPoll(seen({ phase: 'running', lastQueuedAt: 0, runningSeenAt: 1_000 }), slow, 1_000);
    expect(plan.at - 1_000).toBe(DEFAULT_POLL_TUNING.maxWaitMs);
  });

  it('fetches at once when RunComfy said completed', () => {
    expect(planNextPoll(seen({ phase: 'fetching' }), eta, 5_000)).toEqual({ at: 5_000, endpoint: 'result' });
  });
});
