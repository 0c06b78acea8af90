/** The durable step log of a delivery: each post is recorded before it is made, once per key. */
import { createHash } from 'node:crypto';
import type { JobRepository } from '../store/job-repository.js';
import type { JobRecord } from './job.js';
import type { DeliverySteps } from './surface.js';

/** Discord refuses a message nonce longer than this (400 / 50035). */
export const MAX_NONCE_LENGTH = 25;

/**
 * The nonce of one delivery step: 25 base64url characters (150 bits) of a hash of the job id
 * and the step key, so it is unique per (job, step) and the same in every process and after
 * any restart.
 */
export function stepNonce(jobId: string, key: string): string {
  return createHash('sha256').update(`${jobId}\0${key}`).digest('base64url').slice(0, MAX_NONCE_LENGTH);
}

/** The steps a Deliverer is handed, plus `flush`: every record written so far is in the store. */
export type RecordedSteps = DeliverySteps & { flush(): Promise<void> };

/**
 * The delivery's steps over `job.delivery` as it was read when this attempt began. A step's
 * "started" record (its nonce, attempt count and start time) is in the store before its post,
 * so a post that may have landed is always known: the next attempt re-sends it with the same
 * nonce (Discord dedupes for minutes) and looks for its own message beyond. The "done"
 * record is written in the background, so a round trip of the store does not sit between one
 * message and the next; `flush` waits for those. A step whose "done" a crash kept from the
 * store is posted again with the same nonce (Discord answers with the message it already has)
 * or looked up.
 */
export function deliverySteps(job: JobRecord, jobs: JobRepository, clock: () => number): RecordedSteps {
  const jobId = job.id;
  const done: Record<string, string> = {};
  const writes: Array<Promise<unknown>> = [];
  const record = (key: string, step: NonNullable<JobRecord['delivery'][string]>) => {
    const write = jobs.update(jobId, (j) => ({ ...j, delivery: { ...j.delivery, [key]: step } }));
    write.catch(() => undefined); // surfaced by flush()
    writes.push(write);
    return write;
  };
  return {
    done: () => ({ ...done }),
    once: async (key, post) => {
      const existing = job.delivery[key];
      if (existing?.state === 'done' && existing.result !== undefined) {
        done[key] = existing.result;
        return existing.result;
      }
      if (done[key] !== undefined) return done[key];
      // A record written by an older version may hold a nonce Discord refuses: derive it anew.
      const nonce = existing && existing.nonce.length <= MAX_NONCE_LENGTH ? existing.nonce : stepNonce(jobId, key);
      const attempt = (existing?.attempts ?? 0) + 1;
      const startedAt = existing?.startedAt ?? clock();
      await record(key, { nonce, state: 'started', startedAt, attempts: attempt });
      const result = await post(nonce, attempt);
      record(key, { nonce, state: 'done', result, startedAt, doneAt: clock(), attempts: attempt });
      done[key] = result;
      return result;
    },
    flush: async () => {
      await Promise.all(writes);
    },
  };
}
