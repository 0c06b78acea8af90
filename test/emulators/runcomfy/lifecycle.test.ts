import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, MODEL_PATH, readJson, START, startHarness } from './emulator-harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let h: Harness;
afterEach(async () => {
  await h?.emulator.close();
});

describe('job lifecycle on a fake clock', () => {
  it('goes in_queue (falling position) → in_progress → completed → succeeded with N images', async () => {
    h = await startHarness({ queueMs: 3000, baseRunMs: 1000, perImageMs: 500 });
    const submitted = await h.submit({ sequential_image_generation_options: 4 });
    expect(submitted.request_id).toMatch(UUID);
    const id = submitted.request_id;
    expect(submitted.status_url).toBe(`${h.emulator.url}/v1/requests/${id}/status`);
    expect(submitted.result_url).toBe(`${h.emulator.url}/v1/requests/${id}/result`);
    expect(submitted.cancel_url).toBe(`${h.emulator.url}/v1/requests/${id}/cancel`);

    const status = async () => readJson(await h.api('GET', submitted.status_url));
    expect(await status()).toEqual({
      request_id: id,
      status: 'in_queue',
      queue_position: 3,
      status_url: submitted.status_url,
      result_url: submitted.result_url,
    });
    h.advance(1500);
    expect((await status()).queue_position).toBe(2);
    h.advance(1499);
    expect((await status()).queue_position).toBe(1);
    expect(await readJson(await h.api('GET', submitted.result_url))).toEqual({
      request_id: id,
      status: 'in_queue',
      created_at: new Date(START).toISOString(),
    });

    h.advance(1); // queue time over: runs for 1000 + 4 × 500 ms
    const running = await status();
    expect(running.status).toBe('in_progress');
    expect(running).not.toHaveProperty('queue_position');
    h.advance(2999);
    expect((await status()).status).toBe('in_progress');
    expect((await readJson(await h.api('GET', submitted.result_url))).status).toBe('in_progress');
    expect(h.emulator.job(id)?.firstSucceededResultAt).toBeUndefined();

    h.advance(1);
    expect((await status()).status).toBe('completed');
    h.advance(250); // detected a little late
    const result = await readJson(await h.api('GET', submitted.result_url));
    expect(result).toEqual({
      request_id: id,
      status: 'succeeded',
      output: { images: [0, 1, 2, 3].map((i) => `${h.emulator.url}/files/${id}/${i}.jpg`) },
      created_at: new Date(START).toISOString(),
      finished_at: new Date(START + 6000).toISOString(),
    });

    const view = h.emulator.job(id);
    expect(view).toMatchObject({
      requestId: id,
      index: 0,
      submittedAt: START,
      startedAt: START + 3000,
      completedAt: START + 6000,
      state: 'completed',
      outcome: 'succeeded',
      cancelled: false,
      imagesReturned: 4,
      firstSucceededResultAt: START + 6250,
    });
    h.advance(5000);
    await h.api('GET', submitted.result_url);
    expect(h.emulator.job(id)?.firstSucceededResultAt).toBe(START + 6250);
    expect(h.emulator.jobs()).toHaveLength(1);
  });

  it('derives timing from functions of index, count and quality', async () => {
    const seen: unknown[] = [];
    h = await startHarness({
      queueMs: (job) => {
        seen.push(job);
        return job.index * 10_000;
      },
      runMs: (job) => (job.quality === 'standard' ? 9000 : 1000) * job.count,
    });
    const first = await h.submit({ sequential_image_generation_options: 2 });
    const second = await h.submit({ sequential_image_generation_options: 3, optimize_prompt_options: 'standard' });
    expect(seen).toEqual([
      { index: 0, count: 2, quality: 'fast' },
      { index: 1, count: 3, quality: 'standard' },
    ]);
    expect(h.emulator.job(first.request_id)).toMatchObject({ startedAt: START, completedAt: START + 2000 });
    expect(h.emulator.job(second.request_id)).toMatchObject({
      index: 1,
      startedAt: START + 10_000,
      completedAt: START + 37_000,
    });
  });

  it('applies the model defaults to omitted fields', async () => {
    h = await startHarness();
    const { request_id } = await h.submit();
    expect(h.emulator.job(request_id)?.input).toEqual({
      text: 'Generate 3 images of a lighthouse at dusk',
      sequential_image_generation_options: 3,
      image_size: '2560:1440 (16:9)',
      optimize_prompt_options: 'fast',
      sequential_image_generation: 'auto',
    });
  });
});

