import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, readJson, startHarness } from './emulator-harness.js';

let h: Harness;
afterEach(async () => {
  await h?.emulator.close();
});

async function finishedImages(input: Record<string, unknown>): Promise<{ requestId: string; images: string[] }> {
  const job = await h.submit(input);
  h.advance(60_000);
  const result = await readJson(await h.api('GET', job.result_url));
  expect(result.status).toBe('succeeded');
  return { requestId: job.request_id, images: result.output.images };
}

async function download(url: string): Promise<{ res: Response; bytes: Buffer }> {
  const res = await fetch(url); // no Authorization: files are CDN-like
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function cornerPixel(image: Buffer): Promise<number[]> {
  const raw = await sharp(image).extract({ left: 4, top: 4, width: 1, height: 1 }).raw().toBuffer();
  return [...raw.subarray(0, 3)];
}

/** Walks PNG chunks and checks every CRC, so a padded file is proven well-formed. */
function pngChunks(png: Buffer): Array<{ type: string; length: number }> {
  const chunks: Array<{ type: string; length: number }> = [];
  let at = 8;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const crc = png.readUInt32BE(at + 8 + length);
    if (crc !== crc32(png.subarray(at + 4, at + 8 + length))) throw new Error(`Bad CRC in ${type}`);
    chunks.push({ type, length });
    at += 12 + length;
  }
  return chunks;
}

describe('image files', () => {
  it('serves real JPEGs of the requested size, a distinct colour per frame, without auth', async () => {
    h = await startHarness({ queueMs: 0, runMs: 0 });
    const { images } = await finishedImages({ image_size: '2560:1440 (16:9)', sequential_image_generation_options: 2 });
    const first = await download(images[0]!);
    expect(first.res.status).toBe(200);
    expect(first.res.headers.get('content-type')).toBe('image/jpeg');
    expect(Number(first.res.headers.get('content-length'))).toBe(first.bytes.length);
    expect(await sharp(first.bytes).metadata()).toMatchObject({ format: 'jpeg', width: 2560, height: 1440 });
    const stats = await sharp(first.bytes).stats();
    expect(stats.channels[0]!.stdev).toBeGreaterThan(1); // the number and caption are drawn on it

    const second = await download(images[1]!);
    expect(await sharp(second.bytes).metadata()).toMatchObject({ width: 2560, height: 1440 });
    expect(await cornerPixel(first.bytes)).not.toEqual(await cornerPixel(second.bytes));

    const again = await download(images[0]!);
    expect(again.bytes.equals(first.bytes)).toBe(true);
  });

  it('serves PNGs when configured, at another aspect, and escapes the prompt for the SVG overlay', async () => {
    h = await startHarness({ queueMs: 0, runMs: 0, imageFormat: 'png' });
    const { images } = await finishedImages({
      text: `Generate 1 image of <b>"fish" & 'chips'</b>`,
      image_size: '3024:1296 (21:9)',
      sequential_image_generation_options: 1,
    });
    expect(images[0]).toMatch(/\/0\.png$/);
    const { res, bytes } = await download(images[0]!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(await sharp(bytes).metadata()).toMatchObject({ format: 'png', width: 3024, height: 1296 });
  });

  it('answers 404 before completion, past the last frame and for unknown ids; serves after expiry', async () => {
    h = await startHarness({ queueMs: 1000, runMs: 1000 });
    const job = await h.submit({ image_size: '1440:2560 (9:16)', sequential_image_generation_options: 1 });
    const url = `${h.emulator.url}/files/${job.request_id}/0.jpg`;
    expect((await fetch(url)).status).toBe(404);
    h.advance(2000);
    expect((await fetch(`${h.emulator.url}/files/${job.request_id}/1.jpg`)).status).toBe(404);
    expect((await fetch(`${h.emulator.url}/files/nope/0.jpg`)).status).toBe(404);
    h.emulator.expire(job.request_id);
    const { res, bytes } = await download(url);
    expect(res.status).toBe(200);
    expect(await sharp(bytes).metadata()).toMatchObject({ width: 1440, height: 2560 });
  });

  it('oversize-image pads a JPEG with comment segments to at least the asked bytes, still decodable', async () => {
    h = await startHarness({ queueMs: 0, runMs: 0 });
    h.emulator.inject({ kind: 'oversize-image', index: 0, bytes: 3_000_000 });
    const { images } = await finishedImages({ image_size: '2048:2048 (1:1)', sequential_image_generation_options: 1 });
    const { res, bytes } = await download(images[0]!);
    expect(bytes.length).toBeGreaterThanOrEqual(3_000_000);
    expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
    expect([...bytes.subarray(0, 4)]).toEqual([0xff, 0xd8, 0xff, 0xfe]); // SOI then COM
    expect(await sharp(bytes).metadata()).toMatchObject({ format: 'jpeg', width: 2048, height: 2048 });
    const pixels = await sharp(bytes).raw().toBuffer();
    expect(pixels.length).toBe(2048 * 2048 * 3);
  });

  it('oversize-image pads a PNG with one private chunk to at least the asked bytes, CRCs valid', async () => {
    h = await startHarness({ queueMs: 0, runMs: 0, imageFormat: 'png' });
    const job = await h.submit({ image_size: '1664:2496 (2:3)', sequential_image_generation_options: 2 });
    h.emulator.inject({ kind: 'oversize-image', requestId: job.request_id, index: 1, bytes: 2_500_000 });
    const images = (await readJson(await h.api('GET', job.result_url))).output.images;
    const normal = await download(images[0]!);
    const padded = await download(images[1]!);
    expect(normal.bytes.length).toBeLessThan(2_500_000);
    expect(padded.bytes.length).toBeGreaterThanOrEqual(2_500_000);
    const types = pngChunks(padded.bytes).map((c) => c.type);
    expect(types.at(-2)).toBe('emPd');
    expect(types.at(-1)).toBe('IEND');
    expect(await sharp(padded.bytes).metadata()).toMatchObject({ format: 'png', width: 1664, height: 2496 });
  });

  it('takes response faults on the file route', async () => {
    h = await startHarness({ queueMs: 0, runMs: 0 });
    const { images } = await finishedImages({ image_size: '2048:2048 (1:1)', sequential_image_generation_options: 1 });
    h.emulator.inject({ kind: 'error-body-200', route: 'file' });
    const disguised = await fetch(images[0]!);
    expect(disguised.status).toBe(200);
    expect(disguised.headers.get('content-type')).toBe('application/json');
    expect((await readJson(disguised)).error_code).toEqual(expect.any(Number));
    h.emulator.inject({ kind: 'connection-reset', route: 'file' });
    await expect(fetch(images[0]!)).rejects.toThrow(TypeError);
    expect(h.emulator.calls.at(-1)).toMatchObject({ route: 'file', status: 0, fault: 'connection-reset' });
  });
});
