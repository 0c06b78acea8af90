/** Builds a job engine over real HTTP against the RunComfy emulator, with a recording deliverer. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import {
  type RunComfyEmulator,
  type RunComfyEmulatorOptions,
  startRunComfyEmulator,
} from '../../src/emulators/runcomfy/index.js';
import { JobEngine } from '../../src/engine/engine.js';
import type { JobRecord } from '../../src/engine/job.js';
import type { JobEngineOptions } from '../../src/engine/options.js';
import type { Deliverer } from '../../src/engine/surface.js';
import { buildSeedreamInput } from '../../src/models/seedream-sequential/build-input.js';
import { RunComfyClient } from '../../src/runcomfy/client.js';
import { ImageSpool, type SpooledImage } from '../../src/store/image-spool.js';
import { openStore, type Store } from '../../src/store/store.js';

export interface Post {
  jobId: string;
  key: string;
  nonce: string;
  images: number;
}

/** Posts one "message" per step and dedupes on the nonce, as Discord does with enforce_nonce. */
export class RecordingDeliverer implements Deliverer {
  readonly posts: Post[] = [];
  readonly attempts: Post[] = [];
  readonly byNonce = new Map<string, string>();
  failNext = 0;
  imagesPerPart = 4;

  async deliver(job: JobRecord, images: SpooledImage[], steps: Parameters<Deliverer['deliver']>[2]): Promise<void> {
    for (let part = 0; part * this.imagesPerPart < images.length; part++) {
      await steps.once(`part:${part}`, async (nonce) => {
        const post = { jobId: job.id, key: `part:${part}`, nonce, images: images.slice(part * 4, part * 4 + 4).length };
        this.attempts.push(post);
        if (this.failNext > 0) {
          this.failNext--;
          throw new Error('channel unavailable');
        }
        const existing = this.byNonce.get(nonce);
        if (existing) return existing;
        this.posts.push(post);
        const id = `m${this.posts.length}`;
        this.byNonce.set(nonce, id);
        return id;
      });
    }
  }
}

export interface Harness {
  emulator: RunComfyEmulator;
  store: Store;
  client: RunComfyClient;
  engine: JobEngine;
  deliverer: RecordingDeliverer;
  spool: ImageSpool;
  spoolDir: string;
  submit(userId?: string, count?: number, quality?: 'fast' | 'standard'): Promise<JobRecord>;
  /** Advances fake time in steps, letting real sockets and files finish between steps. */
  advance(ms: number, step?: number): Promise<void>;
  close(): Promise<void>;
}

export async function realTick(rounds = 1): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export async function createHarness(
  options: {
    emulator?: RunComfyEmulatorOptions;
    engine?: Partial<JobEngineOptions>;
    clientRetry?: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
    storeUrl?: string;
    storePrefix?: string;
  } = {},
): Promise<Harness> {
  const emulator = await startRunComfyEmulator({ clock: () => Date.now(), ...options.emulator });
  const store = await openStore({ url: options.storeUrl ?? 'memory://', prefix: options.storePrefix });
  const client = new RunComfyClient({
    baseUrl: emulator.url,
    token: emulator.token,
    timeoutMs: 5_000,
    retry: options.clientRetry ?? { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 100 },
  });
  const spoolDir = mkdtempSync(join(tmpdir(), 'seedream-spool-'));
  const deliverer = new RecordingDeliverer();
  const spool = new ImageSpool({ directory: spoolDir, maxBytesPerImage: 20 * 1024 * 1024, timeoutMs: 10_000 });
  const engine = new JobEngine({
    store,
    client,
    deliverer,
    spool,
    outputHosts: ['*.runcomfy.net', '127.0.0.1'],
    deadlineMs: 30 * 60_000,
    limits: { activePerUser: 100 },
    pollConcurrency: 16,
    pollRate: 100,
    ...options.engine,
  });
  let users = 0;
  const harness: Harness = {
    emulator,
    store,
    client,
    engine,
    deliverer,
    spool,
    spoolDir,
    submit: (userId = `u${users++}`, count = 2, quality = 'fast') =>
      engine.submit({
        owner: { userId, guildId: 'g1', channelId: 'c1', locale: 'en-US' },
        prompt: 'a lighthouse at dusk',
        input: buildSeedreamInput({ prompt: 'a lighthouse at dusk', count, quality }),
      }),
    async advance(ms, step = 100) {
      for (let elapsed = 0; elapsed < ms; elapsed += step) {
        await vi.advanceTimersByTimeAsync(Math.min(step, ms - elapsed));
        await settle(harness);
      }
    },
    async close() {
      await engine.stop();
      await client.close();
      await emulator.close();
      await store.close();
    },
  };
  return harness;
}

/** Waits (in real event-loop turns) until no HTTP call or file operation is under way. */
async function settle(h: Harness): Promise<void> {
  let quiet = 0;
  let lastCalls = -1;
  let lastAttempts = -1;
  let lastChange = performance.now();
  const started = performance.now();
  // Real time bounds the wait (images are rendered and written for real), fake time stands still.
  // A call waiting for fake time (a hung request, a timeout) keeps the engine busy without
  // progress: 200 ms of real time with no change counts as quiet too.
  while (quiet < 4 && performance.now() - started < 15_000) {
    await realTick(3);
    const calls = h.emulator.calls.length;
    const attempts = h.deliverer.attempts.length;
    const changed = calls !== lastCalls || attempts !== lastAttempts;
    if (changed) lastChange = performance.now();
    const stalled = performance.now() - lastChange > 200;
    quiet = (!h.engine.busy || stalled) && !changed ? quiet + 1 : 0;
    lastCalls = calls;
    lastAttempts = attempts;
  }
}
