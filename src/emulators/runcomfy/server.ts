import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { CONTROL_PREFIX, createControlHandler } from './control-api.js';
import { checkSeedreamEditInput } from './edit-input-schema.js';
import { EmulatedJob } from './emulated-job.js';
import { FaultBook, isJobFault } from './fault-book.js';
import { bombPng, type ImageFormat, ImageRenderer } from './image-renderer.js';
import { checkSeedreamInput, pixelSize } from './input-schema.js';
import { TokenBucket } from './rate-limiter.js';
import { fetchReference, MAX_REFERENCE_BYTES } from './reference-fetch.js';
import type {
  EmulatedJobView,
  EmulatorTiming,
  FaultSpec,
  JobTiming,
  JobTimingContext,
  RandomFaultSpec,
  RecordedCall,
  Route,
  RunComfyEmulator,
  RunComfyEmulatorOptions,
  SeedreamEditInput,
} from './types.js';

export const DEFAULT_TOKEN = 'emulator-token';
export const DEFAULT_MODEL_ID = 'bytedance/seedream-4-0/sequential';
export const DEFAULT_EDIT_MODEL_ID = 'bytedance/seedream-4-0/edit-sequential';
const MAX_BODY_BYTES = 1024 * 1024;

type JsonBody = Record<string, unknown>;

interface JsonReply {
  type: 'json';
  status: number;
  body: JsonBody;
  headers?: Record<string, string>;
  /** Runs once the answer is written (e.g. to stamp the first served result). */
  onSent?: () => void;
}

type Reply = JsonReply | { type: 'bytes'; status: number; body: Buffer; contentType: string };

interface RouteMatch {
  route: Route | 'unknown';
  requestId?: string;
  modelId?: string;
  /** For files: 0-based index and the extension asked for. */
  fileIndex?: number;
  fileFormat?: ImageFormat;
  /** The path exists but not with this method. */
  wrongMethod?: boolean;
}

