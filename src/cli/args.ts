/**
 * Argument parsing shared by the commands: `node:util` parseArgs in strict mode, with its
 * errors turned into a UsageError (exit 2, nothing sent) and the numeric flags read strictly,
 * so `-n 3.5` or `--seed 4e2` are refused rather than silently rounded.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { durationMs } from '../env.js';
import { InputError } from '../errors.js';
import { MAX_IMAGES, MAX_SEED, MIN_IMAGES, MIN_SEED } from '../models/seedream-sequential/input.js';

/** A mistake in the command line itself; printed as is with a pointer to `--help`. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command: string | undefined,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
} as const satisfies OptionsConfig;

export function parseCommandArgs<const O extends OptionsConfig>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(describeParseError(error, options), command);
  }
}

/** parseArgs's own text speaks of positionals and `--` quoting; a person wants to know what to type. */
function describeParseError(error: unknown, options: OptionsConfig): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  const long = /--[\w-]+/.exec(quoted)?.[0] ?? quoted;
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `Unknown option ${quoted}; the options are ${optionList(options)}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return / argument missing/.test(message) ? `${long} needs a value` : `${long} takes no value`;
    default:
      return message.split('\n')[0]!;
  }
}

function optionList(options: OptionsConfig): string {
  return Object.entries(options)
    .map(([name, option]) => (option.short ? `-${option.short}/--${name}` : `--${name}`))
    .join(', ');
}

/** Exactly one positional (a request id). */
export function singleRequestId(command: string, positionals: string[]): string {
  if (positionals.length !== 1 || positionals[0]!.trim() === '') {
    throw new UsageError(
      positionals.length === 0
        ? 'Missing the request id'
        : `Expected one request id, got ${positionals.length} arguments`,
      command,
    );
  }
  return positionals[0]!.trim();
}

/** `--timeout 30m` → ms; the same spellings as the environment's durations. */
export function parseTimeout(command: string, raw: string): number {
  const parsed = durationMs.safeParse(raw);
  if (!parsed.success || parsed.data <= 0) {
    throw new UsageError(`--timeout must be a duration such as 30m, 90s or 1h, got ${JSON.stringify(raw)}`, command);
  }
  return parsed.data;
}

/** `-n` as the seedream rules read it: whole numbers only; the range is checked with the prompt. */
export function parseCount(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (!/^[+-]?\d+$/.test(text)) {
    throw new InputError('count_out_of_range', `Count ${JSON.stringify(raw)} is not a whole number`, {
      params: { requested: raw.slice(0, 40), min: MIN_IMAGES, max: MAX_IMAGES },
    });
  }
  return Number(text);
}

/** `--seed`: whole numbers only; the range is checked by buildSeedreamInput. */
export function parseSeed(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (!/^[+-]?\d+$/.test(text)) {
    throw new InputError('seed_invalid', `Seed ${JSON.stringify(raw)} is not a whole number`, {
      params: { seed: raw.slice(0, 40), min: MIN_SEED, max: MAX_SEED },
    });
  }
  return Number(text);
}
