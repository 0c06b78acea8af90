/**
 * The HTTP front: `/api[/v10]/…` REST, `/cdn/…` uploaded files. Applies injected faults, bot
 * authentication, and answers Discord-style JSON (errors as `{ code, message }`).
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { CDN_EXPIRED_TEXT } from '../cdn-signing.js';
import { checkResponseContract, enforceRequestContract, hasRequestContract } from '../contract/index.js';
import { DiscordApiError, Errors } from '../errors.js';
import type { FaultInjector, RateLimitFault, RefusalFault, ServerErrorFault } from '../faults.js';
import { Limits } from '../rules/limits.js';
import type { RequestLogEntry } from '../state.js';
import { EMPTY_BODY, type ParsedBody, parseBody, readRawBody } from './body.js';
import type { RestEnvironment, RouteContext, RouteDefinition, RouteReply } from './context.js';
import { Router } from './router.js';
import { commandRoutes } from './routes/application-commands.js';
import { channelRoutes } from './routes/channels.js';
import { gatewayRoutes } from './routes/gateway-info.js';
import { interactionRoutes } from './routes/interactions.js';
import { userAndGuildRoutes } from './routes/users-guilds.js';

export type ExtraHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
) => Promise<void> | void;

export interface RestServerOptions {
  env: RestEnvironment;
  faults: FaultInjector;
  /** Requests under `/_emulator/` (control API for the sandbox), if any. */
  control?: ExtraHandler;
  /** Keep at most this many request log entries (oldest dropped). */
  requestLogLimit?: number;
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { ...JSON_HEADERS, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function createRestHandler(options: RestServerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { env, faults } = options;
  const router = new Router();
  for (const route of [
    ...gatewayRoutes,
    ...userAndGuildRoutes,
    ...commandRoutes,
    ...interactionRoutes,
    ...channelRoutes,
  ])
    router.add(route);
  const logLimit = options.requestLogLimit ?? 100_000;

  const log = (entry: RequestLogEntry) => {
    const list = env.state.requestLog;
    list.push(entry);
    // Trim in chunks so a long benchmark does not pay an O(n) shift per request.
    if (list.length > logLimit + 1_000) list.splice(0, list.length - logLimit);
  };

  return (req, res) => {
    const started = performance.now();
    const at = env.state.now();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const pathname = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
    const query = new URLSearchParams(q >= 0 ? rawUrl.slice(q + 1) : '');
    const method = (req.method ?? 'GET').toUpperCase();

    if (pathname.startsWith('/cdn/')) {
      serveCdn(env, req, res, pathname, query);
      return;
    }
    if (pathname.startsWith('/_emulator/') && options.control) {
      Promise.resolve(options.control(req, res, pathname, query)).catch((error: unknown) => {
        sendJson(res, 500, { message: String(error), code: 0 });
      });
      return;
    }
    const apiPath = /^\/api(?:\/v\d+)?(\/.*)?$/.exec(pathname)?.[1];
    if (apiPath === undefined) {
      sendJson(res, 404, Errors.notFound().toBody());
      return;
    }
    let segments: string[];
    try {
      segments = apiPath.split('/').slice(1).map(decodeURIComponent);
    } catch {
      sendJson(res, 400, { message: '400: Bad Request', code: 0 });
      return;
    }
    if (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
    const path = `/${segments.join('/')}`;

    void handle(method, path, segments, query, req, res, started, at);
  };

  async function handle(
    method: string,
    path: string,
    segments: string[],
    query: URLSearchParams,
    req: IncomingMessage,
    res: ServerResponse,
    started: number,
    at: number,
  ): Promise<void> {
    const match = router.match(method, segments);
    const routeLabel = match.kind === 'found' ? Router.label(match.route) : `${method} ${path}`;
    const decision = faults.decide(method, path);
    let reply: RouteReply;
    let code: number | undefined;
    try {
      if (decision.delayMs > 0) await delay(decision.delayMs);
      if (decision.failure) {
        reply = faultReply(decision.failure, routeLabel);
        if (decision.failure.kind === 'refusal') code = decision.failure.code ?? 50_035;
      } else {
        if (match.kind === 'not-found') throw Errors.notFound();
        if (match.kind === 'method-not-allowed') throw Errors.methodNotAllowed();
        if (match.route.auth === 'bot' && req.headers.authorization !== `Bot ${env.botToken}`)
          throw Errors.unauthorized();
        reply = await runRoute(match.route, { method, path, params: match.params, query, headers: req.headers, req });
        checkResponseContract(routeLabel, reply.status, reply.body);
      }
    } catch (error) {
      if (error instanceof DiscordApiError) {
        reply = { status: error.status, body: error.toBody(), headers: error.headers };
        code = error.code;
      } else {
        env.state.internalErrors.push(error instanceof Error ? error : new Error(String(error)));
        reply = { status: 500, body: { message: '500: Internal Server Error', code: 0 } };
      }
    }
    // Answer only once the client has finished sending, so early errors never look like resets.
    if (!req.complete) await drain(req);
    const entry: RequestLogEntry = {
      method,
      path,
      route: routeLabel,
      status: reply.status,
      at,
      durationMs: performance.now() - started,
    };
    if (code !== undefined) entry.code = code;
    if (decision.label) entry.fault = decision.label;
    log(entry);
    // Every answer hands out freshly signed CDN URLs, as Discord's do (re-reading a message renews them).
    const body = reply.status < 300 ? env.state.cdn.refresh(reply.body) : reply.body;
    sendJson(res, reply.status, body, reply.headers);
  }

  function runRoute(
    route: RouteDefinition,
    input: Omit<RouteContext, 'body' | 'env'> & { req: IncomingMessage },
  ): Promise<RouteReply> | RouteReply {
    let bodyPromise: Promise<ParsedBody> | undefined;
    const ctx: RouteContext = {
      method: input.method,
      path: input.path,
      params: input.params,
      query: input.query,
      headers: input.headers,
      env,
      body: () => {
        if (input.method === 'GET' || input.method === 'HEAD') return Promise.resolve(EMPTY_BODY);
        bodyPromise ??= readRawBody(input.req, Limits.requestBytes).then((raw) =>
          parseBody(input.headers['content-type'], raw),
        );
        return bodyPromise;
      },
    };
    const label = Router.label(route);
    if (!hasRequestContract(label) || input.method === 'GET' || input.method === 'HEAD') return route.handler(ctx);
    return ctx.body().then((body) => {
      enforceRequestContract(label, body.json, input.params, env.state);
      return route.handler(ctx);
    });
  }
}

async function drain(req: IncomingMessage): Promise<void> {
  try {
    for await (const _chunk of req) {
      // discard
    }
  } catch {
    // The client went away; nothing to answer.
  }
}

function faultReply(fault: RateLimitFault | ServerErrorFault | RefusalFault, routeLabel: string): RouteReply {
  if (fault.kind === 'refusal') {
    const code = fault.code ?? 50_035;
    const body: Record<string, unknown> = { message: fault.message ?? 'Invalid Form Body', code };
    if (fault.errors) body['errors'] = fault.errors;
    return { status: fault.status ?? 400, body };
  }
  if (fault.kind === 'serverError') {
    const status = fault.status ?? 500;
    const text: Record<number, string> = {
      500: 'Internal Server Error',
      502: 'Bad Gateway',
      503: 'Service Unavailable',
      504: 'Gateway Timeout',
    };
    return { status, body: { message: `${status}: ${text[status] ?? 'Server Error'}`, code: 0 } };
  }
  const seconds = (fault.retryAfterMs ?? 50) / 1000;
  const global = fault.global ?? false;
  const headers: Record<string, string> = {
    'Retry-After': String(seconds),
    'X-RateLimit-Scope': fault.scope ?? (global ? 'global' : 'user'),
  };
  if (global) headers['X-RateLimit-Global'] = 'true';
  else {
    headers['X-RateLimit-Limit'] = '5';
    headers['X-RateLimit-Remaining'] = '0';
    headers['X-RateLimit-Reset'] = ((Date.now() + seconds * 1000) / 1000).toFixed(3);
    headers['X-RateLimit-Reset-After'] = String(seconds);
    headers['X-RateLimit-Bucket'] = fault.bucket ?? bucketHash(routeLabel);
  }
  const body: Record<string, unknown> = { message: 'You are being rate limited.', retry_after: seconds, global };
  if (global) body['code'] = 0;
  return { status: 429, body, headers };
}

function bucketHash(label: string): string {
  let hash = 0;
  for (let i = 0; i < label.length; i++) hash = (hash * 31 + label.charCodeAt(i)) | 0;
  return `emu${(hash >>> 0).toString(16)}`;
}

function serveCdn(
  env: RestEnvironment,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  query: URLSearchParams,
): void {
  // /cdn/attachments/:channel/:attachment/:filename?ex=…&is=…&hm=…
  const parts = pathname.split('/');
  const upload = parts[2] === 'attachments' ? env.state.uploads.get(parts[4] ?? '') : undefined;
  if (upload && env.state.cdn.check(pathname, query) !== 'ok') {
    // Unsigned, forged or past `ex`: Discord's CDN answers 404 with these words.
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(CDN_EXPIRED_TEXT);
    return;
  }
  if (!upload?.bytes) {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('Not Found');
    return;
  }
  res.writeHead(200, {
    'Content-Type': upload.contentType ?? 'application/octet-stream',
    'Content-Length': upload.bytes.length,
    'Cache-Control': 'public, max-age=31536000',
  });
  if (req.method === 'HEAD') res.end();
  else res.end(upload.bytes);
}
