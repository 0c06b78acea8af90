/**
 * `seedream generate "<prompt>"`: validate (nothing is sent if the input is wrong), submit,
 * follow the request with a progress line, download the set, print the paths or a JSON
 * document. Ctrl-C cancels the request if it is still queued, and says so when it cannot.
 */

import { EtaModel } from '../../accounting/eta-model.js';
import { AppError, isAbortError } from '../../errors.js';
import { errorMessage } from '../../i18n/index.js';
import { isLoopbackHost } from '../../models/image-output.js';
import type { QualityKey } from '../../models/model.js';
import { configuredModelIds, modelForRequest, runcomfyModelId, withChosenSeed } from '../../models/registry.js';
import { checkReferences } from '../../references/check-references.js';
import { checkReferenceCount, type ReferenceCandidate } from '../../references/reference-rules.js';
import type { RunComfyClient } from '../../runcomfy/client.js';
import type { SubmitResponse } from '../../runcomfy/schemas.js';
import { COMMON_OPTIONS, parseCommandArgs, parseCount, parseSeed, parseTimeout, UsageError } from '../args.js';
import { type CliIo, EXIT, type ExitCode } from '../cli-io.js';
import {
  assertWritableFolder,
  defaultOutputDirectory,
  type downloadSet,
  downloadSetFor,
  noImagesError,
  prepareOutputDirectory,
} from '../download-set.js';
import { type FollowedJob, type FollowPhase, followJob } from '../follow-job.js';
import { ProgressReporter, plural } from '../progress.js';
import { reportError } from '../report-error.js';
import { withSession } from '../session.js';
import { GENERATE_USAGE } from '../usage.js';

const DEFAULT_TIMEOUT = '30m';

