/**
 * ImageSpool over real HTTP on 127.0.0.1: a set is held in memory as the socket delivered it,
 * and its files are written only when its delivery lasts (writeDelayMs, fake timers), is
 * retried, or the process stops; a delivery that ends in time never writes them.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ImageSpool } from '../../src/store/image-spool.js';
import { byteLength, joinBytes } from '../../src/util/bytes.js';
import { type LocalServer, startLocalServer } from '../helpers/local-server.js';

const JPEG_HEAD = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
/** Image n: a JPEG head and 300 KB of the byte n, sent in 64 KiB writes. */
const imageBytes = (n: number) => Buffer.concat([JPEG_HEAD, Buffer.alloc(300_000, n)]);
const WRITE_DELAY_MS = 5_000;

let local: LocalServer;
let base: string;
let directory: string;
let spool: ImageSpool;

beforeAll(async () => {
  local = await startLocalServer((req, res) => {
    const n = Number(/^\/img\/(\d+)$/.exec(req.url ?? '')?.[1] ?? Number.NaN);
    if (!Number.isInteger(n)) {
      res.writeHead(404).end();
      return;
    }
    const body = imageBytes(n);
    res.writeHead(200, { 'content-length': body.length });
    for (let at = 0; at < body.length; at += 65_536) res.write(body.subarray(at, at + 65_536));
    res.end();
  });
  base = local.url;
});

afterAll(async () => {
  await local.close();
});

beforeEach(async () => {
  // Only the spool's own timer is faked: the sockets and undici keep real time.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  directory = await mkdtemp(join(tmpdir(), 'spool-test-'));
  spool = new ImageSpool({ directory, maxBytesPerImage: 1_000_000, timeoutMs: 10_000, writeDelayMs: WRITE_DELAY_MS });
});

afterEach(async () => {
  vi.useRealTimers();
  await spool.close();
  await rm(directory, { recursive: true, force: true });
});

const urls = (count: number) => Array.from({ length: count }, (_, n) => `${base}/img/${n + 1}`);

async function filesOf(jobId: string): Promise<string[]> {
  const dir = spool.jobDirectory(jobId);
  return existsSync(dir) ? (await readdir(dir)).sort() : [];
}

