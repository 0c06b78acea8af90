import { describe, expect, it } from 'vitest';
import {
  IllegalTransitionError,
  isTerminal,
  JOB_STATES,
  type JobRecord,
  type JobState,
  newJobId,
  TRANSITIONS,
  transition,
} from '../../src/engine/job.js';
import { jobFixture } from '../helpers/job-fixture.js';

const base: JobRecord = jobFixture({
  id: 'job1',
  state: 'submitted',
  owner: { userId: 'u', guildId: null, channelId: 'c', locale: 'en-US' },
  prompt: 'p',
  input: {
    text: 'Generate 1 image: p',
    sequential_image_generation_options: 1,
    image_size: '2048:2048 (1:1)',
    optimize_prompt_options: 'fast',
    sequential_image_generation: 'auto',
  },
  deadlineAt: 1,
});

const legal: Array<[JobState, JobState]> = [
  ['submitted', 'queued'],
  ['queued', 'running'],
  ['running', 'fetching'],
  ['fetching', 'delivering'],
  ['delivering', 'delivered'],
  ['submitted', 'failed'],
  ['queued', 'cancelled'],
  ['queued', 'fetching'], // RunComfy finished between two polls
  ['running', 'timed_out'],
  ['running', 'expired'],
  ['running', 'cancelled'], // what RunComfy reports wins, even if we never see it queued again
  ['delivering', 'failed'],
  // The bot's own fair queue: sent when a slot is free, or cancelled / failed before that.
  ['waiting', 'submitted'],
  ['waiting', 'cancelled'],
  ['waiting', 'failed'],
];
const illegal: Array<[JobState, JobState]> = [
  ['delivered', 'delivering'],
  ['cancelled', 'queued'],
  ['failed', 'delivered'],
  ['running', 'queued'],
  ['delivering', 'cancelled'],
  ['delivering', 'expired'],
  ['queued', 'delivered'],
  ['submitted', 'delivering'],
  ['timed_out', 'running'],
  ['waiting', 'queued'], // nothing reaches RunComfy without being sent
  ['waiting', 'running'],
  ['waiting', 'delivered'],
  ['submitted', 'waiting'], // once sent, never back to the bot's queue
  ['queued', 'waiting'],
];

describe('job state machine', () => {
  it.each(legal)('allows %s → %s and stamps the time', (from, to) => {
    const moved = transition({ ...base, state: from }, to, 42);
    expect(moved.state).toBe(to);
    expect(moved.stateTimes[to]).toBe(42);
    expect(moved.updatedAt).toBe(42);
  });

  it.each(illegal)('rejects %s → %s with IllegalTransitionError', (from, to) => {
    expect(() => transition({ ...base, state: from }, to, 42)).toThrow(IllegalTransitionError);
  });

  it('has no way out of a terminal state, and every non-terminal state can end', () => {
    for (const state of JOB_STATES) {
      if (isTerminal(state)) expect(TRANSITIONS[state]).toEqual([]);
      else expect(TRANSITIONS[state].some(isTerminal)).toBe(true);
    }
  });

  it('makes short ids safe for custom_ids', () => {
    const ids = new Set(Array.from({ length: 1_000 }, () => newJobId()));
    expect(ids.size).toBe(1_000);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]{10}$/);
  });
});
