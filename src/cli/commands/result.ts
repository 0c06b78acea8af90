/**
 * `seedream result <request-id>`: the image URLs of a finished request (or where it stands),
 * `--out` downloads them like `generate` does, `--wait` follows the request to its end first
 * (the way back after Ctrl-C on a request that was already generating).
 */
import { AppError, isAbortError } from '../../errors.js';
import { DEFAULT_MODEL } from '../../models/registry.js';
import type { ResultResponse } from '../../runcomfy/schemas.js';
import { COMMON_OPTIONS, parseCommandArgs, parseTimeout, singleRequestId } from '../args.js';
import { type CliIo, EXIT, type ExitCode } from '../cli-io.js';
import {
  type DownloadedImage,
  downloadSetFor,
  type MissingImage,
  noImagesError,
  prepareOutputDirectory,
} from '../download-set.js';
import { followJob } from '../follow-job.js';
import { ProgressReporter } from '../progress.js';
import { withSession } from '../session.js';
import { RESULT_USAGE } from '../usage.js';

export async function resultCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('result', args, {
    ...COMMON_OPTIONS,
    out: { type: 'string', short: 'o' },
    wait: { type: 'boolean' },
    timeout: { type: 'string' },
    quiet: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout.write(RESULT_USAGE);
    return EXIT.ok;
  }
  const requestId = singleRequestId('result', positionals);
  const timeoutMs = parseTimeout('result', values.timeout ?? '30m');
  const outDir = values.out;
  if (outDir !== undefined) await prepareOutputDirectory(outDir, 'result');

  return withSession(io, { verbose: values.verbose === true }, async (session) => {
    const { client, env, log } = session;
    const progress = new ProgressReporter({ output: io.stderr, enabled: !values.quiet, clock: io.clock });
    // Whatever happens, the progress line is gone before anything else is printed.
    try {
      let result: ResultResponse;
      if (values.wait) {
        const startedAt = io.clock();
        try {
          const followed = await followJob({
            client,
            requestId,
            submittedAt: startedAt,
            deadlineAt: startedAt + timeoutMs,
            signal: io.interrupt,
            clock: io.clock,
            log,
            onProgress: (p) =>
              progress.update({ phase: p.phase, queuePosition: p.queuePosition, expectedDoneAt: p.expectedDoneAt }),
          });
          result = followed.result;
        } catch (error) {
          progress.stop();
          if (isAbortError(error) && io.interrupt.aborted) {
            io.stderr.write(`Interrupted. Request ${requestId} carries on at RunComfy; nothing was cancelled.\n`);
            return EXIT.interrupted;
          }
          throw error;
        }
      } else {
        result = await client.result(requestId, { signal: io.interrupt, includeCost: true });
      }

      switch (result.status) {
        case 'succeeded':
          break;
        case 'failed':
          throw new AppError('generation_failed', 'RunComfy reports the generation as failed', { requestId });
        case 'cancelled':
          throw new AppError('job_cancelled', 'RunComfy reports the request as cancelled', { requestId });
        default:
          progress.stop();
          if (values.json) io.stdout.write(`${JSON.stringify({ requestId, status: result.status }, null, 2)}\n`);
          else io.stderr.write(`Request ${requestId} has not finished yet (${result.status}); --wait waits for it.\n`);
          return EXIT.ok;
      }

      // The count asked for is not known here: "k of N" is generate's to tell.
      const output = DEFAULT_MODEL.parseOutput(result.output, {
        requested: 0,
        allowedHosts: env.RUNCOMFY_OUTPUT_HOSTS,
      });
      for (const rejected of output.rejected) {
        progress.note(`Warning: skipped an image URL (${rejected.reason.replaceAll('_', ' ')}): ${rejected.url}`);
      }

      let images: Array<Partial<DownloadedImage> & { n: number; url: string }> = output.urls.map((url, i) => ({
        n: i + 1,
        url,
      }));
      let missing: MissingImage[] = [];
      if (outDir !== undefined) {
        try {
          const downloaded = await downloadSetFor(
            output.urls,
            { directory: outDir, requestId },
            { io, session, progress },
          );
          images = downloaded.images;
          missing = downloaded.missing;
        } finally {
          progress.stop();
        }
        for (const m of missing) {
          io.stderr.write(`Warning: image ${m.n} could not be downloaded (${m.reason.replaceAll('_', ' ')}).\n`);
        }
        if (images.length === 0) {
          throw noImagesError(requestId, missing);
        }
      }
      progress.stop();

      if (values.json) {
        const document = {
          requestId,
          status: result.status,
          received: output.received,
          costUsd: result.cost ?? null,
          createdAt: result.created_at ?? null,
          finishedAt: result.finished_at ?? null,
          images,
          missing,
          rejectedUrls: output.rejected.length,
        };
        io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
      } else {
        io.stdout.write(images.map((image) => `${image.path ?? image.url}\n`).join(''));
      }
      return EXIT.ok;
    } finally {
      progress.stop();
    }
  });
}
