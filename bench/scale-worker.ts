/**
 * One bot process of `npm run bench:scale`: the real engine, Redis store and RunComfy client.
 * Submits arrive over IPC and are answered once admitted (the first response a member would
 * wait for); a delivered set is reported with its bytes. Config: one JSON argument.
 */

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { NO_LIMITS } from '../src/accounting/quota.js';
import { JobEngine } from '../src/engine/engine.js';
import { buildSeedreamInput } from '../src/models/seedream-sequential/build-input.js';
import { RunComfyClient } from '../src/runcomfy/client.js';
import { ImageSpool } from '../src/store/image-spool.js';
import { openStore } from '../src/store/store.js';

interface Config {
  name: string;
  storeUrl: string;
  prefix: string;
  runcomfyUrl: string;
  runcomfyToken: string;
  spoolDir: string;
  maxInFlight: number;
}

const config = JSON.parse(process.argv[2]!) as Config;
const processId = `${config.name}:${process.pid}`;
const store = await openStore({ url: config.storeUrl, prefix: config.prefix });
const client = new RunComfyClient({
  baseUrl: config.runcomfyUrl,
  token: config.runcomfyToken,
  timeoutMs: 30_000,
  callerId: processId,
});
const engine = new JobEngine({
  store,
  client,
  processId,
  deliverer: {
    deliver: async (job, images, steps) => {
      await steps.once('part:0', async (nonce) => {
        const bytes = images.reduce((n, image) => n + image.bytes, 0);
        process.send?.({ type: 'delivered', jobId: job.id, bytes });
        return nonce;
      });
    },
  },
  spool: new ImageSpool({ directory: config.spoolDir, maxBytesPerImage: 50 * 1024 * 1024, timeoutMs: 30_000 }),
  outputHosts: ['127.0.0.1'],
  deadlineMs: 30 * 60_000,
  limits: { activePerUser: 1_000 },
  maxInFlight: config.maxInFlight,
  pollConcurrency: 16,
  pollRate: 200,
  tuning: { queuedBaseMs: 300, windowIntervalMs: 300, maxWaitMs: 1_000, lateMaxMs: 1_000 },
});
await engine.start();

// Admitted = recorded in the store with its quota reserved (the engine announces the state
// right after the atomic step, before anything is sent to RunComfy).
const received = new Map<string, number>();
engine.on('state', (job) => {
  const at = received.get(job.id);
  if (at === undefined) return;
  received.delete(job.id);
  process.send?.({ type: 'accepted', id: job.id, ms: performance.now() - at });
});

// How long this process's event loop was held up (an admission waits for it like everything else).
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

process.on('message', (m: { type: string; id: string; userId: string }) => {
  if (m.type === 'loop') {
    process.send?.({ type: 'loop', p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 });
    loopDelay.reset();
    return;
  }
  if (m.type === 'stop') {
    void engine.stop().then(() => process.exit(0));
    return;
  }
  if (m.type !== 'submit') return;
  received.set(m.id, performance.now());
  engine
    .submit({
      id: m.id,
      owner: { userId: m.userId, guildId: `g${m.userId.length % 7}`, channelId: 'c1', locale: 'en-US' },
      prompt: 'a lighthouse at dusk',
      input: buildSeedreamInput({ prompt: 'a lighthouse at dusk', count: 2 }),
      limits: { ...NO_LIMITS },
    })
    .catch((error: unknown) => {
      received.delete(m.id);
      process.send?.({ type: 'accepted', id: m.id, error: String(error) });
    });
});
process.send?.({ type: 'ready' });
