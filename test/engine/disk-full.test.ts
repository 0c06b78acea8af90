/**
 * The disk under DATA_DIR fills up (a real tmpfs of a few MB, filled to the last byte) while
 * jobs are running, and the engine is kill -9'd while it is full. Once space is back, every
 * job ends exactly once: nothing lost, nothing posted twice. The spool never takes the store's
 * room: with its reserve of free space it writes nothing on so small a disk.
 */

import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startRunComfyEmulator } from '../../src/emulators/runcomfy/index.js';
import { isTerminal, type JobRecord } from '../../src/engine/job.js';
import { assertEachJobOnce, readJobs, startSink } from '../helpers/crash-sink.js';
import { killHard, spawnWorker } from '../helpers/worker-process.js';

const WORKER = join(import.meta.dirname, 'fixtures', 'crash-worker.ts');
const JOBS = 12;
const realDelay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A tmpfs of `size` mounted on a new folder, or why it cannot be had here. */
function mountSmallDisk(size: string): { dir: string } | { skip: string } {
  const dir = mkdtempSync(join(tmpdir(), 'seedream-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { skip: `cannot mount a tmpfs here (${(error as Error).message.split('\n')[0]})` };
  }
}

/** Writes zeros until the disk refuses another byte. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    // The last bytes, a smaller write at a time.
    for (let size = 32 * 1024; size >= 1; size = Math.floor(size / 2)) {
      try {
        for (;;) writeSync(fd, chunk.subarray(0, size));
      } catch {
        // full at this size
      }
    }
  } finally {
    closeSync(fd);
  }
}

const disk = mountSmallDisk('16m');

afterAll(() => {
  if ('dir' in disk) {
    execFileSync('umount', ['-l', disk.dir]);
    rmSync(disk.dir, { recursive: true, force: true });
  }
});

describe.skipIf('skip' in disk)(`a full disk${'skip' in disk ? ` — skipped: ${disk.skip}` : ''}`, () => {
  it('kill -9 while DATA_DIR’s disk is full: once space is back, every job ends exactly once', {
    timeout: 240_000,
  }, async () => {
    const dir = (disk as { dir: string }).dir;
    const emulator = await startRunComfyEmulator({ queueMs: () => 300, runMs: () => 1_200 });
    const sink = await startSink();
    mkdirSync(join(dir, 'spool'));
    const storeUrl = `sqlite://${join(dir, 'store.sqlite')}`;
    const prefix = `disk-full-${process.pid}`;
    const config = {
      storeUrl,
      storePrefix: prefix,
      runcomfyUrl: emulator.url,
      runcomfyToken: emulator.token,
      sinkUrl: sink.url,
      spoolDir: join(dir, 'spool'),
      spoolWriteDelayMs: 0, // every set goes to disk at once, if the spool's reserve allows it
    };
    const ids = Array.from({ length: JOBS }, (_, i) => `full-${i}`);
    const accepted = new Set<string>();
    let child: ChildProcess | undefined;
    let fullLives = 0;
    const start = async () => {
      child = await spawnWorker(WORKER, config);
      child.on('message', (m: { type: string; id: string; error?: string }) => {
        if (m.type === 'accepted' && !m.error) accepted.add(m.id);
      });
      for (const [i, id] of ids.entries()) {
        if (!accepted.has(id)) child.send({ type: 'submit', id, userId: `user-${i % 4}`, count: 2 + (i % 3) });
      }
    };
    // How many files the spool ever held: with its reserve kept, none on so small a disk.
    let spoolFilesSeen = 0;
    const sampler = setInterval(() => {
      const files = readdirSync(join(dir, 'spool'), { recursive: true }).filter((f) => String(f).includes('.'));
      spoolFilesSeen = Math.max(spoolFilesSeen, files.length);
    }, 20);
    try {
      await start();
      await realDelay(1_000); // jobs at RunComfy, some fetching
      fillDisk(join(dir, 'filler'));
      // Three lives on the full disk, each killed hard (a life may not even get started).
      for (let k = 0; k < 3; k++) {
        await realDelay(1_500);
        if (child) await killHard(child);
        child = undefined;
        await start().then(
          () => fullLives++,
          () => undefined,
        );
      }
      if (child) await killHard(child);
      rmSync(join(dir, 'filler'));
      await start();
      const deadline = performance.now() + 150_000;
      let jobs: Array<JobRecord | undefined> = [];
      while (performance.now() < deadline) {
        jobs = await readJobs(storeUrl, prefix, ids);
        if (accepted.size === JOBS && jobs.every((j) => j && isTerminal(j.state))) break;
        await realDelay(250);
      }
      expect(accepted.size).toBe(JOBS);
      const delivered = assertEachJobOnce(jobs, sink);
      const reasons = jobs.filter((j) => j?.state !== 'delivered').map((j) => j?.failure?.code);
      console.info(
        `disk full: ${delivered} of ${JOBS} delivered, ${fullLives} lives on the full disk; not delivered: ${reasons.join(', ') || 'none'}`,
      );
      // Only a submit cut off by a kill may end otherwise (never re-sent, never refunded).
      expect(reasons.every((code) => code === 'runcomfy_submit_uncertain')).toBe(true);
      expect(spoolFilesSeen).toBe(0);
    } finally {
      clearInterval(sampler);
      if (child) await killHard(child);
      sink.server.close();
      await emulator.close();
    }
  });
});
