import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunComfyEmulator, startRunComfyEmulator } from '../../src/emulators/runcomfy/index.js';
import { emulatorEnv, runCli, submitJob, tempDir } from './cli-harness.js';

// As real processes: one of each subcommand. Their edge cases run in-process (run-cli.test.ts).
let emulator: RunComfyEmulator;
let env: Record<string, string>;
beforeAll(async () => {
  // One image stays queued for a minute; other counts finish at once.
  emulator = await startRunComfyEmulator({ queueMs: ({ count }) => (count === 1 ? 60_000 : 0), runMs: 200 });
  env = emulatorEnv(emulator);
});
afterAll(async () => {
  await emulator?.close();
});

describe.concurrent('seedream status / result / cancel', () => {
  it('status prints where a queued request stands', async () => {
    const id = await submitJob(emulator, { text: 'Generate 1 image of a fox', sequential_image_generation_options: 1 });
    const run = await runCli(['status', id], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^${id}: queued \\(position \\d+\\)\\n$`));
  });

  it('result --out --json downloads a finished set and describes it', async () => {
    const id = await submitJob(emulator, {
      text: 'Generate 3 images of a fox',
      sequential_image_generation_options: 3,
      image_size: '2304:1728 (4:3)',
    });
    const out = await tempDir();
    const run = await runCli(['result', id, '--wait', '--out', out, '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    const document = JSON.parse(run.stdout);
    expect(document).toMatchObject({ requestId: id, status: 'succeeded', received: 3, costUsd: 0.09, missing: [] });
    expect(document.images.map((i: { path: string }) => i.path)).toEqual(
      [1, 2, 3].map((n) => join(out, `${id}-${n}.jpg`)),
    );
    for (const image of document.images) {
      const meta = await sharp(await readFile(image.path)).metadata();
      expect([meta.width, meta.height, image.width, image.height]).toEqual([2304, 1728, 2304, 1728]);
    }
  });

  it('cancel cancels a queued request', async () => {
    const id = await submitJob(emulator, {
      text: 'Generate 1 image of an owl',
      sequential_image_generation_options: 1,
    });
    const run = await runCli(['cancel', id], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`${id}: cancelled\n`);
    expect(emulator.job(id)).toMatchObject({ cancelled: true, state: 'cancelled' });
  });
});

describe('seedream and ./.env', () => {
  it('reads ./.env as npm start does (the environment still wins)', async () => {
    const id = await submitJob(emulator, {
      text: 'Generate 1 image of a hare',
      sequential_image_generation_options: 1,
    });
    const cwd = await tempDir();
    const lines = Object.entries(env).map(([name, value]) => `${name}=${value}`);
    await writeFile(join(cwd, '.env'), `${lines.join('\n')}\nLOG_LEVEL=not-a-level\n`);
    const run = await runCli(['status', id], {
      env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'info' },
      cwd,
      dotEnv: true,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^${id}: queued`));
  });
});
