/** `seedream cancel <request-id>`: RunComfy cancels only queued requests; anything else exits 1. */
import { COMMON_OPTIONS, parseCommandArgs, singleRequestId } from '../args.js';
import { type CliIo, EXIT, type ExitCode } from '../cli-io.js';
import { withSession } from '../session.js';
import { CANCEL_USAGE } from '../usage.js';

export async function cancelCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('cancel', args, COMMON_OPTIONS);
  if (values.help) {
    io.stdout.write(CANCEL_USAGE);
    return EXIT.ok;
  }
  const requestId = singleRequestId('cancel', positionals);
  return withSession(io, { verbose: values.verbose === true }, async ({ client }) => {
    // Not tied to Ctrl-C on purpose: a cancel cut off halfway leaves you not knowing its outcome.
    const answer = await client.cancel(requestId);
    const cancelled = answer.outcome === 'cancelled';
    if (values.json) {
      const document = { requestId: answer.request_id, outcome: answer.outcome, status: answer.status ?? null };
      io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    } else if (cancelled) {
      io.stdout.write(`${answer.request_id}: cancelled\n`);
    } else {
      io.stderr.write(
        `Request ${answer.request_id} cannot be cancelled: it is already generating or has finished.\n` +
          `Fetch it with: seedream result ${answer.request_id} --wait --out <dir>\n`,
      );
    }
    return cancelled ? EXIT.ok : EXIT.failed;
  });
}
