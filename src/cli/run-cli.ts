/**
 * The command line as a function: picks the command and turns whatever happens into an exit
 * code. Everything outside (streams, environment, Ctrl-C) comes in through `io`, so the same
 * code runs under bin/seedream.mjs and in tests.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from './args.js';
import { type CliIo, EXIT, type ExitCode } from './cli-io.js';
import { cancelCommand } from './commands/cancel.js';
import { generateCommand } from './commands/generate.js';
import { resultCommand } from './commands/result.js';
import { statusCommand } from './commands/status.js';
import { reportError } from './report-error.js';
import { MAIN_USAGE } from './usage.js';

type Command = (args: string[], io: CliIo) => Promise<ExitCode>;

const COMMANDS: Readonly<Record<string, Command>> = {
  generate: generateCommand,
  status: statusCommand,
  result: resultCommand,
  cancel: cancelCommand,
};

export async function runCli(argv: string[], io: CliIo): Promise<ExitCode> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined) {
      io.stderr.write(MAIN_USAGE);
      return EXIT.usage;
    }
    if (name === '-h' || name === '--help' || name === 'help') {
      const topic = rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
      if (topic) return await topic(['--help'], io);
      io.stdout.write(MAIN_USAGE);
      return EXIT.ok;
    }
    if (name === '--version' || name === '-V') {
      io.stdout.write(`${await version()}\n`);
      return EXIT.ok;
    }
    const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!command) {
      throw new UsageError(
        `Unknown command ${JSON.stringify(name)}; the commands are ${Object.keys(COMMANDS).join(', ')}`,
        undefined,
      );
    }
    return await command(rest, io);
  } catch (error) {
    return reportError(io, error);
  }
}

async function version(): Promise<string> {
  const text = await readFile(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version?: string }).version ?? 'unknown';
}
