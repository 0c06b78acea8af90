/**
 * bytedance/seedream-4-0/edit-sequential on the RunComfy emulator: its [guess] input schema at
 * its strictest, the references fetched as the service would (a bad one fails the job with the
 * validation error), outputs that show which references they came from, price and job views.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { referenceSwatch } from '../../../src/emulators/runcomfy/index.js';
import { type Harness, type Json, readJson, startHarness } from './emulator-harness.js';

const EDIT_PATH = '/v1/models/bytedance/seedream-4-0/edit-sequential';
const RED = { r: 220, g: 30, b: 30 };
const BLUE = { r: 20, g: 40, b: 210 };

let images: Server;
let imagesBase = '';
let closedPort = 0;
const files = new Map<string, { body: Buffer; type: string }>();

beforeAll(async () => {
  const solid = (colour: typeof RED) => sharp({ create: { width: 64, height: 48, channels: 3, background: colour } });
  files.set('/red.png', { body: await solid(RED).png().toBuffer(), type: 'image/png' });
  files.set('/blue.jpg', { body: await solid(BLUE).jpeg({ quality: 95 }).toBuffer(), type: 'image/jpeg' });
  files.set('/green.webp', { body: await solid({ r: 20, g: 200, b: 40 }).webp().toBuffer(), type: 'image/webp' });
  // A text file that calls itself a PNG: the service judges by the bytes.
  files.set('/notes.png', { body: Buffer.from('just some words, not pixels\n'), type: 'image/png' });
  files.set('/chunky.png', { body: await solid(RED).png({ compressionLevel: 0 }).toBuffer(), type: 'image/png' });
  images = createServer((req, res) => {
    if (req.url === '/huge.png') {
      // Declares more than 50 MB; the service refuses before reading it.
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(60 * 1024 * 1024) });
      res.write(files.get('/red.png')!.body);
      res.on('error', () => {});
      return;
    }
    const file = files.get(req.url ?? '');
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    // No content-length on /chunky.png: the size is learnt while reading.
    const headers: Record<string, string | number> = { 'content-type': file.type };
    if (req.url !== '/chunky.png') headers['content-length'] = file.body.length;
    res.writeHead(200, headers);
    res.end(file.body);
  });
  await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
  imagesBase = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  images.closeAllConnections();
  await new Promise<void>((resolve) => images.close(() => resolve()));
});

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.emulator.close();
  harness = undefined;
});

const edit = (body: unknown, headers?: Record<string, string>) => harness!.api('POST', EDIT_PATH, body, headers);

async function submitted(body: unknown, headers?: Record<string, string>): Promise<string> {
  const res = await edit(body, headers);
  expect(res.status, JSON.stringify(await res.clone().json())).toBe(200);
  return ((await res.json()) as { request_id: string }).request_id;
}

/** The mean colour of the middle of an area of an image. */
async function colourAt(image: Buffer, area: { left: number; top: number; width: number; height: number }) {
  const box = {
    left: area.left + Math.floor(area.width / 4),
    top: area.top + Math.floor(area.height / 4),
    width: Math.floor(area.width / 2),
    height: Math.floor(area.height / 4),
  };
  // stats() reads the whole input, so the cut-out is encoded first.
  const { channels } = await sharp(await sharp(image).extract(box).png().toBuffer()).stats();
  return { r: Math.round(channels[0]!.mean), g: Math.round(channels[1]!.mean), b: Math.round(channels[2]!.mean) };
}

