/**
 * RunComfy Model API client on undici. Every answer is parsed with zod; every failure is a
 * typed RunComfyError. GETs and cancel retry transient failures; a submit is re-sent only
 * when the connection failed before the request left (or on a 429, which did nothing).
 */
import { Agent, type Dispatcher, request } from 'undici';
import type { z } from 'zod';
import { AbortedError } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, type RetryPolicy, withRetry } from '../util/retry.js';
import { combineSignals, TimeoutSignalReason } from '../util/sleep.js';
import {
  isTransient,
  RunComfyAuthError,
  type RunComfyError,
  RunComfyInsufficientBalanceError,
  RunComfyModelUnknownError,
  RunComfyNetworkError,
  RunComfyNotFoundError,
  RunComfyRateLimitError,
  RunComfyResponseTooLargeError,
  RunComfyServerError,
  RunComfySubmitUncertainError,
  RunComfyTimeoutError,
  RunComfyUnexpectedResponseError,
  RunComfyValidationError,
  type ValidationIssue,
} from './errors.js';
import {
  type CancelResponse,
  cancelResponseSchema,
  type ErrorBody,
  errorBodySchema,
  type ModelInfo,
  modelInfoSchema,
  type ResultResponse,
  resultResponseSchema,
  type StatusResponse,
  type SubmitResponse,
  statusResponseSchema,
  submitResponseSchema,
} from './schemas.js';

export interface RunComfyClientOptions {
  baseUrl: string;
  token: string;
  /** Per-call timeout (whole request, body included). */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Inject a dispatcher (tests, proxies); by default a keep-alive Agent owned by the client. */
  dispatcher?: Dispatcher;
  logger?: Logger;
  /** Injected for deterministic backoff in tests. */
  random?: () => number;
  /** Largest answer body read (default 1 MiB; a result of 15 URLs is about 2 KB). */
  maxBodyBytes?: number;
  /** Told of every HTTP call when it ends (metrics): its route, and its status or 'error' when none came. */
  onCall?: (call: RunComfyCallInfo) => void;
  /**
   * Who is calling (e.g. host:pid of the bot process), sent as `x-caller-id`: with several
   * processes, logs and the emulator can tell whose call each one was.
   */
  callerId?: string;
}

export interface RunComfyCallInfo {
  method: 'GET' | 'POST';
  /** The path with the request id replaced by `{id}`. */
  route: string;
  status: number | 'error';
  durationMs: number;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Override the retry policy for this call (e.g. `{ ...p, maxAttempts: 1 }` for the poller). */
  retry?: RetryPolicy;
}

type Method = 'GET' | 'POST';

// Errors of the connection phase: the request never left this machine, so re-sending is safe.
const CONNECT_PHASE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CONNECT',
]);

export class RunComfyClient {
  readonly #baseUrl: string;
  readonly #authorization: string;
  readonly #callerId: string | undefined;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #log: Logger;
  readonly #random: () => number;
  readonly #onCall: ((call: RunComfyCallInfo) => void) | undefined;
  readonly #maxBodyBytes: number;

  constructor(options: RunComfyClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    // Kept private and only ever placed in the request headers: never logged, never in an error.
    this.#authorization = `Bearer ${options.token}`;
    this.#callerId = options.callerId;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, connections: 64 });
    this.#log = options.logger ?? silentLogger;
    this.#random = options.random ?? Math.random;
    this.#onCall = options.onCall;
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  /** Submits a generation. Paid: never re-sent once it may have reached RunComfy. */
  /** `modelId` is RunComfy's (e.g. `bytedance/seedream-4-0/sequential`): each call names its model. */
  async submit(modelId: string, input: unknown, options: CallOptions = {}): Promise<SubmitResponse> {
    const path = `/v1/models/${modelId}`;
    return withRetry(
      async () => {
        try {
          return await this.#call('POST', path, submitResponseSchema, { body: input, options });
        } catch (error) {
          throw toSubmitError(error);
        }
      },
      {
        policy: options.retry ?? this.#retry,
        signal: options.signal,
        random: this.#random,
        decide: (error) => {
          if (error instanceof RunComfyRateLimitError) return { retry: true, afterMs: error.retryAfterMs };
          if (error instanceof RunComfyNetworkError && !error.requestSent) return { retry: true };
          return { retry: false };
        },
        onRetry: (info) => this.#logRetry('submit', info),
      },
    );
  }

  status(requestId: string, options: CallOptions = {}): Promise<StatusResponse> {
    return this.#idempotent(
      'GET',
      `/v1/requests/${encodeId(requestId)}/status`,
      statusResponseSchema,
      requestId,
      options,
    );
  }

