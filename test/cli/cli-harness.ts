/**
 * Runs the real `seedream` binary as a child process. Every child gets an explicit, minimal
 * environment (never the test runner's): no token leaks in, and nothing points at the internet.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunComfyEmulator } from '../../src/emulators/runcomfy/index.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'seedream.mjs');
export const MODEL_PATH = '/v1/models/bytedance/seedream-4-0/sequential';

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  /** Resolves when stderr so far matches `pattern`. */
  stderrMatches(pattern: RegExp): Promise<string>;
  done: Promise<CliRun>;
}

export interface CliOptions {
  env: Record<string, string>;
  /** Default: a fresh empty folder, so no `.env` and no default output folder lands in the repository. */
  cwd?: string;
  /** Let the CLI read `.env` in `cwd` (default: it reads none, whatever a developer keeps there). */
  dotEnv?: boolean;
  stdin?: string;
  /** Killed (SIGKILL) after this long; the test then fails on the missing exit code. */
  killAfterMs?: number;
}

/** The environment a CLI child needs to talk to `emulator` and download its files. */
export function emulatorEnv(emulator: RunComfyEmulator): Record<string, string> {
  return {
    RUNCOMFY_BASE_URL: emulator.url,
    RUNCOMFY_API_TOKEN: emulator.token,
    RUNCOMFY_OUTPUT_HOSTS: '127.0.0.1',
  };
}

export function startCli(args: string[], options: CliOptions): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? mkdtempSync(join(tmpdir(), 'seedream-cwd-')),
    env: options.dotEnv ? options.env : { SEEDREAM_ENV_FILE: 'none', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers: Array<{ pattern: RegExp; resolve: (text: string) => void }> = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const watcher of [...watchers]) {
      if (watcher.pattern.test(stderr)) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve(stderr);
      }
    }
  });
  child.stdin.end(options.stdin ?? '');
  const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 25_000);
  const done = new Promise<CliRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    done,
    stderrMatches: (pattern) =>
      pattern.test(stderr)
        ? Promise.resolve(stderr)
        : new Promise<string>((resolve, reject) => {
            watchers.push({ pattern, resolve });
            done.then(
              (run) => reject(new Error(`exited (${run.code}) before stderr matched ${pattern}:\n${run.stderr}`)),
              reject,
            );
          }),
  };
}

export function runCli(args: string[], options: CliOptions): Promise<CliRun> {
  return startCli(args, options).done;
}

export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'seedream-cli-'));
}

/** Submits a job straight to the emulator (for status/result/cancel). */
export async function submitJob(emulator: RunComfyEmulator, input: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${emulator.url}${MODEL_PATH}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${emulator.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  if (res.status !== 200) throw new Error(`submit answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { request_id: string }).request_id;
}

/** Nothing in a CLI's output may look like a stack trace. */
export const STACK_TRACE = /^\s+at .+[:(]\d+/m;
