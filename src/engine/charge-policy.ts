/**
 * Whether a job that ended keeps what it was charged. RunComfy has no idempotency key and
 * bills work it did whether or not the set reached Discord, so the quota (and the server's
 * spending) is given back only when RunComfy provably did no paid work for the job.
 */
import { RunComfyServerError, RunComfySubmitUncertainError } from '../runcomfy/errors.js';
import type { JobRecord } from './job.js';

export function keepsCharge(job: JobRecord): boolean {
  if (job.state === 'delivered') return true;
  // The engine marked it: a submit without a clear answer, a deadline after RunComfy started…
  if (job.chargeKept === true) return true;
  // RunComfy finished the set: the images were made (and billed) even if posting them failed.
  if (job.stateTimes.fetching !== undefined) return true;
  // RunComfy said it charged something.
  return job.cost !== undefined && job.cost > 0;
}

/**
 * A submit that failed this way may still have started a paid job: the request reached
 * RunComfy and no clear refusal came back (a reset or time-out after sending, or a 5xx).
 */
export function submitMayHaveStarted(error: unknown): boolean {
  return error instanceof RunComfySubmitUncertainError || error instanceof RunComfyServerError;
}
