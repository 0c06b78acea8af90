/**
 * A redis-server of the test's own on a free port (never the shared one on 6379), stopped and
 * started again by its pid, for tests of what the bot does while its store is unreachable.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { freePort } from './free-port.js';

export interface RedisProcess {
  url: string;
  port: number;
  /** SIGKILL by pid: the store is gone at once. */
  stop(): Promise<void>;
  /** A new redis-server on the same port (empty: it keeps nothing on disk); nothing if one runs. */
  start(): Promise<void>;
}

export async function startRedis(): Promise<RedisProcess> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const start = async () => {
    // Already running: a second server could not bind the port, and the first would be left behind.
    if (alive()) return;
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 100; i++) {
      if (await answers(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server on port ${port} did not start`);
  };
  const stop = async () => {
    const current = child;
    if (!current?.pid || !alive()) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    process.kill(current.pid, 'SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, stop, start };
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.write('PING\r\n');
    });
    socket.once('data', (data) => {
      socket.destroy();
      resolve(String(data).startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}
