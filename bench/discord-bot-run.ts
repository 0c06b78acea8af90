/**
 * Child of bench/discord.bench.ts: the real bot (src/app.ts startBot, the real discord.js
 * client, SQLite store, image spool) in a process of its own, pointed at the emulators the
 * parent runs, so that its peak RSS and CPU are the bot's alone and it shares no event loop
 * with the emulators (as on a real deployment, where Discord and RunComfy are elsewhere).
 *
 * Logs are produced at the configured level (as in production) into a sink that counts them
 * and keeps a few warnings; they are not written to a terminal.
 */
import { Writable } from 'node:stream';
import { type Bot, startBot } from '../src/app.js';
import { botEnvSchema, parseEnv } from '../src/env.js';
import { createLogger } from '../src/log.js';
import {
  type BotMessage,
  type BotOrder,
  epochNow,
  gcRecorder,
  loopDelayMonitor,
  stoppedReport,
} from './discord-shared.js';

const send = (message: BotMessage) => process.send?.(message);
const TERMINAL = new Set(['delivered', 'failed', 'cancelled', 'timed_out', 'expired']);

const log = { total: 0, warn: 0, error: 0, samples: [] as string[] };
const sink = new Writable({
  write(chunk, _encoding, done) {
    const line = String(chunk);
    log.total++;
    const level = /"level":"(\w+)"/.exec(line)?.[1];
    if (level === 'warn' || level === 'error' || level === 'fatal') {
      if (level === 'warn') log.warn++;
      else log.error++;
      if (log.samples.length < 10) log.samples.push(line.slice(0, 400));
    }
    done();
  },
});

let bot: Bot | undefined;
let stopping = false;
const loop = loopDelayMonitor();
const gc = gcRecorder();
let markCpu = process.cpuUsage();
const received = new Map<string, number>();

async function handle(order: BotOrder): Promise<void> {
  switch (order.type) {
    case 'start': {
      const env = parseEnv(botEnvSchema, order.env);
      const logger = createLogger({ level: env.LOG_LEVEL }, sink);
      bot = await startBot({ env, logger });
      // Ahead of the bot's own listener: when discord.js hands the interaction over.
      bot.client.prependListener('interactionCreate', (interaction) => {
        received.set(interaction.id, epochNow());
      });
      if (order.trace) {
        const cpuSince = new Map<string, NodeJS.CpuUsage>();
        bot.engine.on('state', (job, from) => {
          const at = epochNow();
          if (job.state === 'fetching') cpuSince.set(job.id, process.cpuUsage());
          const since = cpuSince.get(job.id);
          const terminal = TERMINAL.has(job.state);
          const cpu = terminal && since ? process.cpuUsage(since) : undefined;
          if (terminal) cpuSince.delete(job.id);
          send({
            type: 'state',
            jobId: job.id,
            state: job.state,
            from,
            at,
            ...(cpu ? { cpuMs: (cpu.user + cpu.system) / 1000 } : {}),
          });
        });
        bot.engine.on('ready', (job) => {
          send({ type: 'state', jobId: job.id, state: 'ready', from: job.state, at: epochNow() });
        });
      }
      send({ type: 'ready', at: epochNow() });
      return;
    }
    case 'job': {
      const job = (await bot?.engine.get(order.jobId)) ?? null;
      send({
        type: 'job',
        jobId: order.jobId,
        job: job as unknown as Extract<BotMessage, { type: 'job' }>['job'],
        ...(order.window ? { gcMs: gc.msWithin(...order.window) } : {}),
      });
      return;
    }
    case 'mark':
      loop.reset();
      markCpu = process.cpuUsage();
      received.clear();
      return;
    case 'measure': {
      const cpu = process.cpuUsage(markCpu);
      send({
        type: 'measure',
        cpuMs: (cpu.user + cpu.system) / 1000,
        loopDelay: loop.read(),
        received: Object.fromEntries(received),
      });
      return;
    }
    case 'stop': {
      stopping = true;
      // A REST queue still draining card edits must not keep the report from being sent.
      await Promise.race([bot?.stop(), new Promise((resolve) => setTimeout(resolve, 5_000))]).catch(() => undefined);
      process.send?.(stoppedReport(log), () => process.exit(0));
      return;
    }
  }
}

process.on('message', (order: BotOrder) => {
  handle(order).catch((error: unknown) => {
    send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  });
});
process.on('exit', (code) => {
  if (code !== 0 || !stopping) console.error(`bot child: exit ${code} without being asked to stop`);
});
send({ type: 'alive' });
