import { AbortedError } from '../errors.js';

/**
 * Sleeps `ms` milliseconds unless `signal` aborts first (then rejects with AbortedError).
 * Uses the global setTimeout on purpose so fake timers in tests drive it.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A signal that aborts when any of `signals` aborts or after `timeoutMs` (if given). */
export function combineSignals(
  signals: Array<AbortSignal | undefined>,
  timeoutMs?: number,
): {
  signal: AbortSignal;
  dispose: () => void;
} {
  const controller = new AbortController();
  const cleanups: Array<() => void> = [];
  const abort = (reason: unknown) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  for (const s of signals) {
    if (!s) continue;
    if (s.aborted) {
      abort(s.reason);
      break;
    }
    const listener = () => abort(s.reason);
    s.addEventListener('abort', listener, { once: true });
    cleanups.push(() => s.removeEventListener('abort', listener));
  }
  if (timeoutMs !== undefined && !controller.signal.aborted) {
    const timer = setTimeout(() => abort(new TimeoutSignalReason(timeoutMs)), timeoutMs);
    cleanups.push(() => clearTimeout(timer));
  }
  return {
    signal: controller.signal,
    dispose: () => {
      for (const c of cleanups) c();
    },
  };
}

/** The abort reason used when a per-call timeout fires, so callers can tell it from a cancel. */
export class TimeoutSignalReason extends Error {
  constructor(readonly timeoutMs: number) {
    super(`Timed out after ${timeoutMs} ms`);
    this.name = 'TimeoutSignalReason';
  }
}
