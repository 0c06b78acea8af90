/**
 * What a command needs to talk to RunComfy: the validated environment, a client and a logger.
 * Opened only after the command line and the input are known to be good, so a bad flag or
 * prompt never needs a token, and nothing is sent.
 */
import { type CliEnv, loadCliEnv } from '../env.js';
import { createLogger, type Logger } from '../log.js';
import { RunComfyClient } from '../runcomfy/client.js';
import type { CliIo, ExitCode } from './cli-io.js';
import { reportError } from './report-error.js';

export interface Session {
  env: CliEnv;
  client: RunComfyClient;
  log: Logger;
  /** Set once a request was submitted, so a later failure can point at it. */
  requestId?: string;
  close(): Promise<void>;
}

/**
 * Throws EnvError when the environment does not fit. Logs (JSON on stderr) only with
 * --verbose or LOG_LEVEL=debug|trace: the default `info` would bury the progress line.
 */
export function openSession(io: CliIo, options: { verbose: boolean }): Session {
  const env = loadCliEnv(io.env);
  const level = options.verbose
    ? 'debug'
    : env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace'
      ? env.LOG_LEVEL
      : 'silent';
  const log = createLogger(
    { level, name: 'seedream-cli', secrets: [env.RUNCOMFY_API_TOKEN] },
    { write: (line: string) => io.stderr.write(line) },
  );
  const client = new RunComfyClient({
    baseUrl: env.RUNCOMFY_BASE_URL,
    token: env.RUNCOMFY_API_TOKEN,
    timeoutMs: env.RUNCOMFY_TIMEOUT,
    logger: log,
  });
  return { env, client, log, close: () => client.close() };
}

/**
 * Opens a session, runs `body`, reports its failure (logged with the reference id) and closes
 * the client. An EnvError is thrown before anything runs (the caller reports it: exit 2).
 */
export async function withSession(
  io: CliIo,
  options: { verbose: boolean },
  body: (session: Session) => Promise<ExitCode>,
): Promise<ExitCode> {
  const session = openSession(io, options);
  try {
    return await body(session);
  } catch (error) {
    return reportError(io, error, { log: session.log, verbose: options.verbose, requestId: session.requestId });
  } finally {
    await session.close().catch(() => undefined);
  }
}
