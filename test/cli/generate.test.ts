import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunComfyEmulator, startRunComfyEmulator } from '../../src/emulators/runcomfy/index.js';
import { emulatorEnv, runCli, STACK_TRACE, tempDir } from './cli-harness.js';

// Short queue and run times on the real clock: the CLI polls as it would in production.
let jpegEmulator: RunComfyEmulator;
let pngEmulator: RunComfyEmulator;
beforeAll(async () => {
  [jpegEmulator, pngEmulator] = await Promise.all([
    // A queue long enough that the first status poll sees it even on a loaded machine.
    startRunComfyEmulator({ queueMs: 3_000, baseRunMs: 300, perImageMs: 100 }),
    startRunComfyEmulator({ queueMs: 0, baseRunMs: 300, perImageMs: 100, imageFormat: 'png' }),
  ]);
});
afterAll(async () => {
  await Promise.all([jpegEmulator?.close(), pngEmulator?.close()]);
});

describe.concurrent('seedream generate', () => {
  it('generates 3 images of 16:9, downloads real 2560×1440 JPEGs and prints their paths', async () => {
    const out = await tempDir();
    const run = await runCli(
      [
        'generate',
        'a lighthouse at dusk',
        '-n',
        '3',
        '--aspect',
        '16:9',
        '--seed',
        '42',
        '--quality',
        'standard',
        '--out',
        out,
      ],
      { env: emulatorEnv(jpegEmulator) },
    );
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.code, run.stderr).toBe(0);

    const requestId = /Submitted as request (\S+)/.exec(run.stderr)?.[1];
    expect(requestId).toBeDefined();
    const paths = run.stdout.trim().split('\n');
    expect(paths).toEqual([1, 2, 3].map((n) => join(out, `${requestId}-${n}.jpg`)));
    expect((await readdir(out)).sort()).toEqual(paths.map((p) => basename(p)).sort());
    for (const path of paths) {
      const meta = await sharp(path).metadata();
      expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({
        format: 'jpeg',
        width: 2560,
        height: 1440,
      });
    }

    // What was sent: the count phrase added to the prompt, every flag carried through.
    const job = jpegEmulator.job(requestId!);
    expect(job?.input).toEqual({
      text: 'Generate 3 images: a lighthouse at dusk',
      sequential_image_generation_options: 3,
      image_size: '2560:1440 (16:9)',
      seed: 42,
      optimize_prompt_options: 'standard',
      sequential_image_generation: 'auto',
    });
    // Progress went to stderr as plain lines (not a terminal), never to stdout.
    expect(run.stderr).toMatch(/^Queued \(position \d+\)/m);
    expect(run.stderr).not.toContain('\r');
  });

  it('--json prints one document that matches the files (9:16, PNG, count from the prompt)', async () => {
    const out = await tempDir();
    const run = await runCli(['generate', '2 posters of a koi pond', '--aspect', '9:16', '--out', out, '--json'], {
      env: emulatorEnv(pngEmulator),
    });
    expect(run.code, run.stderr).toBe(0);
    const document = JSON.parse(run.stdout);
    expect(document).toMatchObject({
      status: 'succeeded',
      prompt: '2 posters of a koi pond',
      requested: 2,
      received: 2,
      seed: expect.any(Number),
      aspect: '9:16',
      size: '1440:2560 (9:16)',
      width: 1440,
      height: 2560,
      quality: 'fast',
      costUsd: 0.06,
      missing: [],
    });
    expect(document.requestId).toMatch(/\S+/);
    // No --seed: one is chosen, sent and told, so the set can be made again.
    expect(Number.isInteger(document.seed) && document.seed >= 0 && document.seed <= 2_147_483_647).toBe(true);
    expect(pngEmulator.job(document.requestId)?.input.seed).toBe(document.seed);
    expect(run.stderr).toContain(`Submitted as request ${document.requestId} (seed ${document.seed})`);
    expect(document.images).toHaveLength(2);
    for (const [i, image] of document.images.entries()) {
      expect(image).toMatchObject({
        n: i + 1,
        path: join(out, `${document.requestId}-${i + 1}.png`),
        format: 'png',
        width: 1440,
        height: 2560,
      });
      expect((await stat(image.path)).size).toBe(image.bytes);
      const meta = await sharp(image.path).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 1440, 2560]);
    }
    const t = document.timings;
    expect(t.totalMs).toBeGreaterThanOrEqual(t.waitMs);
    expect(new Date(t.submittedAt).getTime()).toBeLessThanOrEqual(new Date(t.completedAt).getTime());
    expect(pngEmulator.job(document.requestId)?.input.image_size).toBe('1440:2560 (9:16)');
  });
});
