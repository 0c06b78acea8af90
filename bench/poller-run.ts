/**
 * One (scenario, poller) run in a child process of poller.bench.ts, so CPU seconds and peak
 * RSS are the poller's own. The emulator lives in the parent. Protocol over IPC: the child
 * says `ready` once its modules are loaded; the parent answers with a `RunOrder` (t0, F, the
 * emulator's URL, the jobs). The virtual clock stands at t0 while the child submits every job;
 * then the child says `submitted`, the parent answers `start` with the real instant t1 from
 * which virtual time runs (for both of them), the child follows each job to its end and
 * answers with a `RunReport`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { JobEngine } from '../src/engine/engine.js';
import { AppError } from '../src/errors.js';
import { buildSeedreamInput } from '../src/models/seedream-sequential/build-input.js';
import { RunComfyClient } from '../src/runcomfy/client.js';
import { ImageSpool } from '../src/store/image-spool.js';
import { openStore } from '../src/store/store.js';
import { realNow, VirtualClock } from './clock.js';
import { followFixed } from './fixed-poller.js';
import { NullSpool } from './null-spool.js';

export type PollerName = 'engine' | 'fixed-0.5s' | 'fixed-2s';

export interface RunOrder {
  type: 'go';
  poller: PollerName;
  url: string;
  token: string;
  t0: number;
  factor: number;
  counts: number[];
  pollConcurrency: number;
  pollRate: number;
  download: boolean;
  /** Give up after this much virtual time. */
  limitMs: number;
}

export interface RunReport {
  type: 'done';
  poller: PollerName;
  finished: number;
  outcomes: Record<string, number>;
  submitFailures: number;
  /** The first submit failure, if any. */
  submitError?: string;
  /** CPU of the polling phase (from t1 to the last job's end), seconds. */
  cpuUserS: number;
  cpuSystemS: number;
  /** CPU of submitting every job (clock held at t0), seconds. */
  submitCpuS: number;
  /** Real ms the submits took (virtual time stood still meanwhile). */
  submitRealMs: number;
  /** Peak RSS of the whole child process (ru_maxrss), MB. */
  peakRssMb: number;
  /** RSS when the order arrived (modules loaded, nothing submitted yet), MB. */
  startRssMb: number;
  /** Real ms from t1 to the last job's end. */
  realMs: number;
  /** Virtual ms from t0 to the last job's end. */
  virtualMs: number;
  /** Event-loop delay of the child during the polling phase, real ms. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** With BENCH_TRACE=1 (engine only): every running time the engine fed its ETA model, virtual ms. */
  observed?: Array<{ at: number; count: number; durationMs: number }>;
  /** The engine's learned running time per image count at the end (engine only). */
  eta?: Record<string, { meanMs: number; devMs: number; samples: number }>;
}

const MODEL_ID = 'bytedance/seedream-4-0/sequential';
/**
 * Submits in flight at once. All jobs are submitted at t0 as fast as they go, but not as 1,000
 * simultaneous promise chains: those would hold the event loop for seconds (the engine's submit
 * writes several store records) and starve the polls of the jobs already submitted.
 */
const SUBMIT_CONCURRENCY = 25;