describe('cancel', () => {
  it('cancels a queued job', async () => {
    h = await startHarness({ queueMs: 5000 });
    const job = await h.submit();
    h.advance(1000);
    const res = await h.api('POST', job.cancel_url);
    expect(res.status).toBe(202);
    expect(await readJson(res)).toEqual({ request_id: job.request_id, status: 'cancelled', outcome: 'cancelled' });
    expect((await readJson(await h.api('GET', job.status_url))).status).toBe('cancelled');
    h.advance(60_000); // would have completed by now
    expect(await readJson(await h.api('GET', job.result_url))).toEqual({
      request_id: job.request_id,
      status: 'cancelled',
      created_at: new Date(START).toISOString(),
      finished_at: new Date(START + 1000).toISOString(),
    });
    expect(h.emulator.job(job.request_id)).toMatchObject({ state: 'cancelled', outcome: 'cancelled', cancelled: true });
    const again = await readJson(await h.api('POST', job.cancel_url));
    expect(again.outcome).toBe('cancelled');
  });

  it('refuses to cancel a running job, which then completes', async () => {
    h = await startHarness({ queueMs: 1000, runMs: 5000 });
    const job = await h.submit();
    h.advance(1000);
    const res = await h.api('POST', job.cancel_url);
    expect(res.status).toBe(202);
    expect(await readJson(res)).toEqual({
      request_id: job.request_id,
      status: 'in_progress',
      outcome: 'not_cancellable',
    });
    h.advance(5000);
    expect((await readJson(await h.api('GET', job.result_url))).status).toBe('succeeded');
    expect(h.emulator.job(job.request_id)?.cancelled).toBe(false);
  });

  it('refuses to cancel a finished job and changes nothing', async () => {
    h = await startHarness({ queueMs: 0, runMs: 10 });
    const job = await h.submit();
    h.advance(10);
    const answer = await readJson(await h.api('POST', job.cancel_url));
    expect(answer).toMatchObject({ status: 'completed', outcome: 'not_cancellable' });
    expect((await readJson(await h.api('GET', job.result_url))).status).toBe('succeeded');
  });
});

describe('auth and unknown ids', () => {
  it('answers 401 / 400004 without or with a wrong token, on every API route', async () => {
    h = await startHarness({ token: 'sekrit' });
    const job = await h.submit();
    for (const [method, path] of [
      ['POST', MODEL_PATH],
      ['GET', MODEL_PATH],
      ['GET', `/v1/requests/${job.request_id}/status`],
      ['GET', `/v1/requests/${job.request_id}/result`],
      ['POST', `/v1/requests/${job.request_id}/cancel`],
    ] as const) {
      const missing = await fetch(`${h.emulator.url}${path}`, { method });
      expect(missing.status).toBe(401);
      expect(await readJson(missing)).toEqual({ error_code: 400004, error_message: expect.any(String) });
      const wrong = await h.api(method, path, undefined, { authorization: 'Bearer nope' });
      expect(wrong.status).toBe(401);
      expect((await readJson(wrong)).error_code).toBe(400004);
    }
    expect(h.emulator.job(job.request_id)?.cancelled).toBe(false);
    expect(h.emulator.jobs()).toHaveLength(1);
  });

  it('answers 404 / 404001 for an unknown id and for an expired one', async () => {
    h = await startHarness();
    const unknown = await h.api('GET', '/v1/requests/00000000-0000-0000-0000-000000000000/status');
    expect(unknown.status).toBe(404);
    expect(await readJson(unknown)).toEqual({ error_code: 404001, error_message: expect.any(String) });

    const job = await h.submit();
    expect((await h.api('GET', job.status_url)).status).toBe(200);
    h.emulator.expire(job.request_id);
    for (const [method, url] of [
      ['GET', job.status_url],
      ['GET', job.result_url],
      ['POST', job.cancel_url],
    ] as const) {
      const res = await h.api(method, url);
      expect(res.status).toBe(404);
      expect((await readJson(res)).error_code).toBe(404001);
    }
    expect(h.emulator.job(job.request_id)?.expired).toBe(true);
  });
});

