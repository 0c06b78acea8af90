/**
 * RunComfy Model API client on undici. Every answer is parsed with zod; every failure is a
 * typed RunComfyError. GETs and cancel retry transient failures; a submit is re-sent only
 * when the connection failed before the request left (or on a 429, which did nothing).
 */
import { Agent, type Dispatcher, request } from 'undici';
import type { z } from 'zod';
import { type Logger, silentLogger } from '../log.js';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, type RetryPolicy, withRetry } from '../util/retry.js';
import { combineSignals } from '../util/sleep.js';
import { errorFromAnswer } from './answer-errors.js';
import {
  isTransient,
  type RunComfyError,
  RunComfyNetworkError,
  RunComfyRateLimitError,
  RunComfyResponseTooLargeError,
  RunComfyUnexpectedResponseError,
} from './errors.js';
import { parseJson, readCapped } from './response-body.js';
import {
  type CancelResponse,
  cancelResponseSchema,
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
import { toSubmitError, transportError } from './transport-errors.js';

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
      throw transportError(error, signal, timeoutMs, call.options.signal, requestId, statusCode !== 0);
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
}

function encodeId(requestId: string): string {
  return encodeURIComponent(requestId);
}

function routeName(path: string): string {
  return path.replace(/\/v1\/requests\/[^/]+/, '/v1/requests/{id}');
}