const hex = ({ r, g, b }: typeof RED) => `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;

describe('Seedream 4.0 edit-sequential on the RunComfy emulator', () => {
  it('takes 1–10 reference URLs, fetches them, and its outputs show which references they came from', async () => {
    harness = await startHarness({ allowLoopbackReferences: true, imageFormat: 'png', controlApi: true });
    const input = {
      text: 'Generate 4 images of this fox in a forest',
      images: [`${imagesBase}/red.png`, `${imagesBase}/blue.jpg`],
      sequential_image_generation_options: 4,
      image_size: '2048:2048 (1:1)',
      seed: 42,
    };
    const id = await submitted(input, { 'x-caller-id': 'shard-1' });

    const view = await harness.emulator.referencesFetched(id);
    expect(view).toMatchObject({
      modelId: 'bytedance/seedream-4-0/edit-sequential',
      caller: 'shard-1',
      input: { ...input, optimize_prompt_options: 'fast', sequential_image_generation: 'auto' },
    });
    expect(view!.references).toEqual([
      expect.objectContaining({
        index: 1,
        ok: true,
        format: 'png',
        width: 64,
        height: 48,
        dominantColour: expect.any(String),
      }),
      expect.objectContaining({ index: 2, ok: true, format: 'jpeg', contentType: 'image/jpeg' }),
    ]);

    // The control API shows the same record, as a sandbox panel reads it.
    const state = (await readJson(await fetch(`${harness.emulator.url}/_emulator/state`))) as Json;
    expect(state.jobs[0]).toMatchObject({ requestId: id, caller: 'shard-1', input: { images: input.images } });

    harness.advance(60_000);
    const result = (await readJson(await harness.api('GET', `/v1/requests/${id}/result?include_cost=true`))) as Json;
    expect(result.status).toBe('succeeded');
    expect(result.output.images).toHaveLength(4);
    expect(result.cost).toBe(0.12);

    // Each output carries a swatch per reference, in the reference's dominant colour, left to right.
    const third = Buffer.from(await (await fetch(result.output.images[2])).arrayBuffer());
    const frame = { width: 2048, height: 2048 };
    const [left, right] = [0, 1].map((k) => colourAt(third, referenceSwatch(frame, k, 2)));
    const references = view!.references!;
    for (const [i, swatch] of [await left!, await right!].entries()) {
      expect(hex(swatch)).toBe(references[i]!.dominantColour);
    }
    expect((await left!).r).toBeGreaterThan(150);
    expect((await right!).b).toBeGreaterThan(150);
    // A sequential job's frame has no swatches: the same place shows the frame's own colour.
    const plain = await harness.submit({ image_size: '2048:2048 (1:1)' });
    harness.advance(60_000);
    const plainResult = (await readJson(await harness.api('GET', `/v1/requests/${plain.request_id}/result`))) as Json;
    const plainImage = Buffer.from(await (await fetch(plainResult.output.images[0])).arrayBuffer());
    expect(hex(await colourAt(plainImage, referenceSwatch(frame, 0, 2)))).not.toBe(references[0]!.dominantColour);
  });

  it('answers model info with its own price', async () => {
    harness = await startHarness({ editPricePerImageUsd: 0.035 });
    const info = (await readJson(await harness.api('GET', EDIT_PATH))) as Json;
    expect(info).toMatchObject({
      model_id: 'bytedance/seedream-4-0/edit-sequential',
      base_price_usd: 0.035,
      price_unit: 'image',
    });
    expect((await harness.api('GET', '/v1/models/bytedance/seedream-4-0/edit')).status).toBe(400);
  });

  it('refuses at submit, with 422001 detail, what its [guess] schema refuses at its strictest', async () => {
    harness = await startHarness({ allowLoopbackReferences: true });
    const ok = `${imagesBase}/red.png`;
    const cases: Array<{ body: Json; loc: Array<string | number>; type: string }> = [
      { body: { text: 'Generate 3 images' }, loc: ['body', 'images'], type: 'missing' },
      { body: { text: 'Generate 3 images', images: [] }, loc: ['body', 'images'], type: 'too_short' },
      {
        body: { text: 'Generate 3 images', images: Array(11).fill(ok), sequential_image_generation_options: 1 },
        loc: ['body', 'images'],
        type: 'too_long',
      },
      { body: { text: 'Generate 3 images', images: ok }, loc: ['body', 'images'], type: 'list_type' },
      { body: { text: 'Generate 3 images', images: [ok, 7] }, loc: ['body', 'images', 1], type: 'string_type' },
      { body: { text: 'Generate 3 images', images: ['red.png'] }, loc: ['body', 'images', 0], type: 'url_parsing' },
      {
        body: { text: 'Generate 3 images', images: ['http://cdn.example.com/a.png'] },
        loc: ['body', 'images', 0],
        type: 'url_scheme',
      },
      {
        body: { text: 'Generate 3 images', images: ['ftp://127.0.0.1/a.png'] },
        loc: ['body', 'images', 0],
        type: 'url_scheme',
      },
      // References + outputs ≤ 15: 4 references and 12 images is one too many.
      {
        body: { text: 'Generate 12 images', images: Array(4).fill(ok), sequential_image_generation_options: 12 },
        loc: ['body'],
        type: 'value_error',
      },
      // The count left out is its default, 3: 13 references + 3 > 15 (and 13 > 10).
      { body: { text: 'Generate 3 images', images: Array(13).fill(ok) }, loc: ['body'], type: 'value_error' },
      { body: { text: '', images: [ok] }, loc: ['body', 'text'], type: 'string_too_short' },
      {
        body: { text: 'x', images: [ok], sequential_image_generation_options: 16 },
        loc: ['body', 'sequential_image_generation_options'],
        type: 'literal_error',
      },
    ];
    for (const { body, loc, type } of cases) {
      const res = await edit(body);
      const answer = (await readJson(res)) as Json;
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(answer.error_code).toBe(422001);
      expect(answer.detail, JSON.stringify(body)).toContainEqual(expect.objectContaining({ loc, type }));
    }
    const tooLong = (await readJson(
      await edit({ text: 'x', images: Array(11).fill(ok), sequential_image_generation_options: 1 }),
    )) as Json;
    expect(tooLong.detail[0].msg).toBe('List should have at most 10 items after validation, not 11');
    // 4 + 11 = 15 exactly is fine; none of these created a job.
    await submitted({ text: 'Generate 11 images', images: Array(4).fill(ok), sequential_image_generation_options: 11 });
    expect(harness.emulator.jobs()).toHaveLength(1);
  });

  it('takes loopback http only when told to, as RunComfy takes only HTTPS', async () => {
    harness = await startHarness();
    const res = await edit({ text: 'Generate 3 images', images: [`${imagesBase}/red.png`] });
    expect(res.status).toBe(422);
    expect(((await readJson(res)) as Json).detail[0]).toEqual({
      loc: ['body', 'images', 0],
      msg: "URL scheme should be 'https'",
      type: 'url_scheme',
    });
  });

  it('fails the job as it starts, with the validation error, when a reference cannot be used', async () => {
    harness = await startHarness({ allowLoopbackReferences: true, queueMs: 1_000, baseRunMs: 5_000 });
    const good = `${imagesBase}/green.webp`;
    const bad: Array<{ url: string; msg: RegExp }> = [
      { url: `${imagesBase}/gone.png`, msg: /HTTP 404/ },
      { url: `http://127.0.0.1:${closedPort}/a.png`, msg: /Could not fetch the image \(ECONNREFUSED\)/ },
      { url: `${imagesBase}/notes.png`, msg: /not an image/ },
      { url: `${imagesBase}/huge.png`, msg: /larger than 50000000 bytes/ },
    ];
    for (const { url, msg } of bad) {
      const id = await submitted({
        text: 'Generate 2 images',
        images: [good, url],
        sequential_image_generation_options: 2,
      });
      // Queued: nothing is known yet.
      expect(((await readJson(await harness.api('GET', `/v1/requests/${id}/status`))) as Json).status).toBe('in_queue');
      harness.advance(1_000);
      const status = (await readJson(await harness.api('GET', `/v1/requests/${id}/status`))) as Json;
      expect(status.status, url).toBe('completed');
      const result = (await readJson(await harness.api('GET', `/v1/requests/${id}/result?include_cost=true`))) as Json;
      expect(result).toMatchObject({
        status: 'failed',
        cost: 0,
        error: { error_code: 422001, error_message: 'Input validation failed' },
      });
      expect(result.error.detail).toEqual([
        { loc: ['body', 'images', 1], msg: expect.stringMatching(msg), type: 'image_fetch_error' },
      ]);
      expect(result.output).toBeUndefined();
      const view = harness.emulator.job(id)!;
      expect(view.outcome).toBe('failed');
      expect(view.completedAt).toBe(view.startedAt);
      expect(view.references![0]!.ok).toBe(true);
      expect(view.references![1]!.ok).toBe(false);
      expect((await fetch(`${harness.emulator.url}/files/${id}/0.jpg`)).status).toBe(404);
    }
  });

  it('learns a reference is too large while reading it when no length is declared', async () => {
    harness = await startHarness({ allowLoopbackReferences: true, maxReferenceBytes: 4_000 });
    const big = files.get('/chunky.png')!.body.length;
    expect(big).toBeGreaterThan(4_000);
    const id = await submitted({
      text: 'Generate 1 image',
      images: [`${imagesBase}/chunky.png`],
      sequential_image_generation_options: 1,
    });
    const view = await harness.emulator.referencesFetched(id);
    expect(view!.references![0]).toMatchObject({ ok: false, error: 'The image is larger than 4000 bytes' });
    harness.advance(60_000);
    expect(((await readJson(await harness.api('GET', `/v1/requests/${id}/result`))) as Json).status).toBe('failed');
  });
});