describe('submit validation', () => {
  it('answers 422 / 422001 with a detail entry per bad field', async () => {
    h = await startHarness();
    const res = await h.api('POST', MODEL_PATH, {
      text: 'x'.repeat(601),
      sequential_image_generation_options: 16,
      image_size: '1024:1024 (1:1)',
      seed: 1.5,
      optimize_prompt_options: 'turbo',
      sequential_image_generation: 'disabled',
    });
    expect(res.status).toBe(422);
    const body = await readJson(res);
    expect(body.error_code).toBe(422001);
    expect(body.error_message).toEqual(expect.any(String));
    const byField = Object.fromEntries(body.detail.map((d: { loc: string[] }) => [d.loc.join('.'), d]));
    expect(Object.keys(byField).sort()).toEqual(
      [
        'body.text',
        'body.sequential_image_generation_options',
        'body.image_size',
        'body.seed',
        'body.optimize_prompt_options',
        'body.sequential_image_generation',
      ].sort(),
    );
    expect(byField['body.text']).toMatchObject({ type: 'string_too_long', msg: expect.any(String) });
    // The model page's schema lists the counts as an enum, so 16 is not one of the literals.
    expect(byField['body.sequential_image_generation_options'].type).toBe('literal_error');
    expect(h.emulator.jobs()).toHaveLength(0);
  });

  it.each([
    [{}, 'body.text', 'missing'],
    [{ text: '' }, 'body.text', 'string_too_short'],
    [
      { text: 'a', sequential_image_generation_options: 0 },
      'body.sequential_image_generation_options',
      'literal_error',
    ],
    [{ text: 'a', sequential_image_generation_options: '3' }, 'body.sequential_image_generation_options', 'int_type'],
  ])('rejects %j at %s (%s)', async (input, loc, type) => {
    h = await startHarness();
    const res = await h.api('POST', MODEL_PATH, input);
    expect(res.status).toBe(422);
    const body = await readJson(res);
    expect(body.detail).toContainEqual({ loc: loc.split('.'), msg: expect.any(String), type });
  });

  it('accepts every documented size and the bounds 1 and 15', async () => {
    h = await startHarness();
    const sizes = [
      '2048:2048 (1:1)',
      '2304:1728 (4:3)',
      '1728:2304 (3:4)',
      '2560:1440 (16:9)',
      '1440:2560 (9:16)',
      '2496:1664 (3:2)',
      '1664:2496 (2:3)',
      '3024:1296 (21:9)',
    ];
    for (const [i, image_size] of sizes.entries()) {
      await h.submit({ image_size, sequential_image_generation_options: i % 2 === 0 ? 1 : 15, seed: i });
    }
    expect(h.emulator.jobs().map((job) => job.input.image_size)).toEqual(sizes);
  });

  it('answers 422 for a body that is not JSON', async () => {
    h = await startHarness();
    const res = await h.api('POST', MODEL_PATH, '{"text": ');
    expect(res.status).toBe(422);
    expect((await readJson(res)).detail[0].type).toBe('json_invalid');
  });

  it('answers 400 / 400001 for an unknown model id', async () => {
    h = await startHarness();
    const res = await h.api('POST', '/v1/models/bytedance/seedream-3-0/sequential', { text: 'a' });
    expect(res.status).toBe(400);
    expect(await readJson(res)).toEqual({ error_code: 400001, error_message: expect.any(String) });
    expect((await h.api('GET', '/v1/models/nope')).status).toBe(400);
  });
});

describe('model info and cost', () => {
  it('serves model info with the configured price', async () => {
    h = await startHarness({ pricePerImageUsd: 0.035 });
    const res = await h.api('GET', MODEL_PATH);
    expect(res.status).toBe(200);
    expect(await readJson(res)).toEqual({
      model_id: 'bytedance/seedream-4-0/sequential',
      name: expect.any(String),
      base_price_usd: 0.035,
      price_unit: 'image',
      pricing_note: expect.any(String),
    });
  });

  it('adds cost only with ?include_cost=true, billed on the count asked for', async () => {
    h = await startHarness({ queueMs: 0, runMs: 0 });
    const job = await h.submit({ sequential_image_generation_options: 7 });
    h.emulator.inject({ kind: 'fewer-images', requestId: job.request_id, count: 2 });
    expect(await readJson(await h.api('GET', job.result_url))).not.toHaveProperty('cost');
    const costed = await readJson(await h.api('GET', `${job.result_url}?include_cost=true`));
    expect(costed.cost).toBe(0.21);
    expect(costed.output.images).toHaveLength(2);
  });
});

describe('recorded calls', () => {
  it('records every request with route, request id, status and fault', async () => {
    h = await startHarness();
    const job = await h.submit();
    h.advance(10);
    h.emulator.inject({ kind: 'server-error', route: 'status' });
    await h.api('GET', job.status_url);
    await h.api('GET', '/nowhere');
    await fetch(`${h.emulator.url}${MODEL_PATH}`);
    expect(h.emulator.calls).toEqual([
      { at: START, method: 'POST', path: MODEL_PATH, route: 'submit', requestId: job.request_id, status: 200 },
      {
        at: START + 10,
        method: 'GET',
        path: `/v1/requests/${job.request_id}/status`,
        route: 'status',
        requestId: job.request_id,
        status: 503,
        fault: 'server-error',
      },
      { at: START + 10, method: 'GET', path: '/nowhere', route: 'unknown', status: 404 },
      { at: START + 10, method: 'GET', path: MODEL_PATH, route: 'model', status: 401 },
    ]);
  });

  it('records nothing when recordCalls is off', async () => {
    h = await startHarness({ recordCalls: false });
    await h.submit();
    expect(h.emulator.calls).toEqual([]);
  });
});
