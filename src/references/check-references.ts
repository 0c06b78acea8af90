/**
 * The reference checks with the one network look each needs: a ranged GET of the first bytes
 * (never the whole file), which also tells the size (Content-Range, else Content-Length), the
 * type and whether the URL answers at all. A server that ignores the range and names no length
 * is counted while it streams, up to the cap, and then cut off.
 */
import { Agent, type Dispatcher, interceptors, request } from 'undici';
import { AbortedError, InputError } from '../errors.js';
import { combineSignals, TimeoutSignalReason } from '../util/sleep.js';
import {
  checkContentType,
  checkReferencesOffline,
  checkSignature,
  checkSize,
  MAX_REFERENCE_BYTES,
  type ReferenceCandidate,
  type ReferenceRules,
  referenceLabel,
  SIGNATURE_BYTES,
} from './reference-rules.js';

export interface ReferenceCheckOptions extends ReferenceRules {
  /** Per reference. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** E.g. one whose connections refuse private addresses (engine/output-dispatcher.ts). */
  dispatcher?: Dispatcher;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_REDIRECTIONS = 3;

/**
 * Every check, before anything is sent; resolves when all references pass. Refusals (InputError,
 * see reference-rules.ts): those of `checkReferencesOffline`, `reference_not_an_image`,
 * `reference_too_large`, `reference_not_found` (404/410) and `reference_unreachable` {reference,
 * reason}. Of several bad references the first in order is named. AbortedError when `signal` aborts.
 */
export async function checkReferences(
  candidates: readonly ReferenceCandidate[],
  count: number,
  options: ReferenceCheckOptions = {},
): Promise<void> {
  checkReferencesOffline(candidates, count, options);
  const results = await Promise.allSettled(
    candidates.map((candidate, index) => probeReference(candidate, referenceLabel(candidate, index), options)),
  );
  for (const result of results) if (result.status === 'rejected') throw result.reason;
}

/** The network half for one reference (the offline rules are assumed checked). */
export async function probeReference(
  candidate: ReferenceCandidate,
  reference: string,
  options: ReferenceCheckOptions = {},
): Promise<void> {
  const { signal, dispose } = combineSignals([options.signal], options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const dispatcher = (options.dispatcher ?? ownAgent()).compose(
    interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS }),
  );
  try {
    const response = await request(candidate.url, {
      method: 'GET',
      headers: { range: `bytes=0-${SIGNATURE_BYTES - 1}`, accept: 'image/*' },
      signal,
      dispatcher,
    });
    const { statusCode, headers, body } = response;
    try {
      if (statusCode === 404 || statusCode === 410) {
        throw new InputError('reference_not_found', `Reference ${reference} answered ${statusCode}`, {
          params: { reference },
        });
      }
      if (statusCode === 416) throw notAnImage(reference); // an empty file has no first bytes
      if (statusCode !== 200 && statusCode !== 206) throw unreachable(reference, `HTTP ${statusCode}`);

      const type = header(headers['content-type']) ?? candidate.contentType ?? '';
      checkContentType(type, reference);
      const total = statusCode === 206 ? rangeTotal(header(headers['content-range'])) : undefined;
      const length = statusCode === 200 ? Number(header(headers['content-length']) ?? Number.NaN) : Number.NaN;
      const known = total ?? (Number.isFinite(length) ? length : undefined);
      if (known !== undefined) checkSize(known, reference);
      // With a size known (here or declared), the first bytes are enough; otherwise count to the cap.
      const mustCount = known === undefined && typeof candidate.size !== 'number';
      const head = await readHead(body, mustCount ? MAX_REFERENCE_BYTES + 1 : SIGNATURE_BYTES);
      if (mustCount) checkSize(head.counted, reference);
      checkSignature(head.bytes, reference);
    } finally {
      // undici reports a body left unread as an 'error' (UND_ERR_ABORTED): expected here.
      body.on('error', () => undefined);
      body.destroy();
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (options.signal?.aborted) throw new AbortedError();
    if (signal.aborted && signal.reason instanceof TimeoutSignalReason) throw unreachable(reference, 'timeout');
    throw unreachable(reference, errorCode(error));
  } finally {
    dispose();
  }
}

/**
 * This undici's own agent. Not the global dispatcher: in the bot that is discord.js's (an older
 * undici, installed by @discordjs/rest), which this undici's redirect interceptor cannot drive
 * (UND_ERR_INVALID_ARG "invalid onError method", so every reference read as unreachable).
 */
let agent: Agent | undefined;
function ownAgent(): Agent {
  agent ??= new Agent();
  return agent;
}

/**
 * The first SIGNATURE_BYTES of `body`, reading until `stopAt` bytes were counted or it ends.
 * Chunks past the head are counted and dropped: nothing of a large file is kept.
 */
async function readHead(body: AsyncIterable<Buffer>, stopAt: number): Promise<{ bytes: Uint8Array; counted: number }> {
  const head = Buffer.alloc(SIGNATURE_BYTES);
  let filled = 0;
  let counted = 0;
  for await (const chunk of body) {
    if (filled < SIGNATURE_BYTES) filled += chunk.copy(head, filled, 0, SIGNATURE_BYTES - filled);
    counted += chunk.length;
    if (counted >= stopAt) break;
  }
  return { bytes: head.subarray(0, filled), counted };
}

/** `bytes 0-15/123456` → 123456; `*` or malformed → unknown. */
function rangeTotal(contentRange: string | undefined): number | undefined {
  const total = /\/(\d+)\s*$/.exec(contentRange ?? '')?.[1];
  return total === undefined ? undefined : Number(total);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function notAnImage(reference: string): InputError {
  return new InputError('reference_not_an_image', `Reference ${reference} is empty`, {
    params: { reference, type: 'empty' },
  });
}

function unreachable(reference: string, reason: string): InputError {
  return new InputError('reference_unreachable', `Reference ${reference} could not be read: ${reason}`, {
    params: { reference, reason },
  });
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : 'network';
}
