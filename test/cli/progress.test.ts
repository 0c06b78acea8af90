import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  describeProgress,
  formatDuration,
  ProgressReporter,
  type ProgressState,
  renderTerminalLine,
} from '../../src/cli/progress.js';

const base: ProgressState = {
  phase: 'queued',
  startedAt: 1_000_000,
  queuePosition: null,
  expectedDoneAt: null,
  count: 3,
  downloaded: 0,
  total: 0,
};

describe('formatDuration', () => {
  it('reads like a clock', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(7_400)).toBe('0:07');
    expect(formatDuration(125_000)).toBe('2:05');
    expect(formatDuration(3_725_000)).toBe('1:02:05');
    expect(formatDuration(-5_000)).toBe('0:00');
  });
});

describe('describeProgress', () => {
  const now = base.startedAt + 12_000;

  it('shows the queue position and elapsed time while queued', () => {
    expect(describeProgress({ ...base, queuePosition: 3 }, now)).toBe('Queued (position 3) · 0:12 elapsed');
    expect(describeProgress(base, now)).toBe('Queued · 0:12 elapsed');
  });

  it('counts down to the expected end while generating, and owns up when it is late', () => {
    const running = { ...base, phase: 'running' as const, expectedDoneAt: now + 14_000 };
    expect(describeProgress(running, now)).toBe('Generating 3 images · 0:12 elapsed · ETA ~0:14');
    expect(describeProgress({ ...running, expectedDoneAt: now - 1 }, now)).toBe(
      'Generating 3 images · 0:12 elapsed · taking longer than usual',
    );
    expect(describeProgress({ ...running, count: 1, expectedDoneAt: null }, now)).toBe(
      'Generating 1 image · 0:12 elapsed',
    );
  });

  it('describes submitting, fetching and downloading', () => {
    expect(describeProgress({ ...base, phase: 'submitting' }, now)).toBe('Submitting to RunComfy…');
    expect(describeProgress({ ...base, phase: 'fetching' }, now)).toBe('Finished · fetching the result · 0:12 elapsed');
    expect(describeProgress({ ...base, phase: 'downloading', downloaded: 2, total: 3 }, now)).toBe(
      'Downloading 2/3 · 0:12 elapsed',
    );
  });
});

describe('renderTerminalLine', () => {
  it('puts a spinner frame first and never wraps', () => {
    const state = { ...base, queuePosition: 12 };
    const wide = renderTerminalLine(state, base.startedAt, 0, 120);
    expect(wide).toBe('⠋ Queued (position 12) · 0:00 elapsed');
    expect(renderTerminalLine(state, base.startedAt, 1, 120).startsWith('⠙ ')).toBe(true);
    const narrow = renderTerminalLine(state, base.startedAt, 0, 24);
    expect([...narrow]).toHaveLength(23);
    expect(narrow.endsWith('…')).toBe(true);
    // A pseudo-terminal that reports no width gets 80 columns.
    expect(renderTerminalLine(state, base.startedAt, 0, 0)).toBe(wide);
  });
});

describe('ProgressReporter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function recorder(isTTY: boolean) {
    const chunks: string[] = [];
    return { chunks, output: { isTTY, columns: 80, write: (chunk: string) => chunks.push(chunk) } };
  }

  it('on a terminal rewrites one line in place and clears it when stopped', () => {
    let now = 0;
    const { chunks, output } = recorder(true);
    const progress = new ProgressReporter({ output, clock: () => now, redrawMs: 60_000 });
    progress.update({ phase: 'queued', queuePosition: 2, count: 3 });
    now = 3_000;
    progress.update({ phase: 'running', expectedDoneAt: 10_000 });
    progress.note('Submitted as request abc');
    progress.stop();
    expect(chunks).toEqual([
      '\r\x1b[2K⠋ Queued (position 2) · 0:00 elapsed',
      '\r\x1b[2K⠙ Generating 3 images · 0:03 elapsed · ETA ~0:07',
      '\r\x1b[2KSubmitted as request abc\n',
      '\r\x1b[2K⠹ Generating 3 images · 0:03 elapsed · ETA ~0:07',
      '\r\x1b[2K',
    ]);
    expect(chunks.join('')).not.toContain('\n⠋');
  });

  it('redraws on its own so the elapsed time moves between polls', () => {
    vi.useFakeTimers();
    let now = 0;
    const { chunks, output } = recorder(true);
    const progress = new ProgressReporter({ output, clock: () => now, redrawMs: 100 });
    progress.update({ phase: 'queued' });
    now = 2_000;
    vi.advanceTimersByTime(100);
    progress.stop();
    vi.advanceTimersByTime(1_000);
    expect(chunks.at(-2)).toContain('0:02 elapsed');
    expect(chunks.at(-1)).toBe('\r\x1b[2K');
  });

  it('off a terminal writes a plain line per phase, and repeats one only now and then', () => {
    let now = 0;
    const { chunks, output } = recorder(false);
    const progress = new ProgressReporter({ output, clock: () => now, plainEveryMs: 15_000 });
    progress.update({ phase: 'queued', queuePosition: 5 });
    for (let i = 1; i <= 10; i++) {
      now = i * 1_000;
      progress.update({ queuePosition: 5 - (i % 5) });
    }
    now = 16_000;
    progress.update({ queuePosition: 1 });
    progress.update({ phase: 'running' });
    progress.stop();
    expect(chunks).toEqual([
      'Queued (position 5) · 0:00 elapsed\n',
      'Queued (position 1) · 0:16 elapsed\n',
      'Generating · 0:16 elapsed\n',
    ]);
  });

  it('off a terminal, the downloads end on a line with every image counted', () => {
    let now = 0;
    const { chunks, output } = recorder(false);
    const progress = new ProgressReporter({ output, clock: () => now });
    progress.update({ phase: 'downloading', downloaded: 0, total: 3 });
    for (let done = 1; done <= 3; done++) {
      now = done * 100;
      progress.update({ downloaded: done });
    }
    progress.stop();
    expect(chunks).toEqual(['Downloading 0/3 · 0:00 elapsed\n', 'Downloading 3/3 · 0:00 elapsed\n']);
  });

  it('says nothing when disabled (--quiet)', () => {
    const { chunks, output } = recorder(true);
    const progress = new ProgressReporter({ output, enabled: false });
    progress.update({ phase: 'running' });
    progress.note('hello');
    progress.stop();
    expect(chunks).toEqual([]);
  });
});