export async function generateCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('generate', args, {
    ...COMMON_OPTIONS,
    count: { type: 'string', short: 'n' },
    aspect: { type: 'string', short: 'a' },
    seed: { type: 'string', short: 's' },
    quality: { type: 'string', short: 'q' },
    ref: { type: 'string', multiple: true },
    out: { type: 'string', short: 'o' },
    timeout: { type: 'string' },
    quiet: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout.write(GENERATE_USAGE);
    return EXIT.ok;
  }
  const timeoutMs = parseTimeout('generate', values.timeout ?? DEFAULT_TIMEOUT);
  if (positionals.length === 0) {
    throw new UsageError('Missing the prompt, e.g. seedream generate "3 images of a lighthouse at dusk"', 'generate');
  }
  // Unquoted words are one prompt; "-" reads it from stdin (long prompts, files).
  const prompt = positionals.length === 1 && positionals[0] === '-' ? await io.readStdin() : positionals.join(' ');

  // Everything a person can get wrong is checked here, before a token is needed or a cent spent.
  const references = (values.ref ?? []).map(referenceCandidate);
  checkReferenceCount(references.length);
  const request = {
    prompt,
    count: parseCount(values.count) ?? null,
    aspect: values.aspect ?? null,
    seed: parseSeed(values.seed) ?? null,
    quality: (values.quality ?? null) as QualityKey | null,
    references: references.map((reference) => reference.url),
  };
  const model = modelForRequest(request);
  const built = model.buildInput(request);
  if (values.out === undefined) await assertWritableFolder(io.cwd, 'generate');
  else await prepareOutputDirectory(values.out, 'generate');

  const verbose = values.verbose === true;
  return withSession(io, { verbose }, async (session) => {
    const { client, env, log } = session;
    if (references.length > 0) {
      // Fetched by RunComfy, so public; loopback only when the API is itself local (the emulator).
      const allowLoopback = isLoopbackHost(new URL(env.RUNCOMFY_BASE_URL).hostname);
      await checkReferences(references, model.parameters(built).count, { allowLoopback, signal: io.interrupt });
    }
    // Chosen here when not given, so it can be printed and the set made again with --seed.
    const input = withChosenSeed(model, built);
    const set = model.parameters(input);
    const count = set.count;
    const modelId = runcomfyModelId(model.key, configuredModelIds(env));
    const progress = new ProgressReporter({ output: io.stderr, enabled: !values.quiet, clock: io.clock });
    // Whatever happens, the progress line is gone before anything else is printed.
    try {
      progress.update({ phase: 'submitting', count });

      const submittedAt = io.clock();
      const submitted = await submitHoldingInterrupt(io, client, modelId, input, progress);
      const requestId = submitted.request_id;
      session.requestId = requestId;
      const outDir = values.out ?? defaultOutputDirectory(io.cwd, requestId);
      progress.note(`Submitted as request ${requestId} (seed ${set.seed})`);
      if (values.out === undefined) progress.note(`The images go to ${outDir} (--out chooses another folder)`);
      log.info(
        { requestId, model: model.key, count, imageSize: set.size, references: set.references.length },
        'submitted',
      );
      if (io.interrupt.aborted) {
        progress.stop();
        return cancelAfterInterrupt(io, client, requestId, 'queued', outDir);
      }

      let phase: FollowPhase | 'downloading' = 'queued';
      let followed: FollowedJob;
      try {
        followed = await followJob({
          client,
          requestId,
          submittedAt,
          deadlineAt: submittedAt + timeoutMs,
          signal: io.interrupt,
          eta: new EtaModel().estimate(count, set.quality, model.key),
          clock: io.clock,
          log,
          onProgress: (p) => {
            phase = p.phase;
            progress.update({ phase: p.phase, queuePosition: p.queuePosition, expectedDoneAt: p.expectedDoneAt });
          },
        });
      } catch (error) {
        progress.stop();
        if (isAbortError(error) && io.interrupt.aborted)
          return cancelAfterInterrupt(io, client, requestId, phase, outDir);
        if (error instanceof AppError && error.code === 'job_timed_out') {
          const exitCode = reportError(io, error, { log, verbose });
          io.stderr.write(
            `It may still finish; fetch it later with: seedream result ${requestId} --wait --out ${outDir}\n`,
          );
          return exitCode;
        }
        throw error;
      }

      progress.update({ phase: 'fetching' });
      const output = model.parseOutput(followed.result.output, {
        requested: count,
        allowedHosts: env.RUNCOMFY_OUTPUT_HOSTS,
      });
      for (const rejected of output.rejected) {
        progress.note(`Warning: skipped an image URL (${rejected.reason.replaceAll('_', ' ')}): ${rejected.url}`);
      }

      phase = 'downloading';
      const downloadStartedAt = io.clock();
      let downloaded: Awaited<ReturnType<typeof downloadSet>>;
      try {
        downloaded = await downloadSetFor(output.urls, { directory: outDir, requestId }, { io, session, progress });
      } catch (error) {
        progress.stop();
        if (isAbortError(error) && io.interrupt.aborted)
          return cancelAfterInterrupt(io, client, requestId, phase, outDir);
        throw error;
      }
      const finishedAt = io.clock();
      progress.stop();

      const { images, missing } = downloaded;
      for (const m of missing) {
        io.stderr.write(`Warning: image ${m.n} could not be downloaded (${m.reason.replaceAll('_', ' ')}).\n`);
      }
      if (images.length === 0) throw noImagesError(requestId, missing);
      if (images.length < count && !values.quiet) {
        io.stderr.write(
          `Received ${images.length} of ${count} ${plural(count, 'image')} (the model may return fewer than asked).\n`,
        );
      }

      if (values.json) {
        const document = {
          requestId,
          status: followed.result.status,
          prompt: set.prompt,
          requested: count,
          received: images.length,
          seed: set.seed,
          aspect: set.aspect,
          size: set.size,
          width: set.width,
          height: set.height,
          quality: set.quality,
          model: model.key,
          references: set.references,
          costUsd: followed.result.cost ?? null,
          images,
          missing,
          rejectedUrls: output.rejected.length,
          timings: {
            submittedAt: new Date(submittedAt).toISOString(),
            completedAt: new Date(followed.completedSeenAt).toISOString(),
            // Seen from here: queued until first seen running, then generating until seen done.
            queuedMs: followed.runningSeenAt === null ? null : followed.runningSeenAt - submittedAt,
            generatingMs: followed.runningSeenAt === null ? null : followed.completedSeenAt - followed.runningSeenAt,
            waitMs: followed.completedSeenAt - submittedAt,
            downloadMs: finishedAt - downloadStartedAt,
            totalMs: finishedAt - submittedAt,
            createdAt: followed.result.created_at ?? null,
            finishedAt: followed.result.finished_at ?? null,
          },
        };
        io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
      } else {
        io.stdout.write(images.map((image) => `${image.path}\n`).join(''));
      }
      return EXIT.ok;
    } finally {
      progress.stop();
    }
  });
}

