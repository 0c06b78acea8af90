/**
 * What the Discord benchmark's parent (bench/discord.bench.ts) and its two children
 * (bench/discord-bot-run.ts, bench/discord-baseline-run.ts) share: the IPC messages, the clock,
 * and small helpers. Times that cross processes are epoch ms from `epochNow()`
 * (`performance.timeOrigin + performance.now()`: sub-millisecond, monotonic within a process,
 * on the wall-clock scale in every process), but every figure the benchmark judges is taken
 * with both ends in the parent.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Event-loop delay of this process since the last `reset()`. */
export function loopDelayMonitor(): { reset(): void; read(): LoopDelay } {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const ms = (ns: number) => Math.round(ns / 1e5) / 10;
  return {
    reset: () => histogram.reset(),
    read: () => ({ p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) }),
  };
}

/**
 * The garbage collections of this process (main thread), kept for a minute: `msWithin(from,
 * to)` is the pause time that fell inside an epoch window (a delivery, a baseline run).
 */
export function gcRecorder(): { msWithin(from: number, to: number): number } {
  const pauses: Array<{ at: number; ms: number }> = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      pauses.push({ at: performance.timeOrigin + entry.startTime, ms: entry.duration });
    const horizon = epochNow() - 60_000;
    while (pauses.length > 0 && pauses[0]!.at < horizon) pauses.shift();
  }).observe({ entryTypes: ['gc'] });
  return {
    msWithin: (from, to) =>
      Math.round(pauses.filter((p) => p.at >= from && p.at < to).reduce((sum, p) => sum + p.ms, 0) * 10) / 10,
  };
}

/** Peak RSS of this process (`getrusage` ru_maxrss), in KB. */
export function peakRssKb(): number {
  return process.resourceUsage().maxRSS;
}

// ——— the bot child ———

export interface BotStartOrder {
  type: 'start';
  env: Record<string, string>;
  /** Report engine state changes (with epoch times) over IPC. */
  trace: boolean;
}

export interface BotJobOrder {
  type: 'job';
  jobId: string;
  /** An epoch window whose garbage-collection pauses to report (`gcMs`). */
  window?: [number, number];
}

export type BotOrder = BotStartOrder | BotJobOrder | { type: 'mark' } | { type: 'measure' } | { type: 'stop' };

/** Event-loop delay (ms) over a window, from `monitorEventLoopDelay`. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

/** What the bot did between `mark` and `measure`. */
export interface BotMeasure {
  type: 'measure';
  cpuMs: number;
  loopDelay: LoopDelay;
  /** Interaction id → epoch ms discord.js emitted `interactionCreate` for it. */
  received: Record<string, number>;
}

export interface BotStateEvent {
  type: 'state';
  jobId: string;
  state: string;
  from: string;
  at: number;
  /** On a terminal state: the bot's CPU ms (all threads) since the job entered `fetching`. */
  cpuMs?: number;
}

export interface BotJobAnswer {
  type: 'job';
  jobId: string;
  /** The bot's GC pause ms inside the order's window. */
  gcMs?: number;
  /** The stored JobRecord (JSON), or null. */
  job: {
    state: string;
    requestId?: string;
    imageUrls: string[];
    stateTimes: Record<string, number>;
    delivery: Record<string, { state: string; startedAt?: number; doneAt?: number; attempts?: number }>;
  } | null;
}

export interface ChildStopped {
  type: 'stopped';
  maxRssKb: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  logLines: { total: number; warn: number; error: number; samples: string[] };
}

export type BotMessage =
  | { type: 'alive' }
  | { type: 'ready'; at: number }
  | BotStateEvent
  | BotJobAnswer
  | BotMeasure
  | ChildStopped
  | { type: 'error'; message: string };

// ——— the baseline child ———

export interface BaselineInitOrder {
  type: 'init';
  apiUrl: string;
  token: string;
}

export interface BaselineRunOrder {
  type: 'run';
  tag: string;
  urls: string[];
  channelId: string;
  encoder: BaselineEncoder;
}

/**
 * How a baseline holds and sends the files: `discordjs` downloads each into one buffer and
 * sends them as discord.js does (`files`: one Blob per file in a FormData, streamed by undici);
 * `buffer` downloads the same way and sends one multipart buffer (what discord.js makes of a
 * pass-through body); `pieces` keeps each download's chunks and sends them as they are, with
 * the bot's own request function (src/discord/multipart.ts): the least copying there is.
 */
export const BASELINE_ENCODERS = ['discordjs', 'buffer', 'pieces'] as const;
export type BaselineEncoder = (typeof BASELINE_ENCODERS)[number];

export const BASELINE_LABELS: Record<BaselineEncoder, string> = {
  discordjs: 'files as discord.js sends them (a Blob each in a FormData)',
  buffer: 'one multipart buffer',
  pieces: "download chunks sent as they are (the bot's transport)",
};

export type BaselineOrder = BaselineInitOrder | BaselineRunOrder | { type: 'stop' };

export interface BaselinePost {
  files: number;
  bytes: number;
  startedAt: number;
  endedAt: number;
}

export interface BaselineDone {
  type: 'done';
  tag: string;
  startedAt: number;
  downloadedAt: number;
  endedAt: number;
  bytes: number;
  posts: BaselinePost[];
  /** CPU ms of the baseline process (all threads) for the run. */
  cpuMs: number;
  /** Its GC pause ms during the run. */
  gcMs: number;
}

export type BaselineMessage = { type: 'alive' } | { type: 'ready' } | BaselineDone | ChildStopped;

// ——— children ———

const here = dirname(fileURLToPath(import.meta.url));

/** A child running `script` under tsx, resolved once it has loaded its modules and says `alive`. */
export function startChild(script: string): Promise<ChildProcess> {
  // BENCH_CHILD_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") is passed to every child, for profiling.
  const extra = process.env['BENCH_CHILD_ARGS']?.split(' ').filter(Boolean) ?? [];
  const child = fork(join(here, script), [], {
    execArgv: ['--import', 'tsx', ...extra],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${script} exited with ${code} before it was ready`));
    child.once('message', (message: { type?: string }) => {
      child.off('exit', onExit);
      if (message.type === 'alive') resolve(child);
      else reject(new Error(`unexpected first message from ${script}: ${JSON.stringify(message)}`));
    });
    child.once('exit', onExit);
  });
}

/** Resolves with the next message from `child` that `pick` accepts; rejects after `timeoutMs` or on exit. */
export function nextMessage<T>(
  child: ChildProcess,
  pick: (message: unknown) => T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      const value = pick(message);
      if (value === undefined) return;
      cleanup();
      resolve(value);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`child exited with ${code} while waiting for ${what}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Asks a child to stop and returns its last report (peak RSS…); kills it if it does not answer. */
export async function stopChild(child: ChildProcess, timeoutMs = 15_000): Promise<ChildStopped | undefined> {
  const report = nextMessage(
    child,
    (m) => ((m as { type?: string }).type === 'stopped' ? (m as ChildStopped) : undefined),
    timeoutMs,
    'the stop report',
  );
  child.send({ type: 'stop' });
  try {
    return await report;
  } catch {
    child.kill('SIGKILL');
    return undefined;
  } finally {
    if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  }
}

/** The stop report every child sends before it exits. */
export function stoppedReport(log: ChildStopped['logLines']): ChildStopped {
  const cpu = process.cpuUsage();
  return {
    type: 'stopped',
    maxRssKb: peakRssKb(),
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    logLines: log,
  };
}
