/**
 * The bot as production runs it: its entry point (src/main.ts through tsx, or the compiled
 * dist/src/main.js) in a process of its own, configured by environment only, in an empty
 * working directory. Its JSON log lines are collected from stdout.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..', '..');
// tsx by absolute URL: the child runs in an empty folder, where a bare 'tsx' would not resolve.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface BotProcess {
  child: ChildProcess;
  /** Parsed log lines so far (and raw lines that were not JSON). */
  logs: Array<Record<string, unknown>>;
  stderr: string[];
  /** Resolves with the exit code, or the signal's name. */
  exited: Promise<number | string>;
}

export interface BotProcessOptions {
  env: Record<string, string>;
  /** `node <entry>`; default src/main.ts through tsx. */
  entry?: string;
  cwd?: string;
}

/** Starts the bot and resolves once it logged "bot ready". */
export async function startBotProcess(options: BotProcessOptions): Promise<BotProcess> {
  const args = options.entry ? [options.entry] : ['--import', TSX, join(ROOT, 'src/main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? mkdtempSync(join(tmpdir(), 'seedream-proc-')),
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  const stderr: string[] = [];
  let ready: () => void = () => undefined;
  const isReady = new Promise<void>((resolve) => {
    ready = resolve;
  });
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += String(chunk);
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      if (!line.trim()) continue;
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        entry = { raw: line };
      }
      logs.push(entry);
      if (entry.msg === 'bot ready') ready();
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(String(chunk)));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const early = exited.then((code) => {
    throw new Error(`the bot exited before it was ready (${code}): ${stderr.join('')}`);
  });
  await Promise.race([isReady, early]);
  early.catch(() => undefined);
  return { child, logs, stderr, exited };
}

/** SIGKILL if still running (test clean-up). */
export async function killBotProcess(bot: BotProcess | undefined): Promise<void> {
  if (!bot || bot.child.exitCode !== null || bot.child.signalCode !== null) return;
  bot.child.kill('SIGKILL');
  await bot.exited;
}
