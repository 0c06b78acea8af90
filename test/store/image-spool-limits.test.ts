/** The spool's bounds, over real HTTP on 127.0.0.1: downloads a few at a time, pixel bombs refused undecoded. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reencodeToFit } from '../../src/discord/pack-images.js';
import { bombPng } from '../../src/emulators/runcomfy/image-renderer.js';
import { MAX_OUTPUT_PIXELS } from '../../src/models/seedream-sequential/aspect-ratios.js';
import { ImageSpool } from '../../src/store/image-spool.js';
import { type LocalServer, startLocalServer } from '../helpers/local-server.js';

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(10_000, 1)]);
const BOMB = bombPng(16_000, 16_000);

let local: LocalServer;
let inFlight = 0;
let mostInFlight = 0;

beforeAll(async () => {
  local = await startLocalServer((req, res) => {
    if (req.url === '/bomb.png') {
      res.writeHead(200, { 'content-length': BOMB.length }).end(BOMB);
      return;
    }
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    // Held a moment, so downloads that run together overlap for sure.
    setTimeout(() => {
      inFlight--;
      res.writeHead(200, { 'content-length': JPEG.length }).end(JPEG);
    }, 40);
  });
});
afterAll(async () => {
  await local.close();
});

async function withSpool<T>(run: (spool: ImageSpool) => Promise<T>): Promise<T> {
  const directory = await mkdtemp(join(tmpdir(), 'spool-limits-'));
  const spool = new ImageSpool({
    directory,
    maxBytesPerImage: 1_000_000,
    timeoutMs: 10_000,
    maxPixelsPerImage: MAX_OUTPUT_PIXELS,
  });
  try {
    return await run(spool);
  } finally {
    await spool.close();
    await rm(directory, { recursive: true, force: true });
  }
}

describe('ImageSpool limits', () => {
  it('downloads a set of 15 at most 4 at a time', async () => {
    mostInFlight = 0;
    const urls = Array.from({ length: 15 }, (_, i) => `${local.url}/img/${i}`);
    const { images, missing } = await withSpool((spool) => spool.fetchAll('job-c', urls));
    expect(images).toHaveLength(15);
    expect(missing).toEqual([]);
    expect(mostInFlight).toBeGreaterThan(1);
    expect(mostInFlight).toBeLessThanOrEqual(4);
  });

  it('refuses a 16,000×16,000 PNG from its header, as an image that could not be used', async () => {
    expect(BOMB.length).toBeLessThan(800_000);
    const urls = [`${local.url}/img/0`, `${local.url}/bomb.png`];
    const { images, missing } = await withSpool((spool) => spool.fetchAll('job-b', urls));
    expect(images.map((image) => image.index)).toEqual([0]);
    expect(missing).toEqual([{ index: 1, reason: 'image_too_many_pixels' }]);
  });

  it('the re-encode path refuses it too, at once, rather than decoding 256 MP', async () => {
    const started = performance.now();
    expect(await reencodeToFit(BOMB, 1_000)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