  result(requestId: string, options: CallOptions & { includeCost?: boolean } = {}): Promise<ResultResponse> {
    const query = options.includeCost ? '?include_cost=true' : '';
    return this.#idempotent(
      'GET',
      `/v1/requests/${encodeId(requestId)}/result${query}`,
      resultResponseSchema,
      requestId,
      options,
    );
  }

  /** Cancelling twice changes nothing on RunComfy, so it is retried like a GET. */
  cancel(requestId: string, options: CallOptions = {}): Promise<CancelResponse> {
    return this.#idempotent(
      'POST',
      `/v1/requests/${encodeId(requestId)}/cancel`,
      cancelResponseSchema,
      requestId,
      options,
    );
  }

  modelInfo(modelId: string, options: CallOptions = {}): Promise<ModelInfo> {
    return this.#idempotent('GET', `/v1/models/${modelId}`, modelInfoSchema, undefined, options);
  }

  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  #idempotent<S extends z.ZodType>(
    method: Method,
    path: string,
    schema: S,
    requestId: string | undefined,
    options: CallOptions,
  ): Promise<z.infer<S>> {
    return withRetry(() => this.#call(method, path, schema, { requestId, options }), {
      policy: options.retry ?? this.#retry,
      signal: options.signal,
      random: this.#random,
      decide: (error) => {
        if (error instanceof RunComfyRateLimitError) return { retry: true, afterMs: error.retryAfterMs };
        return isTransient(error) ? { retry: true } : { retry: false };
      },
      onRetry: (info) => this.#logRetry(path, info),
    });
  }

  #logRetry(what: string, info: { error: unknown; attempt: number; delayMs: number }): void {
    const error = info.error as RunComfyError;
    this.#log.warn(
      { call: what, attempt: info.attempt, delayMs: info.delayMs, err: error.toLog?.() },
      'runcomfy retry',
    );
  }

  async #call<S extends z.ZodType>(
    method: Method,
    path: string,
    schema: S,
    call: { body?: unknown; requestId?: string | undefined; options: CallOptions },
  ): Promise<z.infer<S>> {
    const timeoutMs = call.options.timeoutMs ?? this.#timeoutMs;
    const { signal, dispose } = combineSignals([call.options.signal], timeoutMs);
    const requestId = call.requestId;
    let statusCode = 0;
    let text: string;
    let retryAfterHeader: string | string[] | undefined;
    const startedAt = performance.now();
    try {
      const response = await request(`${this.#baseUrl}${path}`, {
        method,
        dispatcher: this.#dispatcher,
        signal,
        headers: {
          authorization: this.#authorization,
          accept: 'application/json',
          ...(this.#callerId === undefined ? {} : { 'x-caller-id': this.#callerId }),
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
      });
      statusCode = response.statusCode;
      retryAfterHeader = response.headers['retry-after'];
      text = await readCapped(response.body, response.headers['content-length'], this.#maxBodyBytes, {
        status: statusCode,
        requestId,
        route: `${method} ${routeName(path)}`,
      });
    } catch (error) {
      if (error instanceof RunComfyResponseTooLargeError) throw error;
      throw this.#transportError(error, signal, timeoutMs, call.options.signal, requestId, statusCode !== 0);
    } finally {
      dispose();
      this.#onCall?.({
        method,
        route: routeName(path),
        status: statusCode || 'error',
        durationMs: performance.now() - startedAt,
      });
    }

    const json = parseJson(text);
    if (statusCode >= 200 && statusCode < 300) {
      if (json === undefined) {
        throw new RunComfyUnexpectedResponseError(`RunComfy answered ${statusCode} with a body that is not JSON`, {
          status: statusCode,
          requestId,
        });
      }
      // A 200 is not proof of success: some endpoints answer 200 with an error body.
      const errorBody = errorBodySchema.safeParse(json);
      if (errorBody.success && errorBody.data.error_code !== undefined) {
        throw errorFromAnswer(statusCode, errorBody.data, requestId, undefined);
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        throw new RunComfyUnexpectedResponseError(
          `RunComfy's answer to ${method} ${routeName(path)} does not fit: ${parsed.error.issues
            .slice(0, 3)
            .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
            .join('; ')}`,
          { status: statusCode, requestId },
        );
      }
      return parsed.data;
    }
    const errorBody = errorBodySchema.safeParse(json ?? {});
    throw errorFromAnswer(
      statusCode,
      errorBody.success ? errorBody.data : {},
      requestId,
      parseRetryAfter(retryAfterHeader),
    );
  }

  #transportError(
    error: unknown,
    signal: AbortSignal,
    timeoutMs: number,
    callerSignal: AbortSignal | undefined,
    requestId: string | undefined,
    answered: boolean,
  ): Error {
    if (callerSignal?.aborted) return new AbortedError('RunComfy call aborted', { requestId });
    if (signal.aborted && signal.reason instanceof TimeoutSignalReason) {
      return new RunComfyTimeoutError(`RunComfy did not answer within ${timeoutMs} ms`, { requestId });
    }
    const code = errorCode(error);
    const requestSent = answered || !CONNECT_PHASE_CODES.has(code ?? '');
    return new RunComfyNetworkError(`Connection to RunComfy failed (${code ?? 'unknown'})`, requestSent, {
      requestId,
      params: { reason: code ?? 'unknown' },
      cause: error,
    });
  }
}

