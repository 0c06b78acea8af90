/**
 * Poller benchmark (issue 3): `npm run bench:poller [-- options]`.
 *
 * 1,000 concurrent Seedream jobs on the RunComfy emulator, followed by three pollers, each in
 * its own child process (bench/poller-run.ts) so that CPU seconds and peak RSS are that
 * poller's alone; the emulator (and in scenario b the rate gate) runs here in the parent.
 *   engine      this project's JobEngine (adaptive plan, one scheduler, AIMD + Retry-After pause)
 *   fixed-0.5s  what the fal.ai and Replicate JS clients do
 *   fixed-2s    what RunComfy's CLI does
 * Scenario a: no rate limit. Scenario b: 20 requests/s on the polling routes, 429 + Retry-After
 * beyond that (bench/rate-gate.ts). Time runs F× faster than real time (virtual clock shared by
 * the emulator, the engine and the baselines); latencies are in virtual ms.
 * Then the memory point (bench/memory-run.ts): RSS added by 10,000 tracked jobs.
 *
 * Options: --factor F (1.5 in a, 3 in b; sets both)  --factor-b F (b only)  --jobs N (1000)  --seed S (1)  --scenarios a,b  --pollers engine,fixed-0.5s,fixed-2s
 *          --rate R (20, scenario b)  --poll-concurrency C (64)  --poll-rate R (500)
 *          --memory-jobs M (10000; 0 skips)  --download (engine copies the images)  --out FILE
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type EmulatedJobView, type RecordedCall, startRunComfyEmulator } from '../src/emulators/runcomfy/index.js';
import { realNow, VirtualClock } from './clock.js';
import type { MemoryOrder, MemoryReport } from './memory-run.js';
import type { PollerName, RunOrder, RunReport } from './poller-run.js';
import { startRateGate } from './rate-gate.js';
import {
  MAX_COUNT,
  makeWorkload,
  QUEUE_MAX_MS,
  RUN_BASE_MS,
  RUN_NOISE,
  RUN_PER_IMAGE_MS,
  runMsOf,
} from './workload.js';

const here = dirname(fileURLToPath(import.meta.url));

const { values: args } = parseArgs({
  options: {
    factor: { type: 'string' },
    'factor-b': { type: 'string' },
    jobs: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    scenarios: { type: 'string', default: 'a,b' },
    pollers: { type: 'string', default: 'engine,fixed-0.5s,fixed-2s' },
    rate: { type: 'string', default: '20' },
    'poll-concurrency': { type: 'string', default: '64' },
    'poll-rate': { type: 'string', default: '500' },
    'memory-jobs': { type: 'string', default: '10000' },
    'memory-dir': { type: 'string' },
    download: { type: 'boolean', default: false },
    detail: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});

/**
 * Time compression per scenario (`--factor` sets both, `--factor-b` b alone). a measures
 * sub-second latencies and real delays (event loop, round trips, waiting for a CPU on a busy
 * machine) count F×, so a compresses little: 1.5. b's latencies are tens of seconds and its
 * baselines run for 150 virtual seconds: 3 keeps the whole benchmark under 10 minutes.
 */
const F_A = Number(args.factor ?? '1.5');
const F_B = Number(args['factor-b'] ?? args.factor ?? '3');
const factorOf = (scenario: Scenario) => (scenario === 'a' ? F_A : F_B);
const N = Number(args.jobs);
const SEED = Number(args.seed);
const RATE = Number(args.rate);
const POLL_CONCURRENCY = Number(args['poll-concurrency']);
const POLL_RATE = Number(args['poll-rate']);
const MEMORY_JOBS = Number(args['memory-jobs']);
const SCENARIOS = args.scenarios.split(',').filter(Boolean) as Scenario[];
const POLLERS = args.pollers.split(',').filter(Boolean) as PollerName[];
const MEMORY_DIR = args['memory-dir'] ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
/** A run that has not finished after this much virtual time is cut short (and says so). */
const LIMIT_MS = 15 * 60_000;

type Scenario = 'a' | 'b';