/** Starts a loopback RunComfy Model API. See README.md in this folder. */
export async function startRunComfyEmulator(options: RunComfyEmulatorOptions = {}): Promise<RunComfyEmulator> {
  const token = options.token ?? DEFAULT_TOKEN;
  const clock = options.clock ?? Date.now;
  const modelId = options.modelId ?? DEFAULT_MODEL_ID;
  const imageFormat = options.imageFormat ?? 'jpeg';
  const imageExtension = imageFormat === 'png' ? 'png' : 'jpg';
  const pricePerImageUsd = options.pricePerImageUsd ?? 0.03;
  const editModelId = options.editModelId ?? DEFAULT_EDIT_MODEL_ID;
  const editPricePerImageUsd = options.editPricePerImageUsd ?? pricePerImageUsd;
  const referenceFetch = {
    fetch: options.referenceFetch ?? fetch,
    maxBytes: options.maxReferenceBytes ?? MAX_REFERENCE_BYTES,
  };
  const priceOf = (job: EmulatedJob) => (job.modelId === editModelId ? editPricePerImageUsd : pricePerImageUsd);
  // Mutable so a control panel can change the timing of later jobs (setTiming).
  let queueTiming = options.queueMs;
  let baseRunMs = options.baseRunMs ?? 1000;
  let perImageMs = options.perImageMs ?? 500;
  const recordCalls = options.recordCalls ?? true;
  const bucket = options.rateLimit ? new TokenBucket(options.rateLimit.requestsPerSecond, clock) : undefined;
  const faults = new FaultBook(options.random ?? Math.random);
  const renderer = new ImageRenderer(options.imageCacheSize ?? 32);

  const jobs = new Map<string, EmulatedJob>();
  const calls: RecordedCall[] = [];
  const sockets = new Set<Socket>();
  const slowTimers = new Set<NodeJS.Timeout>();
  let submitted = 0;
  let baseUrl = '';
  let filesBase = '';
  let control: ReturnType<typeof createControlHandler> | undefined;

  const resolveTiming = (timing: JobTiming | undefined, fallback: number, job: JobTimingContext): number => {
    if (timing === undefined) return fallback;
    const ms = typeof timing === 'number' ? timing : timing(job);
    return Math.max(0, ms);
  };

  const urlsFor = (requestId: string) => ({
    status_url: `${baseUrl}/v1/requests/${requestId}/status`,
    result_url: `${baseUrl}/v1/requests/${requestId}/result`,
  });

  const liveJob = (requestId: string | undefined): EmulatedJob | undefined => {
    const job = requestId === undefined ? undefined : jobs.get(requestId);
    return job && !job.expired ? job : undefined;
  };

  // ---- route handlers: synchronous except files, each returns the normal answer ----

  function submit(match: RouteMatch, rawBody: Buffer | undefined, call: RecordedCall): Reply {
    const isEdit = match.modelId === editModelId;
    if (match.modelId !== modelId && !isEdit) return apiError(400, 400001, `Unknown model id: ${match.modelId}`);
    let body: unknown;
    try {
      body = JSON.parse(rawBody?.toString('utf8') ?? '');
    } catch {
      return apiError(422, 422001, 'Request body is not valid JSON', [
        { loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' },
      ]);
    }
    const checked = isEdit
      ? checkSeedreamEditInput(body, { allowLoopbackHttp: options.allowLoopbackReferences ?? false })
      : checkSeedreamInput(body);
    if (!checked.ok) return apiError(422, 422001, 'Input validation failed', checked.detail);

    const now = clock();
    const input = checked.input;
    const timing: JobTimingContext = {
      index: submitted,
      count: input.sequential_image_generation_options,
      quality: input.optimize_prompt_options,
    };
    const queueMs = resolveTiming(queueTiming, 1000, timing);
    const runMs = resolveTiming(options.runMs, baseRunMs + perImageMs * timing.count, timing);
    const requestId = randomUUID();
    const job = new EmulatedJob(requestId, submitted, match.modelId!, input, now, now + queueMs, now + queueMs + runMs);
    job.caller = call.caller;
    submitted += 1;
    for (const fault of faults.takeJobFaults()) job.apply(fault);
    if (isEdit) {
      // Fetched at once, in real time; answers about the job past its queue wait for the outcome.
      job.referencesFetched = Promise.all(
        (input as SeedreamEditInput).images.map((url, i) => fetchReference(url, i + 1, referenceFetch)),
      ).then((reports) => job.setReferences(reports));
    }
    jobs.set(requestId, job);
    call.requestId = requestId;
    return json(200, {
      request_id: requestId,
      ...urlsFor(requestId),
      cancel_url: `${baseUrl}/v1/requests/${requestId}/cancel`,
    });
  }

  function status(job: EmulatedJob): Reply {
    const now = clock();
    const state = job.stateAt(now);
    const body: JsonBody = { request_id: job.requestId, status: state };
    // One place per remaining second: it falls to 0 as the queue time runs out.
    if (state === 'in_queue') body['queue_position'] = Math.ceil((job.startedAt - now) / 1000);
    return json(200, { ...body, ...urlsFor(job.requestId) });
  }

  function result(job: EmulatedJob, includeCost: boolean): Reply {
    const state = job.stateAt(clock());
    const base = { request_id: job.requestId, created_at: iso(job.submittedAt) };
    if (state === 'in_queue' || state === 'in_progress') return json(200, { ...base, status: state });
    if (state === 'cancelled') return json(200, { ...base, status: 'cancelled', finished_at: iso(job.cancelledAt!) });
    const finished = { finished_at: iso(job.completedAt) };
    if (job.failure) {
      return json(200, {
        ...base,
        status: 'failed',
        error: job.failure.error,
        ...finished,
        ...(includeCost && { cost: 0 }),
      });
    }
    const images = Array.from(
      { length: job.imagesReturned },
      (_, i) => `${filesBase}/files/${job.requestId}/${i}.${imageExtension}`,
    );
    // Billed on the count asked for, which is what the price is computed from.
    const cost = roundUsd(priceOf(job) * job.input.sequential_image_generation_options);
    return {
      ...json(200, { ...base, status: 'succeeded', output: { images }, ...finished, ...(includeCost && { cost }) }),
      onSent: () => {
        job.firstSucceededResultAt ??= clock();
      },
    };
  }

  function cancel(job: EmulatedJob): Reply {
    const now = clock();
    const state = job.stateAt(now);
    if (state === 'in_queue') job.cancelledAt = now;
    const cancelled = job.cancelledAt !== undefined;
    return json(202, {
      request_id: job.requestId,
      status: cancelled ? 'cancelled' : state,
      outcome: cancelled ? 'cancelled' : 'not_cancellable',
    });
  }

  function modelInfo(match: RouteMatch): Reply {
    if (match.modelId === editModelId) {
      return json(200, {
        model_id: editModelId,
        name: 'Seedream 4.0 Edit Sequential',
        base_price_usd: editPricePerImageUsd,
        price_unit: 'image',
        pricing_note: 'Billed per image requested (sequential_image_generation_options); reference images are free.',
      });
    }
    if (match.modelId !== modelId) return apiError(400, 400001, `Unknown model id: ${match.modelId}`);
    return json(200, {
      model_id: modelId,
      name: 'Seedream 4.0 Sequential',
      base_price_usd: pricePerImageUsd,
      price_unit: 'image',
      pricing_note: 'Billed per image requested (sequential_image_generation_options).',
    });
  }

  async function file(match: RouteMatch): Promise<Reply> {
    // Files live on a CDN: they outlive the request id's expiry and need no token.
    const job = match.requestId === undefined ? undefined : jobs.get(match.requestId);
    const index = match.fileIndex ?? -1;
    const format = match.fileFormat ?? imageFormat;
    const served =
      job !== undefined &&
      job.stateAt(clock()) === 'completed' &&
      !job.failure &&
      index < job.imagesReturned &&
      !job.missingImages?.has(index);
    if (!served) return notFoundText();
    const odd = job.oddImages?.get(index);
    if (odd?.kind === 'pixel-bomb') {
      return { type: 'bytes', status: 200, body: bombPng(odd.width, odd.height), contentType: 'image/png' };
    }
    const { width, height } = odd ?? pixelSize(job.input.image_size);
    const references = (job.references ?? []).map((r) => ({
      label: `ref ${r.index}`,
      colour: r.dominantColour ?? '#000000',
    }));
    const frame = { width, height, index, count: job.imagesReturned, prompt: job.input.text, format, references };
    const padTo = job.paddedImages?.get(index) ?? options.imageBytes;
    const body = padTo === undefined ? await renderer.render(frame) : await renderer.renderPadded(frame, padTo);
    return { type: 'bytes', status: 200, body, contentType: format === 'png' ? 'image/png' : 'image/jpeg' };
  }

  async function dispatch(match: RouteMatch, req: IncomingMessage, rawBody: Buffer | undefined, call: RecordedCall) {
    // An edit job's state past its queue depends on its references: wait until they are fetched.
    const known = match.requestId === undefined ? undefined : jobs.get(match.requestId);
    const state = known?.stateAt(clock());
    if (known?.referencesFetched && (state === 'in_progress' || state === 'completed')) await known.referencesFetched;
    switch (match.route) {
      case 'submit':
        return submit(match, rawBody, call);
      case 'model':
        return modelInfo(match);
      case 'file':
        return file(match);
      case 'status':
      case 'result':
      case 'cancel': {
        const job = liveJob(match.requestId);
        if (!job) return apiError(404, 404001, 'Request not found, deleted or expired');
        if (match.route === 'status') return status(job);
        if (match.route === 'cancel') return cancel(job);
        return result(job, new URL(req.url ?? '/', 'http://x').searchParams.get('include_cost') === 'true');
      }
      default:
        return notFound();
    }
  }

  // ---- the request pipeline: record, fault, gateway (rate limit, auth), handler, fault ----

  function send(res: ServerResponse, call: RecordedCall, reply: Reply): void {
    if (res.destroyed || res.headersSent) return;
    call.status = reply.status;
    if (reply.type === 'bytes') {
      res.writeHead(reply.status, {
        'content-type': reply.contentType,
        'content-length': reply.body.length,
        'cache-control': 'public, max-age=86400',
      });
      res.end(reply.body);
      return;
    }
    const text = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...reply.headers,
    });
    res.end(text);
    reply.onSent?.();
  }

  function sendRaw(res: ServerResponse, call: RecordedCall, status: number, text: string): void {
    call.status = status;
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  function reset(req: IncomingMessage): void {
    req.socket.resetAndDestroy();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    // The control API is the emulator's own, not RunComfy's: no faults, no auth, not recorded.
    if (control && path.startsWith(CONTROL_PREFIX)) return control(req, res, path.slice(CONTROL_PREFIX.length));
    const match = matchRoute(req.method ?? 'GET', path);
    const call: RecordedCall = { at: clock(), method: req.method ?? 'GET', path, route: match.route, status: 0 };
    if (match.requestId !== undefined) call.requestId = match.requestId;
    const caller = req.headers['x-caller-id'];
    if (typeof caller === 'string') call.caller = caller;
    if (recordCalls) calls.push(call);

    let rawBody: Buffer | undefined;
    if (req.method === 'POST') {
      rawBody = await readBody(req);
      if (rawBody === undefined) return send(res, call, apiError(413, 413000, 'Request body too large'));
    }
    if (match.route === 'unknown') {
      return send(res, call, match.wrongMethod ? apiError(405, 405000, 'Method not allowed') : notFound());
    }
    const route = match.route;

    const fault = faults.takeResponseFault(route, match.requestId);
    if (fault) call.fault = fault.kind;
    const early = fault && earlyFaultReply(fault);
    if (early) return send(res, call, early);
    if (fault?.kind === 'connection-reset' && !fault.afterProcessing) return reset(req);
    if (fault?.kind === 'hang' && !fault.afterProcessing) return;

    if (route !== 'file') {
      if (bucket) {
        const taken = bucket.take();
        if (!taken.ok) {
          const retryAfter = options.rateLimit?.retryAfterSeconds ?? Math.ceil(taken.waitMs / 1000);
          return send(res, call, rateLimited(Math.max(1, Math.ceil(retryAfter))));
        }
      }
      if (!authorised(req.headers.authorization, token)) {
        return send(res, call, apiError(401, 400004, 'Missing, invalid or expired API token'));
      }
    }

    const reply = await dispatch(match, req, rawBody, call);
    if (!fault) return send(res, call, reply);
    switch (fault.kind) {
      case 'connection-reset':
        return reset(req);
      case 'hang':
        return;
      case 'slow': {
        const timer = setTimeout(() => {
          slowTimers.delete(timer);
          send(res, call, reply);
        }, fault.delayMs);
        slowTimers.add(timer);
        return;
      }
      case 'malformed-json':
        if (reply.type === 'json') {
          const text = JSON.stringify(reply.body);
          return sendRaw(res, call, reply.status, text.slice(0, Math.max(1, Math.floor(text.length / 2))));
        }
        return send(res, call, reply);
      case 'extra-fields':
        return send(res, call, reply.type === 'json' ? { ...reply, body: withExtraFields(reply.body) } : reply);
      case 'unknown-status':
        if (reply.type === 'json' && typeof reply.body['status'] === 'string') {
          // The real state is hidden, so this answer must not count as a served result.
          const { onSent: _hidden, ...rest } = reply;
          return send(res, call, { ...rest, body: { ...reply.body, status: fault.status ?? 'warming_up' } });
        }
        return send(res, call, reply);
      default:
        return send(res, call, reply);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        const message = error instanceof Error ? error.message : String(error);
        const text = JSON.stringify({ error_code: 500000, error_message: `Emulator error: ${message}` });
        res.writeHead(500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('Emulator did not get a TCP address');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;
  filesBase = options.filesHost ? `http://${options.filesHost}:${address.port}` : baseUrl;

  let closing: Promise<void> | undefined;

  const emulator: RunComfyEmulator = {
    url: baseUrl,
    token,
    calls,
    inject(fault: FaultSpec): void {
      if (isJobFault(fault) && fault.requestId !== undefined) {
        const job = jobs.get(fault.requestId);
        if (!job) throw new Error(`No emulated job ${fault.requestId}`);
        job.apply(fault);
        return;
      }
      faults.add(fault);
    },
    setRandomFaults(spec: RandomFaultSpec | null): void {
      faults.setRandom(spec);
    },
    pendingFaults() {
      return faults.pending();
    },
    clearFaults(): void {
      faults.clear();
    },
    timing(): EmulatorTiming {
      return { queueMs: typeof queueTiming === 'number' ? queueTiming : null, baseRunMs, perImageMs };
    },
    setTiming(timing: Partial<Record<keyof EmulatorTiming, number>>): void {
      for (const value of Object.values(timing)) {
        if (!(Number.isFinite(value) && value >= 0)) throw new Error('timings must be non-negative numbers');
      }
      if (timing.queueMs !== undefined) queueTiming = timing.queueMs;
      if (timing.baseRunMs !== undefined) baseRunMs = timing.baseRunMs;
      if (timing.perImageMs !== undefined) perImageMs = timing.perImageMs;
    },
    job(requestId: string): EmulatedJobView | undefined {
      return jobs.get(requestId)?.view(clock());
    },
    async referencesFetched(requestId: string): Promise<EmulatedJobView | undefined> {
      await jobs.get(requestId)?.referencesFetched;
      return jobs.get(requestId)?.view(clock());
    },
    jobs(): EmulatedJobView[] {
      const now = clock();
      return [...jobs.values()].map((job) => job.view(now));
    },
    expire(requestId: string): void {
      const job = jobs.get(requestId);
      if (job) job.expired = true;
    },
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of slowTimers) clearTimeout(timer);
        slowTimers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
      return closing;
    },
  };
  if (options.controlApi) control = createControlHandler(emulator);
  return emulator;
}

// ---- helpers without state ----

const REQUEST_PATH = /^\/v1\/requests\/([^/]+)\/(status|result|cancel)$/;
const FILE_PATH = /^\/files\/([^/]+)\/(\d+)\.(jpg|jpeg|png)$/;
const MODEL_PREFIX = '/v1/models/';

function matchRoute(method: string, rawPath: string): RouteMatch {
  const queryAt = rawPath.indexOf('?');
  const path = queryAt === -1 ? rawPath : rawPath.slice(0, queryAt);
  const methodNotAllowed: RouteMatch = { route: 'unknown', wrongMethod: true };
  if (path.startsWith(MODEL_PREFIX) && path.length > MODEL_PREFIX.length) {
    const modelId = safeDecode(path.slice(MODEL_PREFIX.length));
    if (method === 'POST') return { route: 'submit', modelId };
    if (method === 'GET') return { route: 'model', modelId };
    return methodNotAllowed;
  }
  const request = REQUEST_PATH.exec(path);
  if (request) {
    const route = request[2] as 'status' | 'result' | 'cancel';
    const expected = route === 'cancel' ? 'POST' : 'GET';
    if (method !== expected) return methodNotAllowed;
    return { route, requestId: safeDecode(request[1]!) };
  }
  const file = FILE_PATH.exec(path);
  if (file) {
    if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed;
    return {
      route: 'file',
      requestId: safeDecode(file[1]!),
      fileIndex: Number(file[2]),
      fileFormat: file[3] === 'png' ? 'png' : 'jpeg',
    };
  }
  return { route: 'unknown' };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Faults that answer instead of the service: the request has no effect. */
function earlyFaultReply(fault: FaultSpec): Reply | undefined {
  switch (fault.kind) {
    case 'rate-limit':
      return rateLimited(fault.retryAfterSeconds === undefined ? 1 : fault.retryAfterSeconds);
    case 'server-error': {
      const status = fault.status ?? 503;
      return apiError(status, status * 1000, 'Service temporarily unavailable');
    }
    case 'http-error':
      return apiError(fault.status, fault.errorCode ?? fault.status * 1000, fault.message ?? 'Error', fault.detail);
    case 'error-body-200':
      return json(200, { error_code: fault.errorCode ?? 500001, error_message: fault.message ?? 'Internal error' });
    default:
      return undefined;
  }
}

function rateLimited(retryAfterSeconds: number | null): Reply {
  const reply = apiError(429, 429001, 'Too many requests, slow down');
  if (retryAfterSeconds !== null) reply.headers = { 'retry-after': String(retryAfterSeconds) };
  return reply;
}

function json(status: number, body: JsonBody): JsonReply {
  return { type: 'json', status, body };
}

function apiError(status: number, errorCode: number, message: string, detail?: unknown): JsonReply {
  return json(status, { error_code: errorCode, error_message: message, ...(detail !== undefined && { detail }) });
}

function notFound(): Reply {
  return apiError(404, 404000, 'Not found');
}

function notFoundText(): Reply {
  return { type: 'bytes', status: 404, body: Buffer.from('Not Found'), contentType: 'text/plain; charset=utf-8' };
}

function authorised(header: string | undefined, token: string): boolean {
  if (header === undefined) return false;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1] === token;
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Unknown fields at top level and inside every nested object, as a newer API version might send. */
function withExtraFields(body: JsonBody): JsonBody {
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (typeof value !== 'object' || value === null) return value;
    const copy: JsonBody = {};
    for (const [key, inner] of Object.entries(value)) copy[key] = visit(inner);
    copy['x_emulator_extra'] = 'unknown field';
    return copy;
  };
  return {
    ...(visit(body) as JsonBody),
    instance_id: 'emulator-instance-1',
    x_emulator_meta: { region: 'loopback', flags: [1, 'two'] },
  };
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