/** Runs `task` for every item, at most `limit` at a time. */
async function eachLimited<T>(
  items: T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
const PROMPT = 'a lighthouse at dusk';
const MB = 1024 * 1024;

function client(order: RunOrder): RunComfyClient {
  return new RunComfyClient({
    baseUrl: order.url,
    token: order.token,
    timeoutMs: 10_000,
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  });
}

function describeError(error: unknown): string {
  if (error instanceof AppError) return JSON.stringify(error.toLog());
  return error instanceof Error ? error.message : String(error);
}

function inputOf(count: number) {
  return buildSeedreamInput({ prompt: PROMPT, count, quality: 'fast', aspect: '1:1' });
}

interface Outcome {
  finished: number;
  outcomes: Record<string, number>;
  submitFailures: number;
  submitError?: string;
  eta?: RunReport['eta'];
  observed?: RunReport['observed'];
}

/** Ends the submit phase: asks the parent for t1, starts virtual time; resolves at t1 with the deadline. */
type Release = () => Promise<{ deadline: Promise<void> }>;

async function runEngine(order: RunOrder, clock: VirtualClock, release: Release): Promise<Outcome> {
  const store = await openStore({ url: 'memory://' });
  const api = client(order);
  const spoolDir = order.download ? mkdtempSync(join(tmpdir(), 'poller-bench-spool-')) : undefined;
  const spool = spoolDir
    ? new ImageSpool({ directory: spoolDir, maxBytesPerImage: 64 * MB, timeoutMs: 30_000 })
    : new NullSpool();
  const engine = new JobEngine({
    store,
    client: api,
    deliverer: { deliver: async () => undefined },
    spool,
    outputHosts: ['127.0.0.1'],
    deadlineMs: 30 * 60_000,
    limits: { activePerUser: 2 },
    pollConcurrency: order.pollConcurrency,
    pollRate: order.pollRate,
    clock: clock.now,
    timeScale: clock.factor,
  });
  await engine.start();
  const observed: NonNullable<RunReport['observed']> = [];
  if (process.env['BENCH_TRACE']) {
    const observe = engine.eta.observe.bind(engine.eta);
    engine.eta.observe = (count, quality, durationMs) => {
      observed.push({ at: clock.now() - order.t0, count, durationMs });
      observe(count, quality, durationMs);
    };
  }
  const outcomes: Record<string, number> = {};
  let finished = 0;
  let allEnded!: () => void;
  const ended = new Promise<void>((resolve) => {
    allEnded = resolve;
  });
  engine.on('ended', (job) => {
    outcomes[job.state] = (outcomes[job.state] ?? 0) + 1;
    finished++;
    if (finished === order.counts.length) allEnded();
  });
  let submitFailures = 0;
  let submitError: string | undefined;
  await eachLimited(order.counts, SUBMIT_CONCURRENCY, (count, i) =>
    engine
      .submit({
        // One user and one server per job: the per-user and per-server active indexes stay small, as in
        // real use (each submit reads its server's active jobs, so one server with every job would be O(n²)).
        owner: { userId: `u${i}`, guildId: `g${i}`, channelId: `c${i}`, locale: 'en-US' },
        prompt: PROMPT,
        input: inputOf(count),
      })
      .then(
        () => undefined,
        (error: unknown) => {
          submitFailures++;
          submitError ??= describeError(error);
        },
      ),
  );
  if (submitFailures === order.counts.length) allEnded();
  const { deadline } = await release();
  await Promise.race([ended, deadline]);
  const eta: NonNullable<RunReport['eta']> = {};
  for (const count of new Set(order.counts)) eta[String(count)] = engine.eta.estimate(count, 'fast');
  await engine.stop();
  await api.close();
  await store.close();
  if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
  return {
    finished,
    outcomes,
    submitFailures,
    ...(submitError && { submitError }),
    eta,
    ...(observed.length > 0 && { observed }),
  };
}

async function runFixed(order: RunOrder, clock: VirtualClock, release: Release): Promise<Outcome> {
  const api = client(order);
  const intervalMs = order.poller === 'fixed-0.5s' ? 500 : 2_000;
  const outcomes: Record<string, number> = {};
  let finished = 0;
  let submitFailures = 0;
  let submitError: string | undefined;
  const requestIds: string[] = [];
  await eachLimited(order.counts, SUBMIT_CONCURRENCY, async (count) => {
    try {
      requestIds.push((await api.submit(MODEL_ID, inputOf(count))).request_id);
    } catch (error) {
      submitFailures++;
      submitError ??= describeError(error);
    }
  });
  const { deadline } = await release();
  const follows = requestIds.map((requestId) =>
    followFixed(api, clock, requestId, intervalMs).then((outcome) => {
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      finished++;
    }),
  );
  await Promise.race([Promise.all(follows), deadline]);
  await api.close();
  return { finished, outcomes, submitFailures, ...(submitError && { submitError }) };
}

process.once('message', async (order: RunOrder) => {
  const clock = new VirtualClock(order.t0, order.factor);
  // The engine's timer is unref'd and the IPC channel unrefs once no 'message' listener is left.
  const keepAlive = setInterval(() => undefined, 60_000);
  const startRssMb = process.memoryUsage().rss / MB;
  const submitCpu = process.cpuUsage();
  const submitStartedAt = realNow();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  let pollCpu = submitCpu;
  let submitCpuS = 0;
  let submitRealMs = 0;
  let t1 = 0;
  const release: Release = async () => {
    const used = process.cpuUsage(submitCpu);
    submitCpuS = (used.user + used.system) / 1e6;
    submitRealMs = realNow() - submitStartedAt;
    const start = new Promise<number>((resolve) => {
      process.once('message', (message: { type?: string; t1?: number }) => {
        if (message.type === 'start' && message.t1 !== undefined) resolve(message.t1);
      });
    });
    process.send?.({ type: 'submitted' });
    t1 = await start;
    clock.release(t1);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, t1 - realNow())));
    pollCpu = process.cpuUsage();
    delay.enable();
    return { deadline: new Promise<void>((resolve) => setTimeout(resolve, clock.toReal(order.limitMs)).unref()) };
  };
  const outcome =
    order.poller === 'engine' ? await runEngine(order, clock, release) : await runFixed(order, clock, release);
  const used = process.cpuUsage(pollCpu);
  delay.disable();
  const report: RunReport = {
    type: 'done',
    poller: order.poller,
    ...outcome,
    cpuUserS: used.user / 1e6,
    cpuSystemS: used.system / 1e6,
    submitCpuS,
    submitRealMs,
    peakRssMb: (process.resourceUsage().maxRSS * 1024) / MB,
    startRssMb,
    realMs: realNow() - t1,
    virtualMs: clock.now() - order.t0,
    loopDelayP99Ms: delay.percentile(99) / 1e6,
    loopDelayMaxMs: delay.max / 1e6,
  };
  clearInterval(keepAlive);
  process.send?.(report, () => process.exit(0));
});

process.send?.({ type: 'ready' });
