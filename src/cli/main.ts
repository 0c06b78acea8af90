/**
 * Entry of the `seedream` command line (bin/seedream.mjs, `npm run cli`): wires the real
 * streams and Ctrl-C to `runCli`. Commands never print stacks; errors go through the
 * localised catalogue (src/i18n) with a reference id.
 */
import { invocationDir, loadDotEnv } from '../env.js';
import { type CliIo, EXIT } from './cli-io.js';
import { reportError } from './report-error.js';
import { runCli } from './run-cli.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// Like `npm start`: ./.env when it exists (variables already set win).
loadDotEnv();

const interrupt = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts++;
  // The first Ctrl-C lets the command clean up (cancel a queued request); the second one quits.
  if (interrupts > 1) {
    process.stderr.write('\nInterrupted again: quitting now.\n');
    process.exit(EXIT.interrupted);
  }
  interrupt.abort();
});

const io: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  // undefined: loadCliEnv reads process.env itself (the one place that does).
  env: undefined,
  readStdin,
  interrupt: interrupt.signal,
  clock: Date.now,
  cwd: invocationDir(),
};

// Last resort: whatever escapes a command still prints as a friendly message, never a stack.
process.on('uncaughtException', (error) => {
  reportError(io, error);
  process.exit(EXIT.failed);
});

const code = await runCli(process.argv.slice(2), io);
process.exitCode = code;
// Streams to pipes and files are written synchronously on Linux; anything still holding the
// event loop (a hung socket) must not keep a finished command alive.
setTimeout(() => process.exit(code), 2_000).unref();
