/**
 * Calls that got no usable answer, as typed errors: aborted by the caller, timed out, or a
 * connection failure that says whether the request may have left (which decides whether a
 * submit may be re-sent).
 */
import { AbortedError } from '../errors.js';
import { TimeoutSignalReason } from '../util/sleep.js';
import { RunComfyNetworkError, RunComfySubmitUncertainError, RunComfyTimeoutError } from './errors.js';

// Errors of the connection phase: the request never left this machine, so re-sending is safe.
const CONNECT_PHASE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CONNECT',
]);

/** The error for a call that failed before an answer was read. */
export function transportError(
  error: unknown,
  signal: AbortSignal,
  timeoutMs: number,
  callerSignal: AbortSignal | undefined,
  requestId: string | undefined,
  answered: boolean,
): Error {
  if (callerSignal?.aborted) return new AbortedError('RunComfy call aborted', { requestId });
  if (signal.aborted && signal.reason instanceof TimeoutSignalReason) {
    return new RunComfyTimeoutError(`RunComfy did not answer within ${timeoutMs} ms`, { requestId });
  }
  const code = errorCode(error);
  const requestSent = answered || !CONNECT_PHASE_CODES.has(code ?? '');
  return new RunComfyNetworkError(`Connection to RunComfy failed (${code ?? 'unknown'})`, requestSent, {
    requestId,
    params: { reason: code ?? 'unknown' },
    cause: error,
  });
}

/** A submit's failure as its caller must see it: one that may have reached RunComfy is uncertain, not retryable. */
export function toSubmitError(error: unknown): unknown {
  // A submit that may have reached RunComfy and got no clear answer: never re-sent.
  if ((error instanceof RunComfyNetworkError && error.requestSent) || error instanceof RunComfyTimeoutError) {
    return new RunComfySubmitUncertainError(
      'The submit may have reached RunComfy but no answer came back; it was not re-sent',
      { cause: error },
    );
  }
  return error;
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      // undici wraps the socket's own error; the socket's code says more.
      const inner = (current as { cause?: { code?: unknown } }).cause?.code;
      return typeof inner === 'string' && code === 'UND_ERR_SOCKET' ? inner : code;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
