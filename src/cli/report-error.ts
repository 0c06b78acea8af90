/**
 * The one place a command's failure becomes text: the friendly catalogue message (never the
 * error's own message or stack), a hint for whoever runs the CLI (they are the admin the
 * message mentions), and a reference id that the --verbose log carries next to the details.
 */
import { EnvError } from '../env.js';
import { AppError, InputError, isAbortError } from '../errors.js';
import { errorMessage } from '../i18n/index.js';
import type { Logger } from '../log.js';
import { UsageError } from './args.js';
import { type CliIo, EXIT, type ExitCode } from './cli-io.js';

const HINTS: Readonly<Record<string, string>> = {
  runcomfy_auth: 'Check RUNCOMFY_API_TOKEN.',
  runcomfy_insufficient_balance: 'Top up the RunComfy account of RUNCOMFY_API_TOKEN.',
  runcomfy_model_unknown: 'Check RUNCOMFY_MODEL_ID.',
  runcomfy_network: 'Check RUNCOMFY_BASE_URL and the network.',
  runcomfy_timeout: 'Check RUNCOMFY_BASE_URL and the network, or raise RUNCOMFY_TIMEOUT.',
  output_empty: 'Image URLs on hosts outside RUNCOMFY_OUTPUT_HOSTS are refused.',
};

export interface ReportOptions {
  log?: Logger | undefined;
  verbose?: boolean;
  /** The request this run submitted (generate): a failure after it points there, not at running again. */
  requestId?: string | undefined;
}

export function reportError(io: CliIo, error: unknown, options: ReportOptions = {}): ExitCode {
  if (error instanceof UsageError) {
    const help = error.command ? `seedream ${error.command} --help` : 'seedream --help';
    io.stderr.write(`seedream: ${error.message}\nRun "${help}" for usage.\n`);
    return EXIT.usage;
  }
  if (error instanceof EnvError) {
    const lines = ['seedream: the environment is not set up:', ...error.problems.map((p) => `  - ${p}`)];
    if (error.problems.some((p) => p.startsWith('RUNCOMFY_API_TOKEN'))) {
      lines.push('Set RUNCOMFY_API_TOKEN to your RunComfy API token, e.g. RUNCOMFY_API_TOKEN=… seedream …');
    }
    io.stderr.write(`${lines.join('\n')}\n`);
    return EXIT.usage;
  }
  if (isAbortError(error) && io.interrupt.aborted) {
    io.stderr.write('Interrupted.\n');
    return EXIT.interrupted;
  }
  const { text, reference, code } = errorMessage('en-US', error);
  options.log?.error({ reference, err: forLog(error) }, 'command failed');
  const lines = [`seedream: ${text} (reference ${reference})`];
  const hint = HINTS[code];
  if (hint) lines.push(`  ${hint}`);
  const requestId = (error instanceof AppError ? error.requestId : undefined) ?? options.requestId;
  if (requestId) lines.push(`  request: ${requestId}`);
  const input = error instanceof InputError;
  const more = input || options.verbose ? undefined : detailsHint(code, options.requestId);
  if (more) lines.push(`  ${more}`);
  io.stderr.write(`${lines.join('\n')}\n`);
  return input ? EXIT.usage : EXIT.failed;
}

/**
 * Where the details are. Once this run submitted a request, running it again would submit (and
 * pay for) a new set: the request is looked up instead. A cancel has no more to tell.
 */
function detailsHint(code: string, submitted: string | undefined): string | undefined {
  if (code === 'job_cancelled') return undefined;
  return submitted
    ? `For details (nothing is generated again): seedream result ${submitted} --verbose`
    : 'Run again with --verbose for details.';
}

function forLog(error: unknown): unknown {
  if (error instanceof AppError) return error.toLog();
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { value: String(error) };
}
