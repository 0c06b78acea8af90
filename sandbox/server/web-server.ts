/**
 * The sandbox page's HTTP server: the page itself (HTML, CSS, and the front end bundled once by
 * esbuild at start, so nothing is fetched from a CDN) and a pass-through to the emulators'
 * control APIs, so the page has one origin:
 *
 *   /discord/<route>   → Discord emulator  /_emulator/<route>  (event stream included)
 *   /runcomfy/<route>  → RunComfy emulator /_emulator/<route>
 *
 * Images keep their own URLs (the emulators' CDN and file routes on 127.0.0.1).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { DiscordEmulator } from '../../src/emulators/discord/index.js';
import type { RunComfyEmulator } from '../../src/emulators/runcomfy/index.js';

const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'web');

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

async function bundleFrontEnd(): Promise<string> {
  const result = await build({
    entryPoints: [join(WEB_DIR, 'main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    minify: true,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** Streams a request to an emulator and its answer back (SSE included: nothing is buffered). */
function proxy(req: IncomingMessage, res: ServerResponse, target: URL): void {
  const upstream = request(
    target,
    { method: req.method, headers: { 'content-type': req.headers['content-type'] ?? 'application/json' } },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: `emulator unreachable: ${error.message}` }));
  });
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
}

export async function startWebServer(options: {
  port: number;
  host?: string;
  discord: DiscordEmulator;
  runcomfy: RunComfyEmulator;
}): Promise<WebServer> {
  const { discord, runcomfy } = options;
  const [script, html, css] = await Promise.all([
    bundleFrontEnd(),
    readFile(join(WEB_DIR, 'index.html'), 'utf8'),
    readFile(join(WEB_DIR, 'style.css'), 'utf8'),
  ]);
  const discordOrigin = discord.apiUrl.replace(/\/api$/, '');
  const statics: Record<string, { type: string; body: string }> = {
    '/': { type: 'text/html; charset=utf-8', body: html },
    '/index.html': { type: 'text/html; charset=utf-8', body: html },
    '/style.css': { type: 'text/css; charset=utf-8', body: css },
    '/app.js': { type: 'text/javascript; charset=utf-8', body: script },
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    const file = req.method === 'GET' ? statics[url.pathname] : undefined;
    if (file) {
      res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' });
      res.end(file.body);
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (url.pathname.startsWith('/discord/')) {
      proxy(req, res, new URL(`/_emulator/${url.pathname.slice('/discord/'.length)}${url.search}`, discordOrigin));
      return;
    }
    if (url.pathname.startsWith('/runcomfy/')) {
      proxy(req, res, new URL(`/_emulator/${url.pathname.slice('/runcomfy/'.length)}${url.search}`, runcomfy.url));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