function toSubmitError(error: unknown): unknown {
  // A submit that may have reached RunComfy and got no clear answer: never re-sent.
  if ((error instanceof RunComfyNetworkError && error.requestSent) || error instanceof RunComfyTimeoutError) {
    return new RunComfySubmitUncertainError(
      'The submit may have reached RunComfy but no answer came back; it was not re-sent',
      { cause: error },
    );
  }
  return error;
}

function errorFromAnswer(
  status: number,
  body: ErrorBody,
  requestId: string | undefined,
  retryAfterMs: number | undefined,
): RunComfyError {
  const apiCode = body.error_code === undefined ? undefined : Number(body.error_code);
  const message = body.error_message ?? body.message ?? (typeof body.error === 'string' ? body.error : undefined);
  const options = { status, apiErrorCode: body.error_code, requestId };
  const describe = (what: string) => `${what} (HTTP ${status}${apiCode ? `, error_code ${apiCode}` : ''})`;
  if (status === 429) return new RunComfyRateLimitError(describe('RunComfy rate limit'), retryAfterMs, options);
  switch (apiCode) {
    case 400004:
    case 403001:
      return new RunComfyAuthError(describe('RunComfy refused the credentials'), options);
    case 400002:
      return new RunComfyInsufficientBalanceError(describe('RunComfy account has insufficient balance'), options);
    case 404001:
      return new RunComfyNotFoundError(describe('RunComfy does not know this request (deleted or expired)'), options);
    case 422001:
      return new RunComfyValidationError(describe('RunComfy rejected the input'), validationIssues(body), options);
    case 400001:
      return new RunComfyModelUnknownError(describe('RunComfy does not know the configured model id'), options);
  }
  if (status === 401 || status === 403)
    return new RunComfyAuthError(describe('RunComfy refused the credentials'), options);
  if (status === 402)
    return new RunComfyInsufficientBalanceError(describe('RunComfy account has insufficient balance'), options);
  if (status === 404) return new RunComfyNotFoundError(describe('RunComfy does not know this request'), options);
  if (status === 400 || status === 422) {
    return new RunComfyValidationError(describe('RunComfy rejected the input'), validationIssues(body), options);
  }
  if (status >= 500) return new RunComfyServerError(describe('RunComfy server error'), options);
  return new RunComfyUnexpectedResponseError(
    describe(`RunComfy answered with an error${message ? `: ${truncate(message, 200)}` : ''}`),
    options,
  );
}

function validationIssues(body: ErrorBody): ValidationIssue[] {
  if (!Array.isArray(body.detail)) {
    const message = body.error_message ?? body.message;
    return message ? [{ field: 'input', message: truncate(message, 300) }] : [];
  }
  return body.detail.slice(0, 20).map((item) => {
    const entry = (item ?? {}) as { loc?: unknown; msg?: unknown };
    const loc = Array.isArray(entry.loc) ? entry.loc.filter((p) => p !== 'body').join('.') : '';
    return { field: loc || 'input', message: truncate(String(entry.msg ?? 'invalid'), 300) };
  });
}

/**
 * The body as text, at most `max` bytes: a declared length over it is refused unread, and a
 * stream that passes it is cut off (undici's own `text()` would buffer any size).
 */
async function readCapped(
  body: Dispatcher.ResponseData['body'],
  declared: string | string[] | undefined,
  max: number,
  about: { status: number; requestId: string | undefined; route: string },
): Promise<string> {
  const tooLarge = (size: string) =>
    new RunComfyResponseTooLargeError(`RunComfy's answer to ${about.route} is ${size}, over ${max} bytes`, {
      status: about.status,
      requestId: about.requestId,
      params: { max },
    });
  const length = Number(Array.isArray(declared) ? declared[0] : declared);
  if (Number.isFinite(length) && length > max) {
    body.destroy();
    throw tooLarge(`${length} bytes`);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of body) {
    received += (chunk as Buffer).length;
    if (received > max) {
      body.destroy();
      throw tooLarge('larger');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, received).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      // undici wraps the socket's own error; the socket's code says more.
      const inner = (current as { cause?: { code?: unknown } }).cause?.code;
      return typeof inner === 'string' && code === 'UND_ERR_SOCKET' ? inner : code;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function encodeId(requestId: string): string {
  return encodeURIComponent(requestId);
}

function routeName(path: string): string {
  return path.replace(/\/v1\/requests\/[^/]+/, '/v1/requests/{id}');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
