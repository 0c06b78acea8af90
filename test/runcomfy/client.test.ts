import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunComfyEmulator, startRunComfyEmulator } from '../../src/emulators/runcomfy/index.js';
import { AbortedError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { RunComfyClient } from '../../src/runcomfy/client.js';
import {
  RunComfyAuthError,
  RunComfyInsufficientBalanceError,
  RunComfyModelUnknownError,
  RunComfyNetworkError,
  RunComfyNotFoundError,
  RunComfyRateLimitError,
  RunComfyServerError,
  RunComfySubmitUncertainError,
  RunComfyTimeoutError,
  RunComfyUnexpectedResponseError,
  RunComfyValidationError,
} from '../../src/runcomfy/errors.js';

const MODEL = 'bytedance/seedream-4-0/sequential';

const INPUT = {
  text: 'Generate 3 images of a lighthouse at dusk',
  sequential_image_generation_options: 3,
  image_size: '2560:1440 (16:9)',
  optimize_prompt_options: 'fast',
  sequential_image_generation: 'auto',
} as const;

const FAST_RETRY = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 50 };

let now = 1_700_000_000_000;
let emulator: RunComfyEmulator;
let client: RunComfyClient;
const logLines: string[] = [];

beforeAll(async () => {
  emulator = await startRunComfyEmulator({ clock: () => now, queueMs: 2_000, baseRunMs: 1_000, perImageMs: 500 });
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  client = new RunComfyClient({
    baseUrl: emulator.url,
    token: emulator.token,
    timeoutMs: 2_000,
    retry: FAST_RETRY,
    logger: createLogger({ level: 'debug' }, sink),
  });
});

afterAll(async () => {
  await client.close();
  await emulator.close();
});

afterEach(() => {
  vi.useRealTimers();
});

function callsTo(route: string, requestId?: string) {
  return emulator.calls.filter((c) => c.route === route && (requestId === undefined || c.requestId === requestId));
}

async function expectError<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

describe('RunComfyClient happy path', () => {
  it('follows a job from submit to a succeeded result with images', async () => {
    const submitted = await client.submit(MODEL, INPUT);
    expect(submitted.request_id).toMatch(/\S/);

    const queued = await client.status(submitted.request_id);
    expect(queued.status).toBe('in_queue');
    expect(queued.queue_position).toBeGreaterThan(0);

    now += 2_500;
    expect((await client.status(submitted.request_id)).status).toBe('in_progress');
    expect((await client.result(submitted.request_id)).status).toBe('in_progress');

    now += 3_000;
    expect((await client.status(submitted.request_id)).status).toBe('completed');
    const result = await client.result(submitted.request_id, { includeCost: true });
    expect(result.status).toBe('succeeded');
    expect((result.output as { images: string[] }).images).toHaveLength(3);
    expect(result.cost).toBeCloseTo(0.09);
  });

  it('cancels a queued job and reports not_cancellable for a running one', async () => {
    const queued = await client.submit(MODEL, INPUT);
    expect((await client.cancel(queued.request_id)).outcome).toBe('cancelled');
    expect((await client.status(queued.request_id)).status).toBe('cancelled');

    const running = await client.submit(MODEL, INPUT);
    now += 2_500;
    expect((await client.cancel(running.request_id)).outcome).toBe('not_cancellable');
  });

  it('reads model info with its price', async () => {
    const info = await client.modelInfo(MODEL);
    expect(info.base_price_usd).toBe(0.03);
  });

  it('tolerates unknown extra fields and unknown status values', async () => {
    const { request_id } = await client.submit(MODEL, INPUT);
    emulator.inject({ kind: 'extra-fields', route: 'status' });
    expect((await client.status(request_id)).status).toBe('in_queue');
    emulator.inject({ kind: 'unknown-status', route: 'status', status: 'warming_up' });
    expect((await client.status(request_id)).status).toBe('warming_up');
  });

  it('passes a failed job and a short set through as results', async () => {
    emulator.inject({ kind: 'job-fails', error: { message: 'content policy' } });
    const failing = await client.submit(MODEL, INPUT);
    emulator.inject({ kind: 'fewer-images', count: 2 });
    const short = await client.submit(MODEL, INPUT);
    now += 10_000;
    const failed = await client.result(failing.request_id);
    expect(failed.status).toBe('failed');
    expect(JSON.stringify(failed.error)).toContain('content policy');
    const partial = await client.result(short.request_id);
    expect((partial.output as { images: string[] }).images).toHaveLength(2);
  });
});

