/**
 * The progress line of `seedream generate`, on stderr so stdout carries only the result.
 * On a terminal one line is rewritten in place (`\r`, cleared to the end, cut to the width so
 * it never wraps); elsewhere (CI logs, pipes) a plain line is written when the phase changes
 * and now and then while it does not, so logs stay short. Rendering is pure and tested alone.
 */

export type ProgressPhase = 'submitting' | 'queued' | 'running' | 'fetching' | 'downloading';

export interface ProgressState {
  phase: ProgressPhase;
  /** When the command started waiting (the submit), for "elapsed". */
  startedAt: number;
  queuePosition: number | null;
  /** Expected completion (learned ETA); null when unknown. */
  expectedDoneAt: number | null;
  /** Images asked for; shown while generating. */
  count: number | null;
  /** Download progress. */
  downloaded: number;
  total: number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** 7 s → "0:07", 125 s → "2:05", 3725 s → "1:02:05". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** The words of the line, without spinner or terminal control characters. */
export function describeProgress(state: ProgressState, now: number): string {
  const elapsed = `${formatDuration(now - state.startedAt)} elapsed`;
  switch (state.phase) {
    case 'submitting':
      return 'Submitting to RunComfy…';
    case 'queued':
      return `Queued${state.queuePosition === null ? '' : ` (position ${state.queuePosition})`} · ${elapsed}`;
    case 'running': {
      const what = state.count === null ? 'Generating' : `Generating ${state.count} ${plural(state.count, 'image')}`;
      return `${what} · ${elapsed} · ${describeEta(state.expectedDoneAt, now)}`.replace(/ · $/, '');
    }
    case 'fetching':
      return `Finished · fetching the result · ${elapsed}`;
    case 'downloading':
      return `Downloading ${state.downloaded}/${state.total} · ${elapsed}`;
  }
}

function describeEta(expectedDoneAt: number | null, now: number): string {
  if (expectedDoneAt === null) return '';
  const remaining = expectedDoneAt - now;
  // Past the estimate the countdown would lie: say so instead of showing 0:00 forever.
  return remaining > 0 ? `ETA ~${formatDuration(remaining)}` : 'taking longer than usual';
}

/** One terminal frame: spinner, words, cut to `columns - 1` so the line never wraps. */
export function renderTerminalLine(state: ProgressState, now: number, frame: number, columns = 80): string {
  const line = `${SPINNER[frame % SPINNER.length]} ${describeProgress(state, now)}`;
  // A pseudo-terminal may report 0 columns: assume the classic 80 then.
  const width = columns >= 20 ? columns - 1 : 79;
  return [...line].length > width ? `${[...line].slice(0, width - 1).join('')}…` : line;
}

export interface ProgressWriter {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressReporterOptions {
  output: ProgressWriter;
  /** false: report nothing (--quiet). */
  enabled?: boolean;
  clock?: () => number;
  /** Terminal redraw interval (spinner, elapsed time). */
  redrawMs?: number;
  /** Off a terminal: repeat an unchanged phase at most this often. */
  plainEveryMs?: number;
}

const CLEAR_LINE = '\r\x1b[2K';

export class ProgressReporter {
  readonly #output: ProgressWriter;
  readonly #enabled: boolean;
  readonly #tty: boolean;
  readonly #clock: () => number;
  readonly #plainEveryMs: number;
  readonly #redrawMs: number;
  #state: ProgressState;
  #frame = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #drawn = false;
  #lastPlain: { key: string; at: number } | undefined;

  constructor(options: ProgressReporterOptions) {
    this.#output = options.output;
    this.#enabled = options.enabled ?? true;
    this.#tty = options.output.isTTY === true;
    this.#clock = options.clock ?? Date.now;
    this.#plainEveryMs = options.plainEveryMs ?? 15_000;
    this.#redrawMs = options.redrawMs ?? 120;
    this.#state = {
      phase: 'submitting',
      startedAt: this.#clock(),
      queuePosition: null,
      expectedDoneAt: null,
      count: null,
      downloaded: 0,
      total: 0,
    };
  }

  get state(): Readonly<ProgressState> {
    return this.#state;
  }

  update(change: Partial<ProgressState>): void {
    this.#state = { ...this.#state, ...change };
    if (!this.#enabled) return;
    if (this.#tty) {
      // The spinner and the elapsed time move on their own between updates.
      this.#timer ??= setInterval(() => this.#draw(), this.#redrawMs);
      this.#timer.unref?.();
      this.#draw();
      return;
    }
    this.#plain();
  }

  /** A permanent line (a warning, "submitted as …") printed above the progress line. */
  note(text: string): void {
    if (!this.#enabled) return;
    if (this.#tty && this.#drawn) {
      this.#output.write(`${CLEAR_LINE}${text}\n`);
      this.#draw();
      return;
    }
    this.#output.write(`${text}\n`);
  }

  /** Removes the line (terminal) and stops redrawing; call before printing results or errors. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#tty && this.#drawn) this.#output.write(CLEAR_LINE);
    this.#drawn = false;
  }

  #draw(): void {
    const line = renderTerminalLine(this.#state, this.#clock(), this.#frame++, this.#output.columns ?? 80);
    this.#output.write(`${CLEAR_LINE}${line}`);
    this.#drawn = true;
  }

  #plain(): void {
    const now = this.#clock();
    // Queue position and download counts change often: only the phase makes a new line at once,
    // and the end of the downloads (else the log's last word would be "Downloading 0/3").
    const { phase, downloaded, total } = this.#state;
    const key = phase === 'downloading' && total > 0 && downloaded >= total ? 'downloaded' : phase;
    const last = this.#lastPlain;
    if (last && last.key === key && now - last.at < this.#plainEveryMs) return;
    this.#lastPlain = { key, at: now };
    this.#output.write(`${describeProgress(this.#state, now)}\n`);
  }
}

export function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}
