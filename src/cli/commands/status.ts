/** `seedream status <request-id>`: where a request stands, in one line (or RunComfy's answer as JSON). */
import { COMMON_OPTIONS, parseCommandArgs, singleRequestId } from '../args.js';
import { type CliIo, EXIT, type ExitCode } from '../cli-io.js';
import { withSession } from '../session.js';
import { STATUS_USAGE } from '../usage.js';

export async function statusCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('status', args, COMMON_OPTIONS);
  if (values.help) {
    io.stdout.write(STATUS_USAGE);
    return EXIT.ok;
  }
  const requestId = singleRequestId('status', positionals);
  return withSession(io, { verbose: values.verbose === true }, async ({ client }) => {
    const answer = await client.status(requestId, { signal: io.interrupt });
    // "completed" covers success and failure alike; the result endpoint tells them apart, in the
    // words `result` and `generate --json` use.
    const status =
      answer.status === 'completed' ? (await client.result(requestId, { signal: io.interrupt })).status : answer.status;
    if (values.json) {
      const document = { requestId: answer.request_id, status, queuePosition: answer.queue_position ?? null };
      io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    } else {
      io.stdout.write(
        `${answer.request_id}: ${describeStatus(status, answer.queue_position ?? null, answer.request_id)}\n`,
      );
    }
    return EXIT.ok;
  });
}

export function describeStatus(status: string, queuePosition: number | null, requestId: string): string {
  switch (status) {
    case 'in_queue':
      return queuePosition === null ? 'queued' : `queued (position ${queuePosition})`;
    case 'in_progress':
      return 'generating';
    case 'succeeded':
      return `succeeded (seedream result ${requestId} --out <dir> fetches the images)`;
    case 'failed':
      return 'failed (the model could not generate this set; nothing to fetch)';
    case 'cancelled':
      return 'cancelled';
    default:
      return `${status} (a state this tool does not know; treated as still working)`;
  }
}
