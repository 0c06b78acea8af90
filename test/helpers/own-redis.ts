/** A redis-server of the test's own on a free port (never the shared one), stopped by its pid. */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { openStore } from '../../src/store/store.js';

export interface OwnRedis {
  url: string;
  port: number;
  process: ChildProcess;
  /** Runs one command with redis-cli (e.g. CLIENT KILL, CLIENT PAUSE). */
  cli(...args: string[]): Promise<string>;
  stop(): void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  const redis: OwnRedis = {
    url,
    port,
    process: child,
    cli: async (...args) => (await promisify(execFile)('redis-cli', ['-p', String(port), ...args])).stdout.trim(),
    stop: () => void child.kill('SIGKILL'),
  };
  for (let i = 0; i < 50; i++) {
    const store = await openStore({ url, prefix: 'probe' }).catch(() => undefined);
    if (store) {
      await store.close();
      return redis;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  redis.stop();
  throw new Error('redis-server did not start');
}
