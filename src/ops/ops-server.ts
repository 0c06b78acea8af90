/**
 * The operations port (METRICS_PORT): `/healthz` (the process answers), `/readyz` (the store
 * answers and the gateway is connected; 503 otherwise, and while stopping) and `/metrics`
 * (Prometheus text). Plain node:http on its own port, so it never shares a listener or a
 * failure mode with the bot's work.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../log.js';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, string>;
}

export interface OpsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  readiness: () => Promise<ReadinessReport>;
  logger: Logger;
}

export interface OpsServer {
  /** `http://host:port` */
  url: string;
  close(): Promise<void>;
}

export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const { registry, readiness, logger } = options;
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return send(response, 405, 'text/plain', 'method not allowed\n', { allow: 'GET, HEAD' });
    }
    if (path === '/healthz') return send(response, 200, 'text/plain', 'ok\n');
    if (path === '/readyz') {
      readiness().then(
        (report) => send(response, report.ready ? 200 : 503, 'application/json', `${JSON.stringify(report)}\n`),
        (error: unknown) =>
          send(response, 503, 'application/json', `${JSON.stringify({ ready: false, error: String(error) })}\n`),
      );
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => send(response, 200, registry.contentType, text),
        (error: unknown) => {
          logger.warn({ err: error instanceof Error ? error.message : error }, 'metrics: scrape failed');
          send(response, 500, 'text/plain', 'metrics unavailable\n');
        },
      );
      return;
    }
    send(response, 404, 'text/plain', 'not found: try /healthz, /readyz or /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url }, 'health and metrics listening');
  return {
    url,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function send(
  response: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
