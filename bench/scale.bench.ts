/**
 * `npm run bench:scale`: 1, 2 and 3 bot processes on one Redis (a redis-server of its own),
 * the same RunComfy emulator. For each: admissions per second while the first response's
 * p99 stays within 100 ms (the offered rate steps up until it does not), delivered sets per
 * minute, Redis round trips per admitted job, and where the CPU went (this process is the
 * load generator and the emulator; the machine has few cores, so they compete with the bots).
 */
import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRunComfyEmulator } from '../src/emulators/runcomfy/index.js';

const WORKER = join(import.meta.dirname, 'scale-worker.ts');
const RATES = (process.env.SCALE_RATES ?? '25,50,75,100,125,150,175,200,250,300,400').split(',').map(Number);
const STEP_MS = Number(process.env.SCALE_STEP_MS ?? 4_000);
const PROCESSES = (process.env.SCALE_PROCESSES ?? '1,2,3').split(',').map(Number);
const P99_BUDGET_MS = 100;
/** Size of each image the emulator serves (a real 2K Seedream JPEG is about 4 MB). */
const IMAGE_BYTES = Number(process.env.SCALE_IMAGE_BYTES ?? 4_000_000);
/** Requests a second and seconds of the warm-up before the measured steps (JIT, connections). */
const WARMUP = { rate: 20, seconds: 3 };
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** utime + stime of a process, in ms (Linux /proc, 100 ticks a second). */
function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** The node process tsx runs the worker in (the fork is node --import tsx: the same pid). */
function spawnWorker(config: object): Promise<ChildProcess> {
  const child = fork(WORKER, [JSON.stringify(config)], {
    // SCALE_CHILD_ARGS goes to the bots' node, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p".
    execArgv: ['--import', 'tsx', ...(process.env.SCALE_CHILD_ARGS?.split(' ').filter(Boolean) ?? [])],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited (${code})`)));
    child.on('message', (m: { type: string }) => {
      if (m.type === 'ready') {
        child.removeAllListeners('exit');
        resolve(child);
      }
    });
  });
}

/** Redis commands run so far, by command (INFO commandstats). */
function redisCommands(port: number): Map<string, number> {
  const info = execFileSync('redis-cli', ['-p', String(port), 'INFO', 'commandstats'], { encoding: 'utf8' });
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) calls.set(match[1]!, Number(match[2]));
  return calls;
}

const redisCalls = (port: number) => [...redisCommands(port).values()].reduce((a, b) => a + b, 0);

/** The commands run since `before`, per admitted job, most first. */
function commandsPerJob(before: Map<string, number>, after: Map<string, number>, jobs: number): string {
  return [...after]
    .map(([name, calls]) => [name, (calls - (before.get(name) ?? 0)) / Math.max(1, jobs)] as const)
    .filter(([, perJob]) => perJob >= 0.5)
    .sort((a, b) => b[1] - a[1])
    .map(([name, perJob]) => `${name} ${perJob.toFixed(1)}`)
    .join(', ');
}

/** RunComfy calls by route per admitted job (polls are most of them). */
function runcomfyCallsPerJob(calls: ReadonlyArray<{ route: string }>, jobs: number): string {
  const byRoute = new Map<string, number>();
  for (const call of calls) byRoute.set(call.route, (byRoute.get(call.route) ?? 0) + 1);
  return [...byRoute]
    .sort((a, b) => b[1] - a[1])
    .map(([route, count]) => `${route} ${(count / Math.max(1, jobs)).toFixed(2)}`)
    .join(', ');
}

const p99 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
};

console.info(
  `load average at the start: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const port = await freePort();
const redis = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await delay(500);
const emulator = await startRunComfyEmulator({
  queueMs: 500,
  baseRunMs: 1_000,
  perImageMs: 0,
  // Kept to count RunComfy calls per job by route (a few tens of thousands of small objects).
  recordCalls: true,
  imageBytes: IMAGE_BYTES,
});
const rows: Array<Record<string, string | number>> = [];
try {
  for (const n of PROCESSES) {
    execFileSync('redis-cli', ['-p', String(port), 'FLUSHALL']); // the bench's own Redis
    const spool = mkdtempSync(join(tmpdir(), 'seedream-scale-'));
    const workers: ChildProcess[] = [];
    for (let i = 0; i < n; i++) {
      workers.push(
        await spawnWorker({
          name: `w${i}`,
          storeUrl: `redis://127.0.0.1:${port}`,
          prefix: 'scale',
          runcomfyUrl: emulator.url,
          runcomfyToken: emulator.token,
          spoolDir: join(spool, `w${i}`),
          maxInFlight: 200,
        }),
      );
    }
    const sent = new Map<string, number>();
    /** Time from a request's arrival in the bot process to its admission (measured there). */
    const latencies = new Map<string, number>();
    /** The same seen from the load generator (adds IPC and this busy process's own delays). */
    const roundTrips = new Map<string, number>();
    let delivered = 0;
    let deliveredBytes = 0;
    const loops: Array<{ p99: number; max: number }> = [];
    for (const worker of workers) {
      worker.on(
        'message',
        (m: { type: string; id: string; error?: string; bytes?: number; ms?: number; p99?: number; max?: number }) => {
          if (m.type === 'accepted' && !m.error && sent.has(m.id)) {
            latencies.set(m.id, m.ms!);
            roundTrips.set(m.id, performance.now() - sent.get(m.id)!);
          }
          if (m.type === 'loop') loops.push({ p99: m.p99 ?? 0, max: m.max ?? 0 });
          if (m.type === 'delivered') {
            delivered++;
            deliveredBytes += m.bytes ?? 0;
          }
        },
      );
    }
    /** CPU ms so far of this process, the bots and Redis. */
    const cpuNow = () => {
      const self = process.cpuUsage();
      return {
        self: (self.user + self.system) / 1000,
        bots: workers.reduce((n, w) => n + cpuMsOf(w.pid), 0),
        redis: cpuMsOf(redis.pid),
      };
    };
    /** Each part's share of the machine's CPU time over `wallMs` (100 = every core busy). */
    const busyShare = (from: ReturnType<typeof cpuNow>, to: ReturnType<typeof cpuNow>, wallMs: number) => {
      const capacity = wallMs * cpus().length;
      const share = (ms: number) => Math.round((100 * ms) / capacity);
      const self = to.self - from.self;
      const bots = to.bots - from.bots;
      const redisMs = to.redis - from.redis;
      return { machine: share(self + bots + redisMs), bots: share(bots), self: share(self), redis: share(redisMs) };
    };
    // Warm-up: not measured (the first requests of a process pay for compiling and connecting).
    for (let k = 0; k < WARMUP.rate * WARMUP.seconds; k++) {
      workers[k % n]!.send({ type: 'submit', id: `warm${k}`, userId: `w${k % 50}` });
      await delay(1000 / WARMUP.rate);
    }
    await delay(2_000);
    delivered = 0;
    deliveredBytes = 0;
    const cpu0 = { self: process.cpuUsage(), workers: workers.map((w) => cpuMsOf(w.pid)), redis: cpuMsOf(redis.pid) };
    const calls0 = redisCalls(port);
    const runcomfyCalls0 = emulator.calls.length;
    const commands0 = redisCommands(port);
    const started = performance.now();
    let best = 0;
    let bestP99 = 0;
    let next = 0;
    for (const rate of RATES) {
      const ids: string[] = [];
      const stepCpu = cpuNow();
      const stepStart = performance.now();
      for (let k = 0; k < (rate * STEP_MS) / 1000; k++) {
        const due = stepStart + (k * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) await delay(wait);
        const id = `s${next++}`;
        ids.push(id);
        sent.set(id, performance.now());
        workers[k % n]!.send({ type: 'submit', id, userId: `m${Math.floor(Math.random() * 500)}` });
      }
      const offeredFor = (performance.now() - stepStart) / 1000;
      const answerBy = performance.now() + 5_000;
      while (ids.some((id) => !latencies.has(id)) && performance.now() < answerBy) await delay(50);
      const stepLatencies = ids.map((id) => latencies.get(id) ?? Number.POSITIVE_INFINITY);
      const stepP99 = p99(stepLatencies);
      const admitted = stepLatencies.filter(Number.isFinite).length / offeredFor;
      const seenP99 = p99(ids.map((id) => roundTrips.get(id) ?? Number.POSITIVE_INFINITY));
      const stepBusy = busyShare(stepCpu, cpuNow(), performance.now() - stepStart);
      console.info(
        `  ${n} process(es), offered ${rate}/s: admitted ${admitted.toFixed(0)}/s, p99 ${stepP99.toFixed(0)} ms in the bot, ${seenP99.toFixed(0)} ms seen by the load generator; machine ${stepBusy.machine}% busy (bots ${stepBusy.bots}%, load+emulator ${stepBusy.self}%, redis ${stepBusy.redis}% of 2 cores' time)`,
      );
      if (stepP99 > P99_BUDGET_MS) break;
      best = admitted;
      bestP99 = stepP99;
    }
    // The bots' event-loop delay over the measured steps (a loop held up delays every admission).
    for (const worker of workers) worker.send({ type: 'loop' });
    await delay(200);
    const loopP99 = Math.max(0, ...loops.map((l) => l.p99));
    const measuredMs = performance.now() - started;
    const busy0 = {
      self: process.cpuUsage(cpu0.self),
      workers: workers.reduce((n, w, i) => n + cpuMsOf(w.pid) - cpu0.workers[i]!, 0),
      redis: cpuMsOf(redis.pid) - cpu0.redis,
    };
    const machineBusy =
      ((busy0.self.user + busy0.self.system) / 1000 + busy0.workers + busy0.redis) / (measuredMs * cpus().length);
    const admittedJobs = latencies.size;
    const calls = redisCalls(port) - calls0;
    console.info(
      `  ${n} process(es), Redis commands per admitted job: ${commandsPerJob(commands0, redisCommands(port), admittedJobs)}`,
    );
    console.info(
      `  ${n} process(es), RunComfy calls per admitted job: ${runcomfyCallsPerJob(emulator.calls.slice(runcomfyCalls0), admittedJobs)}`,
    );
    // Let the admitted sets be delivered for a while, for the delivery rate.
    await delay(15_000);
    const minutes = (performance.now() - started) / 60_000;
    const self = process.cpuUsage(cpu0.self);
    const selfMs = (self.user + self.system) / 1000;
    const workersMs = workers.reduce((sum, w, i) => sum + cpuMsOf(w.pid) - cpu0.workers[i]!, 0);
    const redisMs = cpuMsOf(redis.pid) - cpu0.redis;
    const total = selfMs + workersMs + redisMs;
    rows.push({
      processes: n,
      'admissions/s (p99 ≤ 100 ms)': Math.round(best),
      'p99 ms': Math.round(bestP99),
      'sets delivered/min': Math.round(delivered / minutes),
      'MB per set': deliveredBytes && delivered ? +(deliveredBytes / delivered / 1e6).toFixed(2) : 0,
      'Redis round trips/job': +(calls / Math.max(1, admittedJobs)).toFixed(1),
      'CPU bots %': Math.round((100 * workersMs) / total),
      'CPU load+emulator %': Math.round((100 * selfMs) / total),
      'CPU redis %': Math.round((100 * redisMs) / total),
      'machine busy % (steps)': Math.round(100 * machineBusy),
      'bot loop delay p99 ms': Math.round(loopP99),
    });
    for (const worker of workers) worker.send({ type: 'stop' });
    await delay(3_000);
    for (const worker of workers) worker.kill('SIGKILL');
  }
} finally {
  await emulator.close();
  redis.kill('SIGKILL');
}
console.table(rows);
console.info(
  `load average at the end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (${process.env.SCALE_NOTE ?? ''})`,
);
const base = Number(rows[0]?.['admissions/s (p99 ≤ 100 ms)'] ?? 0);
for (const row of rows.slice(1)) {
  const ratio = base ? Number(row['admissions/s (p99 ≤ 100 ms)']) / base : 0;
  console.info(`scaling ratio, ${row.processes} processes vs 1: ${ratio.toFixed(2)}×`);
}