describe('RunComfyClient typed errors', () => {
  it('maps a wrong token to RunComfyAuthError without leaking the token', async () => {
    const stranger = new RunComfyClient({
      baseUrl: emulator.url,
      token: 'sk-very-secret-token',
      retry: FAST_RETRY,
    });
    const error = await expectError(stranger.status('whatever'), RunComfyAuthError);
    expect(error.status).toBe(401);
    expect(error.apiErrorCode).toBe(400004);
    expect(JSON.stringify(error.toLog())).not.toContain('sk-very-secret-token');
    expect(error.message).not.toContain('sk-very-secret-token');
    await stranger.close();
  });

  it('maps insufficient balance (402 and 400002)', async () => {
    emulator.inject({ kind: 'http-error', route: 'submit', status: 402, errorCode: 400002, message: 'no money' });
    const error = await expectError(client.submit(MODEL, INPUT), RunComfyInsufficientBalanceError);
    expect(error.status).toBe(402);
    expect(error.apiErrorCode).toBe(400002);
  });

  it('maps expired request ids (404001) to RunComfyNotFoundError with the request id', async () => {
    const { request_id } = await client.submit(MODEL, INPUT);
    emulator.expire(request_id);
    const error = await expectError(client.status(request_id), RunComfyNotFoundError);
    expect(error.apiErrorCode).toBe(404001);
    expect(error.requestId).toBe(request_id);
    expect(callsTo('status', request_id)).toHaveLength(1); // not retried
  });

  it('maps validation errors (422001) with their field details, and does not retry them', async () => {
    const before = callsTo('submit').length;
    const error = await expectError(
      client.submit(MODEL, { ...INPUT, sequential_image_generation_options: 99 }),
      RunComfyValidationError,
    );
    expect(error.status).toBe(422);
    expect(error.issues.map((i) => i.field)).toContain('sequential_image_generation_options');
    expect(callsTo('submit').length - before).toBe(1);
  });

  it('maps an unknown model (400001)', async () => {
    const wrongModel = new RunComfyClient({
      baseUrl: emulator.url,
      token: emulator.token,
      retry: FAST_RETRY,
    });
    await expectError(wrongModel.submit('nobody/no-model', INPUT), RunComfyModelUnknownError);
    await wrongModel.close();
  });

  it('treats an HTTP 200 with an error_code body as an error', async () => {
    emulator.inject({ kind: 'error-body-200', route: 'model', errorCode: 400002, message: 'balance' });
    const error = await expectError(client.modelInfo(MODEL), RunComfyInsufficientBalanceError);
    expect(error.status).toBe(200);
  });

  it('maps malformed JSON to RunComfyUnexpectedResponseError', async () => {
    const { request_id } = await client.submit(MODEL, INPUT);
    emulator.inject({ kind: 'malformed-json', route: 'status', requestId: request_id });
    const error = await expectError(client.status(request_id), RunComfyUnexpectedResponseError);
    expect(error.requestId).toBe(request_id);
  });
});

