/** When the status card is edited: fake timers and a recording API, the real CardUpdater. */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CardUpdater } from '../../src/discord/card-updater.js';
import type { DiscordApi } from '../../src/discord/discord-api.js';
import type { CardMessage } from '../../src/discord/status-card.js';
import type { JobEngine } from '../../src/engine/engine.js';
import type { JobRecord } from '../../src/engine/job.js';
import { silentLogger } from '../../src/log.js';
import { jobFixture } from '../helpers/job-fixture.js';

const ETA_MS = 60_000;

function setup(initial: JobRecord) {
  let job = initial;
  const engine = Object.assign(new EventEmitter(), {
    get: async () => job,
    estimate: () => ({ meanMs: ETA_MS, devMs: 0 }),
    setSurface: async () => job,
  });
  const edits: Array<{ at: number; status: string }> = [];
  const api = {
    editCard: async (_job: JobRecord, card: CardMessage) => {
      edits.push({ at: Date.now(), status: card.embeds[0]!.fields!.at(-1)!.value });
    },
  };
  const cards = new CardUpdater(engine as unknown as JobEngine, api as unknown as DiscordApi, silentLogger, {
    minIntervalMs: 5_000,
    stateIntervalMs: 1_000,
  });
  const emit = (event: 'state' | 'queue', next: JobRecord) => {
    job = next;
    engine.emit(event, next, 'submitted');
  };
  return { edits, cards, emit };
}

const bar = (status: string) => /▰*▱*/u.exec(status)![0];

afterEach(() => {
  vi.useRealTimers();
});

describe('card edits', () => {
  it('while running, the ETA bar advances from one edit to the next, about every tenth of the ETA', async () => {
    vi.useFakeTimers({ now: 0 });
    const running = jobFixture({
      state: 'running',
      stateTimes: { submitted: 0, running: 0 },
      surface: { cardMessageId: 'm' },
    });
    const { edits, cards, emit } = setup(running);
    emit('state', running);
    await vi.advanceTimersByTimeAsync(70_000);
    cards.stop();
    const bars = edits.map((e) => [...bar(e.status)].filter((c) => c === '▰').length);
    // One edit on the state change, then one per cell until the bar stops at 95 %.
    expect(edits.map((e) => e.at)).toEqual(
      [1_000, 7_000, 13_000, 19_000, 25_000, 31_000, 37_000, 43_000, 49_000, 55_000, 61_000].slice(0, edits.length),
    );
    expect(bars).toEqual([...bars].sort((a, b) => a - b));
    expect(new Set(bars).size).toBeGreaterThanOrEqual(8);
    expect(edits.length).toBeLessThanOrEqual(11);
  });

  it('the first queue position is shown at once, not after the 5 s spacing of ordinary edits', async () => {
    vi.useFakeTimers({ now: 0 });
    const queued = jobFixture({ state: 'queued', surface: { cardMessageId: 'm' } });
    const { edits, cards, emit } = setup(queued);
    emit('state', queued);
    await vi.advanceTimersByTimeAsync(1_200);
    emit('queue', { ...queued, queuePosition: 4 });
    await vi.advanceTimersByTimeAsync(1_100);
    expect(edits.map((e) => e.status)).toEqual(['In the queue.', 'In the queue — position 4.']);
    // Later moves of the queue wait their turn.
    emit('queue', { ...queued, queuePosition: 3 });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(edits).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(edits.at(-1)?.status).toBe('In the queue — position 3.');
    cards.stop();
  });
});
