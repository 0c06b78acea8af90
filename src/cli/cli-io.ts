/**
 * What a command may touch of the outside world, passed in so that commands never reach for
 * `process` themselves: the entry point wires the real streams, environment and Ctrl-C.
 */
import type { EnvSource } from '../env.js';

export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  /** Results only (paths, JSON): safe to pipe. */
  stdout: OutputStream;
  /** Progress, notes and errors. */
  stderr: OutputStream;
  /** Handed to `loadCliEnv`; undefined makes it read process.env (it is the one place that does). */
  env: EnvSource | undefined;
  readStdin(): Promise<string>;
  /** Aborts on the first Ctrl-C (a second one exits at once). */
  interrupt: AbortSignal;
  clock: () => number;
  /** The folder the command was run from (npm run's INIT_CWD): the default output goes under it. */
  cwd: string;
}

/** Exit codes of every command. */
export const EXIT = {
  ok: 0,
  /** The job failed, RunComfy refused, or a download failed. */
  failed: 1,
  /** Usage or bad input: nothing was sent. */
  usage: 2,
  /** Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