interface RunResult {
  scenario: Scenario;
  poller: PollerName;
  factor: number;
  jobs: number;
  detected: number;
  statusCalls: number;
  resultCalls: number;
  submitCalls: number;
  otherCalls: number;
  rateLimited: number;
  statusPerJob: number;
  resultPerJob: number;
  totalPerJob: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Detections later than 1 s (virtual). */
  over1s: number;
  child: RunReport;
  emulatorCpuS: number;
  /** Per 5 s of virtual time from t0: answered status/result calls, 429s, completions on the emulator, detections. */
  timeline: Array<{ s: number; ok: number; limited: number; completed: number; detected: number }>;
  /** With --detail: one row per job (virtual ms from t0). */
  perJob?: Array<{
    index: number;
    count: number;
    startedAt: number;
    completedAt: number;
    latency: number | null;
    status: number;
    result: number;
  }>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

function startChild(script: string, execArgv: string[] = []): Promise<ChildProcess> {
  // BENCH_CHILD_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") is passed to every child, for profiling.
  const extra = process.env['BENCH_CHILD_ARGS']?.split(' ').filter(Boolean) ?? [];
  const child = fork(join(here, script), [], {
    execArgv: ['--import', 'tsx', ...execArgv, ...extra],
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { type?: string }) => {
      if (message.type === 'ready') resolve(child);
      else reject(new Error(`unexpected message from ${script}`));
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
}

function awaitReport<T>(child: ChildProcess, realLimitMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('child did not report in time'));
    }, realLimitMs);
    child.on('message', (message: { type?: string }) => {
      if (message.type !== 'done') return;
      clearTimeout(timer);
      resolve(message as T);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited with ${code} without a report`));
    });
  });
}

async function runOne(scenario: Scenario, poller: PollerName): Promise<RunResult> {
  const F = factorOf(scenario);
  const workload = makeWorkload({ jobs: N, seed: SEED });
  const child = await startChild('poller-run.ts');
  // t0 is fixed once the child is ready, so its module loading is not on the clock. Virtual time
  // stands at t0 until the child has submitted every job, then runs from t1 (see clock.ts).
  const t0 = realNow();
  const virtual = new VirtualClock(t0, F);
  const clock = virtual.now;
  const emulator = await startRunComfyEmulator({
    clock,
    queueMs: ({ index }) => workload.queueMs[index % N]!,
    runMs: ({ index, count }) => runMsOf(count, workload.noise[index % N]!),
    imageFormat: 'jpeg',
  });
  const gate =
    scenario === 'b' ? await startRateGate({ upstream: emulator.url, requestsPerSecond: RATE, clock }) : undefined;
  const cpu = process.cpuUsage();
  const order: RunOrder = {
    type: 'go',
    poller,
    url: gate?.url ?? emulator.url,
    token: emulator.token,
    t0,
    factor: F,
    counts: workload.counts,
    pollConcurrency: POLL_CONCURRENCY,
    pollRate: POLL_RATE,
    download: args.download,
    limitMs: LIMIT_MS,
  };
  const reported = awaitReport<RunReport>(child, LIMIT_MS / F + 180_000);
  child.on('message', (message: { type?: string }) => {
    if (message.type !== 'submitted') return;
    // A little ahead, so the child learns t1 before it comes.
    const t1 = realNow() + 50;
    virtual.release(t1);
    child.send({ type: 'start', t1 });
  });
  child.send(order);
  const report = await reported;
  const used = process.cpuUsage(cpu);
  await gate?.close();
  const jobs = emulator.jobs();
  await emulator.close();

  const latencies = jobs
    .filter((job) => job.firstSucceededResultAt !== undefined)
    .map((job) => job.firstSucceededResultAt! - job.completedAt)
    .sort((a, b) => a - b);
  const calls: Array<{ at: number; route: string; status: number }> = gate ? gate.calls : emulator.calls;
  const count = (route: string) => calls.filter((c) => c.route === route).length;
  const statusCalls = count('status');
  const resultCalls = count('result');
  const submitCalls = count('submit');
  return {
    scenario,
    poller,
    factor: F,
    jobs: N,
    detected: latencies.length,
    statusCalls,
    resultCalls,
    submitCalls,
    otherCalls: calls.length - statusCalls - resultCalls - submitCalls - count('file'),
    rateLimited: calls.filter((c) => c.status === 429).length,
    statusPerJob: statusCalls / N,
    resultPerJob: resultCalls / N,
    totalPerJob: (statusCalls + resultCalls) / N,
    latencyMs: {
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
      mean: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    },
    over1s: latencies.filter((l) => l > 1_000).length,
    timeline: timeline(calls, jobs, t0),
    child: report,
    emulatorCpuS: (used.user + used.system) / 1e6,
    ...(args.detail && { perJob: perJobRows(jobs, emulator.calls, t0) }),
  };
}

function timeline(
  calls: Array<{ at: number; route: string; status: number }>,
  jobs: EmulatedJobView[],
  t0: number,
): RunResult['timeline'] {
  const step = 5_000;
  const rows: RunResult['timeline'] = [];
  const row = (at: number) => {
    const index = Math.max(0, Math.floor((at - t0) / step));
    while (rows.length <= index)
      rows.push({ s: rows.length * (step / 1000), ok: 0, limited: 0, completed: 0, detected: 0 });
    return rows[index]!;
  };
  for (const call of calls) {
    if (call.route !== 'status' && call.route !== 'result') continue;
    if (call.status === 429) row(call.at).limited++;
    else row(call.at).ok++;
  }
  for (const job of jobs) {
    row(job.completedAt).completed++;
    if (job.firstSucceededResultAt !== undefined) row(job.firstSucceededResultAt).detected++;
  }
  return rows;
}

function perJobRows(jobs: EmulatedJobView[], calls: RecordedCall[], t0: number): NonNullable<RunResult['perJob']> {
  const byJob = new Map<string, { status: number; result: number }>();
  for (const call of calls) {
    if (call.requestId === undefined || (call.route !== 'status' && call.route !== 'result')) continue;
    const entry = byJob.get(call.requestId) ?? { status: 0, result: 0 };
    entry[call.route]++;
    byJob.set(call.requestId, entry);
  }
  return jobs.map((job) => ({
    index: job.index,
    count: job.input.sequential_image_generation_options,
    startedAt: Math.round(job.startedAt - t0),
    completedAt: Math.round(job.completedAt - t0),
    latency: job.firstSucceededResultAt === undefined ? null : Math.round(job.firstSucceededResultAt - job.completedAt),
    ...(byJob.get(job.requestId) ?? { status: 0, result: 0 }),
  }));
}

async function runMemory(): Promise<MemoryReport> {
  const emulator = await startRunComfyEmulator({ queueMs: 6 * 3600_000, recordCalls: false });
  try {
    const child = await startChild('memory-run.ts', ['--expose-gc']);
    const reported = awaitReport<MemoryReport>(child, 600_000);
    const order: MemoryOrder = {
      type: 'go',
      url: emulator.url,
      token: emulator.token,
      jobs: MEMORY_JOBS,
      warmup: Math.min(MEMORY_JOBS, 1_000),
      directory: MEMORY_DIR,
      pollConcurrency: POLL_CONCURRENCY,
      pollRate: POLL_RATE,
    };
    child.send(order);
    return await reported;
  } finally {
    await emulator.close();
  }
}

// ——— output ———

const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const pad = (text: string, width: number) => text.padStart(width);

function printTable(results: RunResult[]): void {
  const head = [
    'scen',
    'poller',
    'status/job',
    'result/job',
    'total/job',
    'p50 ms',
    'p99 ms',
    'max ms',
    '>1s',
    '429s',
    'CPU s',
    'sub CPU',
    'peak RSS MB',
    'RSS@go MB',
    'done',
    'virt s',
    'real s',
  ];
  const widths = [4, 11, 10, 10, 9, 7, 7, 7, 5, 6, 6, 7, 11, 9, 9, 6, 6];
  console.log(head.map((h, i) => pad(h, widths[i]!)).join(' '));
  for (const r of results) {
    const row = [
      r.scenario,
      r.poller,
      fmt(r.statusPerJob, 2),
      fmt(r.resultPerJob, 2),
      fmt(r.totalPerJob, 2),
      fmt(r.latencyMs.p50, 0),
      fmt(r.latencyMs.p99, 0),
      fmt(r.latencyMs.max, 0),
      String(r.over1s),
      String(r.rateLimited),
      fmt(r.child.cpuUserS + r.child.cpuSystemS, 2),
      fmt(r.child.submitCpuS, 2),
      fmt(r.child.peakRssMb, 0),
      fmt(r.child.startRssMb, 0),
      `${r.detected}/${r.jobs}`,
      fmt(r.child.virtualMs / 1000, 0),
      fmt(r.child.realMs / 1000, 0),
    ];
    console.log(row.map((c, i) => pad(c, widths[i]!)).join(' '));
  }
}

interface Verdict {
  target: string;
  pass: boolean;
  detail: string;
}

function verdicts(results: RunResult[], memory: MemoryReport | undefined, memoryError?: string): Verdict[] {
  const find = (s: Scenario, p: PollerName) => results.find((r) => r.scenario === s && r.poller === p);
  const out: Verdict[] = [];
  const ours = find('a', 'engine');
  const fast = find('a', 'fixed-0.5s');
  const slow = find('a', 'fixed-2s');
  if (ours && slow) {
    const pass = ours.totalPerJob < slow.totalPerJob && ours.latencyMs.p99 <= 1_000 && ours.detected === N;
    out.push({
      target: '(a) fewer calls/job than the 2 s poller, p99 ≤ 1 s',
      pass,
      detail:
        `total API calls/job ${fmt(ours.totalPerJob, 2)} vs ${fmt(slow.totalPerJob, 2)} (×${fmt(ours.totalPerJob / slow.totalPerJob, 2)}); ` +
        `status calls/job ${fmt(ours.statusPerJob, 2)} vs ${fmt(slow.statusPerJob, 2)}; p99 ${fmt(ours.latencyMs.p99, 0)} ms`,
    });
  }
  if (ours && fast) {
    const ratio = ours.totalPerJob / fast.totalPerJob;
    out.push({
      target: '(a) at most a quarter of the 0.5 s poller’s calls/job',
      pass: ratio <= 0.25,
      detail: `total API calls/job ${fmt(ours.totalPerJob, 2)} vs ${fmt(fast.totalPerJob, 2)} (×${fmt(ratio, 3)}); status only ×${fmt(ours.statusPerJob / fast.statusPerJob, 3)}`,
    });
  }
  const b = (['engine', 'fixed-0.5s', 'fixed-2s'] as const).map((p) => find('b', p));
  if (b.every((r) => r !== undefined)) {
    const [e, f05, f2] = b as RunResult[];
    const pass = e!.detected === N && e!.latencyMs.p99 < f05!.latencyMs.p99 && e!.latencyMs.p99 < f2!.latencyMs.p99;
    out.push({
      target: '(b) lowest p99 detection latency of the three',
      pass,
      detail: `p99 ${fmt(e!.latencyMs.p99, 0)} ms vs ${fmt(f05!.latencyMs.p99, 0)} (0.5 s, ×${fmt(e!.latencyMs.p99 / f05!.latencyMs.p99, 2)}) and ${fmt(f2!.latencyMs.p99, 0)} (2 s, ×${fmt(e!.latencyMs.p99 / f2!.latencyMs.p99, 2)})`,
    });
  }
  if (memoryError) out.push({ target: 'memory: tracked jobs add ≤ 20 MB RSS', pass: false, detail: memoryError });
  if (memory) {
    const added = Math.max(memory.afterSubmit.rssMb, memory.afterPolled.rssMb) - memory.before.rssMb;
    out.push({
      target: `memory: ${memory.jobs} tracked jobs add ≤ 20 MB RSS`,
      pass: added <= 20 && memory.tracked >= memory.jobs,
      detail: `+${fmt(added, 1)} MB RSS (heap +${fmt(memory.afterPolled.heapUsedMb - memory.before.heapUsedMb, 1)} MB), ${memory.tracked} tracked`,
    });
  }
  return out;
}

// ——— main ———

const startedAt = realNow();
console.log(
  `poller benchmark: ${N} jobs, F = ${F_A} in scenario a, ${F_B} in b (virtual time runs F× real time; latencies in virtual ms), seed ${SEED}`,
);
console.log(
  `workload: queue U(0, ${QUEUE_MAX_MS / 1000}) s; count U{1..${MAX_COUNT}}; run (${RUN_BASE_MS / 1000} s + ${RUN_PER_IMAGE_MS / 1000} s/image) × U(${1 - RUN_NOISE}, ${1 + RUN_NOISE}); all submitted at t0 (the clock is held while they are)`,
);
console.log(
  `engine: POLL_CONCURRENCY=${POLL_CONCURRENCY} POLL_RATE=${POLL_RATE} in both scenarios; cold ETA model; ` +
    `${args.download ? 'images downloaded into a real spool' : 'no image downloads (NullSpool)'}`,
);
console.log(
  `scenario b: ${RATE} req/s on status/result (emulator TokenBucket, 429 + Retry-After); submits unmetered. Emulator in the parent, pollers in children.`,
);
console.log(
  `HTTP round trips and event-loop delays are real time, not compressed: at F = ${F_A} a 2 ms round trip counts ${2 * F_A} virtual ms. Load average at start: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (${availableParallelism()} CPUs)`,
);
console.log('');

const results: RunResult[] = [];
for (const scenario of SCENARIOS) {
  for (const poller of POLLERS) {
    process.stdout.write(`running ${scenario}/${poller} … `);
    const result = await runOne(scenario, poller);
    results.push(result);
    console.log(
      `${result.detected}/${N} detected, ${fmt(result.child.realMs / 1000, 0)} s real, ` +
        `loop delay p99 ${fmt(result.child.loopDelayP99Ms, 0)} ms (real), emulator CPU ${fmt(result.emulatorCpuS, 1)} s` +
        (result.child.submitFailures > 0
          ? `; ${result.child.submitFailures} submits failed (${result.child.submitError})`
          : ''),
    );
  }
}
let memory: MemoryReport | undefined;
let memoryError: string | undefined;
if (MEMORY_JOBS > 0) {
  process.stdout.write(`memory point: ${MEMORY_JOBS} tracked jobs … `);
  try {
    memory = await runMemory();
    console.log(
      `${fmt(memory.seconds, 0)} s (submits ${fmt(memory.submitSeconds, 0)} s, first polls ${fmt(memory.pollSeconds, 0)} s)`,
    );
  } catch (error) {
    memoryError = error instanceof Error ? error.message : String(error);
    console.log(`failed: ${memoryError}`);
  }
}

console.log('');
console.log(
  `F = ${F_A} (a), ${F_B} (b); calls counted at the emulator (a) or the rate gate (b), 429s included; "total" = status + result; ` +
    `CPU s = the poller child's CPU while polling, sub CPU = its CPU submitting the ${N} jobs; latencies in virtual ms.`,
);
printTable(results);
if (memory) {
  const m = memory;
  console.log('');
  console.log(
    `memory: ${m.jobs} tracked jobs, SQLite store in ${MEMORY_DIR}, baseline after a warm-up batch was submitted and ` +
      `cancelled (${m.warmTracked} tracked at baseline), all after gc:`,
  );
  console.log(
    `  RSS ${fmt(m.before.rssMb)} → ${fmt(m.afterSubmit.rssMb)} MB after submit → ${fmt(m.afterPolled.rssMb)} MB after ` +
      `every job's first poll (${m.polledJobs} polled); V8 heap used ${fmt(m.before.heapUsedMb)} → ${fmt(m.afterPolled.heapUsedMb)} MB, ` +
      `heap total ${fmt(m.before.heapTotalMb)} → ${fmt(m.afterPolled.heapTotalMb)} MB; SQLite file ${fmt(m.sqliteMb)} MB (not in RSS)`,
  );
}
console.log('');
const checks = verdicts(results, memory, memoryError);
for (const v of checks) console.log(`${v.pass ? 'PASS' : 'FAIL'}  ${v.target}: ${v.detail}`);
console.log(
  `\ntotal ${fmt((realNow() - startedAt) / 1000, 0)} s; load average at the end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);

const out =
  args.out ?? join(here, 'results', `poller-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      loadAverageAtEnd: loadavg(),
      factor: { a: F_A, b: F_B },
      jobs: N,
      seed: SEED,
      rate: RATE,
      engine: { pollConcurrency: POLL_CONCURRENCY, pollRate: POLL_RATE, download: args.download },
      results,
      memory,
      verdicts: checks,
    },
    null,
    2,
  )}\n`,
);
console.log(`results: ${out}`);
