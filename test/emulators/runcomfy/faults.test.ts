import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_JOB_ERROR } from '../../../src/emulators/runcomfy/index.js';
import { type Harness, MODEL_PATH, readJson, startHarness } from './emulator-harness.js';

let h: Harness;
afterEach(async () => {
  await h?.emulator.close();
});

/** Rejects with the network error fetch reports when the socket dies. */
async function expectSocketFailure(request: Promise<Response>): Promise<void> {
  const error = await request.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TypeError);
  const code = ((error as TypeError).cause as { code?: string } | undefined)?.code;
  expect(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']).toContain(code);
}

describe('response faults', () => {
  it('rate-limit: 429 with Retry-After 1 by default, a chosen value, or none', async () => {
    h = await startHarness();
    h.emulator.inject({ kind: 'rate-limit', route: 'submit' });
    h.emulator.inject({ kind: 'rate-limit', route: 'submit', retryAfterSeconds: 7 });
    h.emulator.inject({ kind: 'rate-limit', route: 'submit', retryAfterSeconds: null });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await h.api('POST', MODEL_PATH, { text: 'a' }));
    expect(answers.map((r) => r.status)).toEqual([429, 429, 429]);
    expect(answers.map((r) => r.headers.get('retry-after'))).toEqual(['1', '7', null]);
    expect(await answers[0]!.json()).toEqual({ error_code: 429001, error_message: expect.any(String) });
    expect(h.emulator.jobs()).toHaveLength(0);
    expect((await h.api('POST', MODEL_PATH, { text: 'a' })).status).toBe(200);
  });

  it('server-error: 503 by default or the chosen status, with an error body', async () => {
    h = await startHarness();
    h.emulator.inject({ kind: 'server-error', route: 'model' });
    h.emulator.inject({ kind: 'server-error', route: 'model', status: 502 });
    const first = await h.api('GET', MODEL_PATH);
    expect(first.status).toBe(503);
    expect(await readJson(first)).toEqual({ error_code: 503000, error_message: expect.any(String) });
    expect((await h.api('GET', MODEL_PATH)).status).toBe(502);
    expect((await h.api('GET', MODEL_PATH)).status).toBe(200);
  });

  it('http-error: any status, error_code, message and detail; the request has no effect', async () => {
    h = await startHarness();
    h.emulator.inject({ kind: 'http-error', route: 'submit', status: 402, errorCode: 400002, message: 'Top up' });
    h.emulator.inject({
      kind: 'http-error',
      route: 'submit',
      status: 422,
      errorCode: 422001,
      message: 'Invalid',
      detail: [{ loc: ['body', 'text'], msg: 'must state a count', type: 'value_error' }],
    });
    const balance = await h.api('POST', MODEL_PATH, { text: 'a' });
    expect(balance.status).toBe(402);
    expect(await readJson(balance)).toEqual({ error_code: 400002, error_message: 'Top up' });
    const invalid = await h.api('POST', MODEL_PATH, { text: 'a' });
    expect(invalid.status).toBe(422);
    expect(await readJson(invalid)).toEqual({
      error_code: 422001,
      error_message: 'Invalid',
      detail: [{ loc: ['body', 'text'], msg: 'must state a count', type: 'value_error' }],
    });
    expect(h.emulator.jobs()).toHaveLength(0);
  });

  it('error-body-200: HTTP 200 whose body is an error', async () => {
    h = await startHarness();
    h.emulator.inject({ kind: 'error-body-200', route: 'submit', errorCode: 400004, message: 'Token expired' });
    const res = await h.api('POST', MODEL_PATH, { text: 'a' });
    expect(res.status).toBe(200);
    expect(await readJson(res)).toEqual({ error_code: 400004, error_message: 'Token expired' });
    expect(h.emulator.jobs()).toHaveLength(0);
  });

  it('connection-reset: the socket dies unanswered and nothing happens', async () => {
    h = await startHarness();
    h.emulator.inject({ kind: 'connection-reset', route: 'submit' });
    await expectSocketFailure(h.api('POST', MODEL_PATH, { text: 'a' }));
    expect(h.emulator.jobs()).toHaveLength(0);
    expect(h.emulator.calls[0]).toMatchObject({ route: 'submit', status: 0, fault: 'connection-reset' });
    expect((await h.api('POST', MODEL_PATH, { text: 'a' })).status).toBe(200);
  });

  it('connection-reset afterProcessing: the job exists although the client saw a reset', async () => {
    h = await startHarness();
    h.emulator.inject({ kind: 'connection-reset', route: 'submit', afterProcessing: true });
    await expectSocketFailure(h.api('POST', MODEL_PATH, { text: 'a' }));
    const jobs = h.emulator.jobs();
    expect(jobs).toHaveLength(1);
    expect(h.emulator.calls[0]).toMatchObject({ status: 0, requestId: jobs[0]!.requestId });
  });

  it('hang: never answers and holds the socket until close()', async () => {
    h = await startHarness();
    const job = await h.submit();
    h.emulator.inject({ kind: 'hang', route: 'status' });
    let settled = false;
    const hung = h.api('GET', job.status_url).finally(() => {
      settled = true;
    });
    await vi.waitFor(() => expect(h.emulator.calls.some((c) => c.fault === 'hang')).toBe(true));
    // Later requests are answered while the hung one still waits.
    expect((await h.api('GET', job.result_url)).status).toBe(200);
    expect((await h.api('GET', job.status_url)).status).toBe(200);
    expect(settled).toBe(false);
    await h.emulator.close();
    await expectSocketFailure(hung);
    expect(h.emulator.calls.find((c) => c.fault === 'hang')?.status).toBe(0);
  });

  it('slow: answers correctly but only after the real delay', async () => {
    h = await startHarness();
    h.emulator.inject({ kind: 'slow', route: 'model', delayMs: 200 });
    const started = performance.now();
    const res = await h.api('GET', MODEL_PATH);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(res.status).toBe(200);
    expect((await readJson(res)).price_unit).toBe('image');
    expect(h.emulator.calls[0]).toMatchObject({ status: 200, fault: 'slow' });
  });

  it('malformed-json: the normal status with a truncated body; the request still took effect', async () => {
    h = await startHarness();
    h.emulator.inject({ kind: 'malformed-json', route: 'submit' });
    const res = await h.api('POST', MODEL_PATH, { text: 'a' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const text = await res.text();
    expect(text.startsWith('{"request_id":"')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
    expect(h.emulator.jobs()).toHaveLength(1);
  });

  it('extra-fields: the normal answer plus unknown fields at top level and inside', async () => {
    h = await startHarness({ queueMs: 0, runMs: 0 });
    const job = await h.submit();
    h.emulator.inject({ kind: 'extra-fields', route: 'result' });
    const body = await readJson(await h.api('GET', job.result_url));
    expect(body.status).toBe('succeeded');
    expect(body.output.images).toHaveLength(3);
    expect(body.output.x_emulator_extra).toBe('unknown field');
    expect(body.instance_id).toEqual(expect.any(String));
    expect(body.x_emulator_meta).toEqual(expect.any(Object));
    expect(h.emulator.job(job.request_id)?.firstSucceededResultAt).toBeDefined();
  });

  it('unknown-status: the status endpoint answers a state outside the documented ones, once', async () => {
    h = await startHarness();
    const job = await h.submit();
    h.emulator.inject({ kind: 'unknown-status', route: 'status' });
    h.emulator.inject({ kind: 'unknown-status', route: 'status', status: 'pending' });
    expect((await readJson(await h.api('GET', job.status_url))).status).toBe('warming_up');
    expect((await readJson(await h.api('GET', job.status_url))).status).toBe('pending');
    expect((await readJson(await h.api('GET', job.status_url))).status).toBe('in_queue');
  });
});

describe('fault matching', () => {
  it('matches by route and by request id, first match wins, `times` counts hits', async () => {
    h = await startHarness();
    const a = await h.submit();
    const b = await h.submit();
    h.emulator.inject({ kind: 'server-error', route: 'result', times: 2 });
    h.emulator.inject({ kind: 'http-error', requestId: b.request_id, status: 418 });
    h.emulator.inject({ kind: 'server-error', route: 'status', status: 500 });

    expect((await h.api('GET', a.status_url)).status).toBe(500); // result fault skipped, status fault hit
    expect((await h.api('GET', a.status_url)).status).toBe(200);
    expect((await h.api('GET', a.result_url)).status).toBe(503);
    expect((await h.api('GET', b.result_url)).status).toBe(503); // earlier result fault wins
    expect((await h.api('GET', a.result_url)).status).toBe(200);
    expect((await h.api('GET', a.status_url)).status).toBe(200); // b's fault does not hit a
    expect((await h.api('GET', b.status_url)).status).toBe(418);
    expect((await h.api('GET', b.status_url)).status).toBe(200);
  });

  it('skips kinds that mean nothing on a route without consuming them', async () => {
    h = await startHarness();
    h.emulator.inject({ kind: 'unknown-status' });
    const job = await h.submit(); // submit has no status field to disguise
    expect(h.emulator.calls[0]?.fault).toBeUndefined();
    expect((await readJson(await h.api('GET', job.status_url))).status).toBe('warming_up');
  });
});

describe('job behaviours', () => {
  it('job-fails: completed on status, failed with the given error on result', async () => {
    h = await startHarness({ queueMs: 0, runMs: 100 });
    h.emulator.inject({ kind: 'job-fails', error: { code: 'NSFW', details: ['frame 2'] } });
    const failing = await h.submit();
    const fine = await h.submit();
    h.advance(100);
    expect((await readJson(await h.api('GET', failing.status_url))).status).toBe('completed');
    const result = await readJson(await h.api('GET', `${failing.result_url}?include_cost=true`));
    expect(result).toMatchObject({ status: 'failed', error: { code: 'NSFW', details: ['frame 2'] }, cost: 0 });
    expect(result).not.toHaveProperty('output');
    expect(result.finished_at).toEqual(expect.any(String));
    expect(h.emulator.job(failing.request_id)).toMatchObject({ outcome: 'failed', faults: ['job-fails'] });
    expect((await readJson(await h.api('GET', fine.result_url))).status).toBe('succeeded');
  });

  it('job-fails without an error uses the default one, and can target an existing job', async () => {
    h = await startHarness({ queueMs: 0, runMs: 0 });
    const job = await h.submit();
    h.emulator.inject({ kind: 'job-fails', requestId: job.request_id });
    expect((await readJson(await h.api('GET', job.result_url))).error).toEqual(DEFAULT_JOB_ERROR);
  });

  it('fewer-images: the result lists only k images and later ones are 404', async () => {
    h = await startHarness({ queueMs: 0, runMs: 0 });
    h.emulator.inject({ kind: 'fewer-images', count: 2 });
    const job = await h.submit({ sequential_image_generation_options: 5 });
    const result = await readJson(await h.api('GET', job.result_url));
    expect(result.output.images).toEqual([0, 1].map((i) => `${h.emulator.url}/files/${job.request_id}/${i}.jpg`));
    expect(h.emulator.job(job.request_id)?.imagesReturned).toBe(2);
    expect((await fetch(`${h.emulator.url}/files/${job.request_id}/2.jpg`)).status).toBe(404);
  });

  it('image-404: that image URL answers 404 while the others serve', async () => {
    h = await startHarness({ queueMs: 0, runMs: 0 });
    h.emulator.inject({ kind: 'image-404', index: 1 });
    const job = await h.submit({ sequential_image_generation_options: 2, image_size: '2048:2048 (1:1)' });
    const [first, second] = (await readJson(await h.api('GET', job.result_url))).output.images;
    expect((await fetch(second)).status).toBe(404);
    const ok = await fetch(first);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/jpeg');
  });

  it('expired: the submit answers, then the id is unknown', async () => {
    h = await startHarness();
    h.emulator.inject({ kind: 'expired' });
    const job = await h.submit();
    const res = await h.api('GET', job.status_url);
    expect(res.status).toBe(404);
    expect((await readJson(res)).error_code).toBe(404001);
    expect(h.emulator.job(job.request_id)).toMatchObject({ expired: true, faults: ['expired'] });
  });

  it('is not consumed by a submit that was refused', async () => {
    h = await startHarness({ queueMs: 0, runMs: 0 });
    h.emulator.inject({ kind: 'job-fails' });
    expect((await h.api('POST', MODEL_PATH, { text: '' })).status).toBe(422);
    const job = await h.submit();
    expect((await readJson(await h.api('GET', job.result_url))).status).toBe('failed');
  });

  it('throws when targeting a job that does not exist', async () => {
    h = await startHarness();
    expect(() => h.emulator.inject({ kind: 'job-fails', requestId: 'nope' })).toThrow(/nope/);
  });
});

describe('random faults', () => {
  it('hits only the chosen routes with the chosen kinds, and stops when cleared', async () => {
    h = await startHarness({ random: () => 0 });
    const job = await h.submit();
    h.emulator.setRandomFaults({ probability: 1, kinds: ['server-error'], routes: ['status'] });
    expect((await h.api('GET', job.status_url)).status).toBe(503);
    expect((await h.api('GET', job.status_url)).status).toBe(503);
    expect((await h.api('GET', job.result_url)).status).toBe(200);
    h.emulator.setRandomFaults(null);
    expect((await h.api('GET', job.status_url)).status).toBe(200);
  });

  it('follows the probability', async () => {
    const draws = [0.5, 0.2, 0.9];
    let i = 0;
    h = await startHarness({ random: () => draws[i++ % draws.length]! });
    const job = await h.submit();
    i = 0;
    h.emulator.setRandomFaults({ probability: 0.3, kinds: ['http-error'] });
    // Draws: 0.5 miss; 0.2 hit (then 0.9 picks the kind); 0.5 miss.
    const statuses = [];
    for (let n = 0; n < 3; n++) statuses.push((await h.api('GET', job.status_url)).status);
    expect(statuses).toEqual([200, 500, 200]);
  });

  it('can give new jobs behaviours', async () => {
    h = await startHarness({ random: () => 0, queueMs: 0, runMs: 0 });
    h.emulator.setRandomFaults({ probability: 1, kinds: ['job-fails'] });
    const job = await h.submit();
    expect((await readJson(await h.api('GET', job.result_url))).status).toBe('failed');
  });
});

describe('rate limiter', () => {
  it('lets n requests through per second of the clock, then 429 with Retry-After', async () => {
    h = await startHarness({ rateLimit: { requestsPerSecond: 3 } });
    const statuses = [];
    for (let n = 0; n < 3; n++) statuses.push((await h.api('GET', MODEL_PATH)).status);
    expect(statuses).toEqual([200, 200, 200]);
    const limited = await h.api('GET', MODEL_PATH);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(Number(limited.headers.get('retry-after')))).toBe(true);
    expect(await readJson(limited)).toEqual({ error_code: 429001, error_message: expect.any(String) });
    h.advance(400); // 1.2 tokens back
    expect((await h.api('GET', MODEL_PATH)).status).toBe(200);
    expect((await h.api('GET', MODEL_PATH)).status).toBe(429);
    h.advance(1000);
    expect((await h.api('GET', MODEL_PATH)).status).toBe(200);
  });

  it('uses the configured Retry-After and leaves files alone', async () => {
    h = await startHarness({ rateLimit: { requestsPerSecond: 1, retryAfterSeconds: 5 }, queueMs: 0, runMs: 0 });
    const job = await h.submit();
    const limited = await h.api('GET', job.result_url);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('5');
    h.advance(1000);
    const result = await readJson(await h.api('GET', job.result_url));
    expect(result.status).toBe('succeeded');
    // The one token of this second is spent, yet the CDN still serves.
    for (const url of result.output.images) expect((await fetch(url, { method: 'HEAD' })).status).toBe(200);
    expect((await h.api('GET', job.status_url)).status).toBe(429);
  });
});