describe('ImageSpool', () => {
  it('holds a set as the chunks the socket delivered, every byte, and hands them over once', async () => {
    const { images, missing } = await spool.fetchAll('job-a', urls(3));
    expect(missing).toEqual([]);
    expect(images.map((image) => [image.index, image.format, image.bytes])).toEqual([
      [0, 'jpeg', 300_004],
      [1, 'jpeg', 300_004],
      [2, 'jpeg', 300_004],
    ]);
    const fresh = await spool.list('job-a');
    for (const image of fresh) {
      // Several pieces, not one copied buffer.
      expect(Array.isArray(image.data)).toBe(true);
      expect((image.data as Buffer[]).length).toBeGreaterThan(1);
      expect(byteLength(image.data!)).toBe(300_004);
      expect(joinBytes(image.data!).equals(imageBytes(image.index + 1))).toBe(true);
    }
  });

  it('writes no file for a set whose delivery ends before writeDelayMs', async () => {
    await spool.fetchAll('job-b', urls(2));
    await spool.list('job-b');
    await vi.advanceTimersByTimeAsync(WRITE_DELAY_MS - 1);
    expect(await filesOf('job-b')).toEqual([]);
    await spool.remove('job-b'); // delivered
    await vi.advanceTimersByTimeAsync(WRITE_DELAY_MS);
    await spool.close();
    expect(existsSync(spool.jobDirectory('job-b'))).toBe(false);
  });

  it('writes the files of a set still undelivered after writeDelayMs', async () => {
    await spool.fetchAll('job-c', urls(2));
    await spool.list('job-c');
    await vi.advanceTimersByTimeAsync(WRITE_DELAY_MS);
    // A retry lists the set: from disk now, once the writes have landed.
    const listed = await spool.list('job-c');
    expect(await filesOf('job-c')).toEqual(['0.jpeg', '1.jpeg']);
    expect(listed.map((image) => image.data)).toEqual([undefined, undefined]);
    for (const image of listed) expect((await readFile(image.path)).equals(imageBytes(image.index + 1))).toBe(true);
  });

  it('writes the files at once when a delivery is retried before writeDelayMs', async () => {
    await spool.fetchAll('job-d', urls(2));
    await spool.list('job-d'); // the first delivery took them, then failed
    const retry = await spool.list('job-d');
    expect(retry.map((image) => [image.index, image.bytes, image.data])).toEqual([
      [0, 300_004, undefined],
      [1, 300_004, undefined],
    ]);
    expect(await filesOf('job-d')).toEqual(['0.jpeg', '1.jpeg']);
  });

  it('writes every set still only in memory when it closes (a clean stop)', async () => {
    await spool.fetchAll('job-e', urls(1));
    await spool.fetchAll('job-f', urls(2));
    await spool.close();
    expect(await filesOf('job-e')).toEqual(['0.jpeg']);
    expect(await filesOf('job-f')).toEqual(['0.jpeg', '1.jpeg']);
    expect((await readFile(join(spool.jobDirectory('job-f'), '1.jpeg'))).equals(imageBytes(2))).toBe(true);
  });

  it('downloads only what is not on disk yet', async () => {
    await spool.fetchAll('job-g', urls(2));
    await spool.close();
    let requests = 0;
    const count = () => requests++;
    local.server.on('request', count);
    try {
      const again = await spool.fetchAll('job-g', urls(3));
      expect(again.images.map((image) => image.index)).toEqual([0, 1, 2]);
      expect(requests).toBe(1);
    } finally {
      local.server.off('request', count);
    }
  });
});

describe('ImageSpool never starves the store of disk', () => {
  it('keeps a set in memory when writing it would pass the budget, and writes again once room is made', async () => {
    const skipped: string[] = [];
    const budgeted = new ImageSpool({
      directory,
      maxBytesPerImage: 1_000_000,
      timeoutMs: 10_000,
      writeDelayMs: 0,
      maxTotalBytes: 1_000_000, // three images of 300 KB fit, a second set does not
      onSkip: (jobId, reason) => skipped.push(`${jobId}:${reason}`),
    });
    await budgeted.fetchAll('first', urls(3));
    await budgeted.close();
    await budgeted.fetchAll('second', urls(3));
    await budgeted.close();
    expect(await filesOf('first')).toEqual(['0.jpeg', '1.jpeg', '2.jpeg']);
    expect(await filesOf('second')).toEqual([]);
    expect(skipped).toEqual(['second:budget']);
    // Still whole in memory for its delivery.
    expect((await budgeted.list('second')).every((image) => image.data !== undefined)).toBe(true);
    await budgeted.remove('first');
    await budgeted.fetchAll('third', urls(2));
    await budgeted.close();
    expect(await filesOf('third')).toEqual(['0.jpeg', '1.jpeg']);
  });

  it('leaves the disk’s reserve free: on a nearly full disk nothing is written', async () => {
    const skipped: string[] = [];
    const nearlyFull = new ImageSpool({
      directory,
      maxBytesPerImage: 1_000_000,
      timeoutMs: 10_000,
      writeDelayMs: 0,
      minFreeBytes: 2_000_000,
      freeBytes: async () => 2_500_000, // 500 KB above the reserve: one 900 KB set does not fit
      onSkip: (jobId, reason) => skipped.push(`${jobId}:${reason}`),
    });
    await nearlyFull.fetchAll('full', urls(3));
    await nearlyFull.close();
    expect(await filesOf('full')).toEqual([]);
    expect(existsSync(nearlyFull.jobDirectory('full'))).toBe(false);
    expect(skipped).toEqual(['full:disk']);
  });
});
