/**
 * Scenario (b)'s rate limit, in front of the emulator: the emulator's own token bucket
 * (src/emulators/runcomfy/rate-limiter.ts) on the virtual clock, answering exactly as the
 * emulator's `rateLimit` option does (429, `{error_code: 429001}`, Retry-After = seconds until
 * a token, at least 1) — but only on the polling routes (status, result, cancel, model info).
 * Submits pass unmetered: 1,000 simultaneous submits would otherwise take 50 s of the 20/s
 * budget by themselves and the scenario would measure the submit path, not the poller.
 * Everything else is forwarded to the emulator over keep-alive connections.
 */
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { TokenBucket } from '../src/emulators/runcomfy/rate-limiter.js';

export type GateRoute = 'submit' | 'status' | 'result' | 'cancel' | 'model' | 'file' | 'unknown';

export interface GateCall {
  at: number;
  route: GateRoute;
  status: number;
}

export interface RateGate {
  url: string;
  calls: GateCall[];
  close(): Promise<void>;
}

const REQUEST_PATH = /^\/v1\/requests\/[^/]+\/(status|result|cancel)(\?|$)/;

function routeOf(method: string, path: string): GateRoute {
  const request = REQUEST_PATH.exec(path);
  if (request) return request[1] as GateRoute;
  if (path.startsWith('/v1/models/')) return method === 'POST' ? 'submit' : 'model';
  if (path.startsWith('/files/')) return 'file';
  return 'unknown';
}

export async function startRateGate(options: {
  upstream: string;
  requestsPerSecond: number;
  clock: () => number;
}): Promise<RateGate> {
  const upstream = new URL(options.upstream);
  const bucket = new TokenBucket(options.requestsPerSecond, options.clock);
  // Idle sockets are dropped before the emulator's keep-alive timeout (5 s) can close them under a request.
  const agent = new Agent({ keepAlive: true, maxSockets: 128, timeout: 2_000 });
  const calls: GateCall[] = [];
  const sockets = new Set<Socket>();

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = req.url ?? '/';
    const route = routeOf(req.method ?? 'GET', path);
    const call: GateCall = { at: options.clock(), route, status: 0 };
    calls.push(call);
    if (route !== 'submit' && route !== 'file') {
      const taken = bucket.take();
      if (!taken.ok) {
        const text = JSON.stringify({ error_code: 429001, error_message: 'Too many requests, slow down' });
        call.status = 429;
        req.resume();
        res.writeHead(429, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
          'retry-after': String(Math.max(1, Math.ceil(taken.waitMs / 1000))),
        });
        res.end(text);
        return;
      }
    }
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path,
        headers: req.headers,
        agent,
      },
      (answer) => {
        call.status = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forwarded);
  };

  const server = createServer(handle);
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('rate gate has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        agent.destroy();
      }),
  };
}