/**
 * A `--ref` value: RunComfy downloads references itself, so only a URL will do; a local file is
 * refused here with what to do instead. Named by the URL's last segment in refusals.
 */
function referenceCandidate(value: string, index: number): ReferenceCandidate {
  const url = value.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new UsageError(
      `--ref ${JSON.stringify(value)} looks like a local file. RunComfy fetches reference images itself, so each --ref must be a public HTTPS URL (upload the image somewhere public and pass its link)`,
      'generate',
    );
  }
  let name = '';
  try {
    name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  } catch {
    // Not a URL at all: the checks refuse it, naming it by position.
  }
  return { url, name: name || `#${index + 1}` };
}

/**
 * The submit is not tied to Ctrl-C: cut off mid-flight it may still start (and be billed) with
 * no id to cancel it by. So Ctrl-C waits for the answer, then cancels; a second Ctrl-C quits.
 */
async function submitHoldingInterrupt(
  io: CliIo,
  client: RunComfyClient,
  modelId: string,
  input: unknown,
  progress: ProgressReporter,
): Promise<SubmitResponse> {
  const onInterrupt = () =>
    progress.note(
      'Interrupted: waiting for RunComfy to confirm the submit so it can be cancelled (Ctrl-C again quits now).',
    );
  io.interrupt.addEventListener('abort', onInterrupt, { once: true });
  try {
    return await client.submit(modelId, input);
  } finally {
    io.interrupt.removeEventListener('abort', onInterrupt);
  }
}

async function cancelAfterInterrupt(
  io: CliIo,
  client: RunComfyClient,
  requestId: string,
  phase: FollowPhase | 'downloading',
  outDir: string,
): Promise<ExitCode> {
  const fetchLater = `seedream result ${requestId} --wait --out ${outDir}`;
  if (phase === 'fetching' || phase === 'downloading') {
    io.stderr.write(
      `Interrupted. Request ${requestId} has already finished; fetch its images with:\n  ${fetchLater}\n`,
    );
    return EXIT.interrupted;
  }
  io.stderr.write(`Interrupted. Cancelling request ${requestId}…\n`);
  try {
    const answer = await client.cancel(requestId, { timeoutMs: 10_000 });
    if (answer.outcome === 'cancelled') {
      io.stderr.write(
        `Cancelled request ${requestId} on RunComfy: it was still queued, so nothing will be generated.\n`,
      );
    } else {
      io.stderr.write(
        `Request ${requestId} is already generating and cannot be cancelled on RunComfy; it will finish (and be billed).\n` +
          `Fetch the images later with:\n  ${fetchLater}\n`,
      );
    }
  } catch (error) {
    const { text, reference } = errorMessage('en-US', error);
    io.stderr.write(
      `Could not cancel request ${requestId}: ${text} (reference ${reference})\nTry again with: seedream cancel ${requestId}\n`,
    );
  }
  return EXIT.interrupted;
}