describe('RunComfyClient retries', () => {
  it('retries 5xx on GETs and then succeeds', async () => {
    const { request_id } = await client.submit(MODEL, INPUT);
    emulator.inject({ kind: 'server-error', route: 'status', requestId: request_id, status: 502, times: 2 });
    expect((await client.status(request_id)).status).toBeDefined();
    expect(callsTo('status', request_id).map((c) => c.status)).toEqual([502, 502, 200]);
  });

  it('gives up on a 5xx burst longer than the policy with RunComfyServerError', async () => {
    const { request_id } = await client.submit(MODEL, INPUT);
    emulator.inject({ kind: 'server-error', route: 'result', requestId: request_id, times: 10 });
    const error = await expectError(client.result(request_id), RunComfyServerError);
    expect(error.status).toBe(503);
    expect(callsTo('result', request_id)).toHaveLength(FAST_RETRY.maxAttempts);
  });

  it('retries a connection reset on a GET', async () => {
    const { request_id } = await client.submit(MODEL, INPUT);
    emulator.inject({ kind: 'connection-reset', route: 'status', requestId: request_id });
    expect((await client.status(request_id)).request_id).toBe(request_id);
    expect(callsTo('status', request_id)).toHaveLength(2);
  });

  it('times out a request that never answers, and retries it', async () => {
    const { request_id } = await client.submit(MODEL, INPUT);
    emulator.inject({ kind: 'hang', route: 'status', requestId: request_id, times: 10 });
    const error = await expectError(
      client.status(request_id, { timeoutMs: 100, retry: { ...FAST_RETRY, maxAttempts: 2 } }),
      RunComfyTimeoutError,
    );
    expect(error.requestId).toBe(request_id);
    expect(callsTo('status', request_id)).toHaveLength(2);
  });

  it('honours Retry-After on a 429 (and backs off without one)', async () => {
    const { request_id } = await client.submit(MODEL, INPUT);
    logLines.length = 0;
    emulator.inject({ kind: 'rate-limit', route: 'status', requestId: request_id, retryAfterSeconds: null });
    await client.status(request_id);

    // Retry-After: 2 s. Fake timers drive the client's sleep; real sockets keep working.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    emulator.inject({ kind: 'rate-limit', route: 'status', requestId: request_id, retryAfterSeconds: 2 });
    const pending = client.status(request_id, { retry: { ...FAST_RETRY, maxDelayMs: 5_000 } });
    await vi.waitFor(() => expect(callsTo('status', request_id)).toHaveLength(3));
    await vi.advanceTimersByTimeAsync(1_900);
    expect(callsTo('status', request_id)).toHaveLength(3); // still waiting out the Retry-After
    await vi.advanceTimersByTimeAsync(400);
    await pending;

    const delays = logLines
      .map((l) => JSON.parse(l) as { msg: string; delayMs?: number })
      .filter((l) => l.msg === 'runcomfy retry');
    expect(delays).toHaveLength(2);
    expect(delays[0]!.delayMs).toBeLessThanOrEqual(FAST_RETRY.baseDelayMs);
    expect(delays[1]!.delayMs).toBeGreaterThanOrEqual(2_000);
    expect(callsTo('status', request_id).map((c) => c.status)).toEqual([429, 200, 429, 200]);
    expect(logLines.join('')).not.toContain(emulator.token);
  });

  it('surfaces a 429 whose Retry-After exceeds the cap as RunComfyRateLimitError', async () => {
    const { request_id } = await client.submit(MODEL, INPUT);
    emulator.inject({ kind: 'rate-limit', route: 'status', requestId: request_id, retryAfterSeconds: 120 });
    const error = await expectError(client.status(request_id), RunComfyRateLimitError);
    expect(error.retryAfterMs).toBe(120_000);
    expect(error.status).toBe(429);
  });

  it('retries cancel (idempotent on RunComfy)', async () => {
    const { request_id } = await client.submit(MODEL, INPUT);
    emulator.inject({ kind: 'server-error', route: 'cancel', requestId: request_id });
    expect((await client.cancel(request_id)).outcome).toBe('cancelled');
    expect(callsTo('cancel', request_id)).toHaveLength(2);
  });

  it('never aborts-and-retries: an aborted call rejects with AbortedError at once', async () => {
    const { request_id } = await client.submit(MODEL, INPUT);
    emulator.inject({ kind: 'hang', route: 'status', requestId: request_id });
    const controller = new AbortController();
    const pending = client.status(request_id, { signal: controller.signal });
    // Abort once the request is hanging on the server (not before it was even sent).
    await vi.waitFor(() => expect(callsTo('status', request_id)).toHaveLength(1));
    controller.abort();
    await expectError(pending, AbortedError);
    expect(callsTo('status', request_id)).toHaveLength(1);
  });
});

describe('RunComfyClient submit is never re-sent once it may have reached RunComfy', () => {
  it('does not re-send a submit whose connection was reset after the server took it', async () => {
    const before = emulator.jobs().length;
    const submitsBefore = callsTo('submit').length;
    emulator.inject({ kind: 'connection-reset', route: 'submit', afterProcessing: true });
    const error = await expectError(client.submit(MODEL, INPUT), RunComfySubmitUncertainError);
    expect(error.cause).toBeInstanceOf(RunComfyNetworkError);
    expect(callsTo('submit').length - submitsBefore).toBe(1);
    expect(emulator.jobs().length - before).toBe(1); // charged once, never twice
  });

  it('does not re-send a submit that timed out', async () => {
    const submitsBefore = callsTo('submit').length;
    emulator.inject({ kind: 'hang', route: 'submit' });
    await expectError(client.submit(MODEL, INPUT, { timeoutMs: 100 }), RunComfySubmitUncertainError);
    expect(callsTo('submit').length - submitsBefore).toBe(1);
  });

  it('does not re-send a submit answered with a 5xx', async () => {
    const submitsBefore = callsTo('submit').length;
    emulator.inject({ kind: 'server-error', route: 'submit' });
    await expectError(client.submit(MODEL, INPUT), RunComfyServerError);
    expect(callsTo('submit').length - submitsBefore).toBe(1);
  });

  it('re-sends a submit rejected with 429 (nothing was started)', async () => {
    const submitsBefore = callsTo('submit').length;
    emulator.inject({ kind: 'rate-limit', route: 'submit', retryAfterSeconds: null });
    await client.submit(MODEL, INPUT);
    expect(callsTo('submit').length - submitsBefore).toBe(2);
  });

  it('re-sends a submit whose connection could not be made at all', async () => {
    const closed = await startRunComfyEmulator();
    const url = closed.url;
    await closed.close();
    const offline = new RunComfyClient({
      baseUrl: url,
      token: 't',
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    });
    const error = await expectError(offline.submit(MODEL, INPUT), RunComfyNetworkError);
    expect(error.requestSent).toBe(false);
    expect(error.params.reason).toBe('ECONNREFUSED');
    await offline.close();
  });
});
