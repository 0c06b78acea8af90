/**
 * From a finished set to a delivered one: copies the images RunComfy listed to the spool
 * (fetching → delivering), then hands them to the Deliverer with durable steps, retrying with
 * backoff until the delivery grace ends (delivering → delivered). One background task per job.
 */
import { describeError, isAbortError } from '../errors.js';
import type { SpooledImage } from '../store/image-spool.js';
import { backoffDelay } from '../util/retry.js';
import { sleep } from '../util/sleep.js';
import { DELIVERY_BACKOFF, ERROR_BACKOFF } from './backoffs.js';
import type { EngineContext } from './context.js';
import type { ImageSizeMonitor } from './image-size-check.js';
import type { JobRecord } from './job.js';
import { deliverySteps } from './steps.js';
import { PermanentDeliveryError } from './surface.js';
import { failureOf, type Transitions } from './transitions.js';

/** How long delivery may keep retrying after the job's deadline, unless the options say. */
const DEFAULT_DELIVERY_GRACE_MS = 15 * 60_000;

export class DeliveryRunner {
  readonly #ctx: EngineContext;
  readonly #transitions: Transitions;
  readonly #imageSizes: ImageSizeMonitor;
  readonly #tasks = new Map<string, Promise<void>>();
  /** Background tasks waiting out a backoff (not doing anything right now). */
  readonly #backingOff = new Set<string>();

  constructor(ctx: EngineContext, transitions: Transitions, imageSizes: ImageSizeMonitor) {
    this.#ctx = ctx;
    this.#transitions = transitions;
    this.#imageSizes = imageSizes;
  }

  /** True while a download or a post is under way (not counting tasks waiting out a backoff). */
  get working(): boolean {
    return this.#tasks.size > this.#backingOff.size;
  }

  /** True while the job has a task here (running or backing off). */
  has(jobId: string): boolean {
    return this.#tasks.has(jobId);
  }

  /** Every task under way, to wait for. */
  tasks(): Array<Promise<void>> {
    return [...this.#tasks.values()];
  }

  startCollect(jobId: string): void {
    this.#runOnce(jobId, () => this.#collect(jobId));
  }

  startDelivery(jobId: string): void {
    this.#runOnce(jobId, () => this.#deliver(jobId));
  }

  /** One background task per job at a time (collect, then deliver). */
  #runOnce(jobId: string, task: () => Promise<void>): void {
    if (this.#tasks.has(jobId) || this.#ctx.signal.aborted || this.#ctx.lifecycle.draining) return;
    const run = task()
      .catch((error: unknown) => this.#ctx.log.error({ err: error, jobId }, 'background task failed'))
      .finally(() => {
        this.#tasks.delete(jobId);
      });
    this.#tasks.set(jobId, run);
  }

  #graceEnds(deadlineAt: number): number {
    return deadlineAt + (this.#ctx.options.deliveryGraceMs ?? DEFAULT_DELIVERY_GRACE_MS);
  }

  /** fetching → delivering: downloads the images RunComfy listed (retrying transient failures). */
  async #collect(jobId: string): Promise<void> {
    const { signal, jobs, options } = this.#ctx;
    for (let attempt = 1; ; attempt++) {
      const job = await jobs.get(jobId);
      if (job?.state !== 'fetching' || signal.aborted) return;
      const log = this.#ctx.jobLog(job);
      try {
        const { images, missing } = await options.spool.fetchAll(job.id, job.imageUrls, signal);
        if (missing.length > 0) log.warn({ missing }, 'some images could not be downloaded');
        if (images.length === 0) {
          // Said as it was: gone from the CDN, or refused by the bot (a pixel bomb, a private host…).
          const reasons = new Set(missing.map((m) => m.reason));
          const only = reasons.size === 1 ? [...reasons][0] : undefined;
          await this.#transitions.fail(jobId, {
            code: only && only !== 'image_gone' ? only : 'images_expired',
            detail: `None of the ${job.imageUrls.length} images could be used (${[...reasons].join(', ')})`,
            params: { missing: missing.length },
          });
          return;
        }
        this.#imageSizes.check(job, images, log);
        const ready = await this.#transitions.move(jobId, 'delivering', {
          missingImages: missing.map((m) => m.index),
        });
        if (!ready) return;
        this.#ctx.events.emit('ready', ready);
        await this.#deliver(jobId, ready);
        return;
      } catch (error) {
        if (isAbortError(error) || signal.aborted) return;
        const wait = backoffDelay(attempt, ERROR_BACKOFF);
        log.warn({ err: describeError(error), retryInMs: wait }, 'image download failed');
        if (this.#ctx.clock() + wait >= this.#graceEnds(job.deadlineAt)) {
          await this.#transitions.fail(jobId, failureOf(error, 'images_download_failed'));
          return;
        }
        if (!(await this.#backOff(jobId, wait, signal))) return;
      }
    }
  }

  /** delivering → delivered; `current` is the job's record when the caller has just written it. */
  async #deliver(jobId: string, current?: JobRecord): Promise<void> {
    const { signal, jobs, options } = this.#ctx;
    let known = current;
    for (;;) {
      const job = known ?? (await jobs.get(jobId));
      known = undefined;
      if (job?.state !== 'delivering' || signal.aborted) return;
      const log = this.#ctx.jobLog(job);
      try {
        const images = await this.#localCopies(job, signal);
        const steps = deliverySteps(job, jobs, this.#ctx.clock);
        let posted = false;
        try {
          await options.deliverer.deliver(job, images, steps, signal);
          posted = true;
        } finally {
          // Every step's record is in the store before the job ends; one that could not be
          // saved makes the attempt fail, and the retry re-posts that step with its nonce.
          const flushed = steps.flush();
          await (posted ? flushed : flushed.catch(() => undefined));
        }
        await this.#transitions.end(jobId, 'delivered', {});
        return;
      } catch (error) {
        if (isAbortError(error) || signal.aborted) return;
        const updated = await jobs.update(jobId, (j) => ({ ...j, deliveryAttempts: j.deliveryAttempts + 1 }));
        const attempts = updated.deliveryAttempts;
        const graceEnds = this.#graceEnds(updated.deadlineAt);
        const permanent = error instanceof PermanentDeliveryError;
        log.warn({ err: describeError(error), attempts, permanent }, 'delivery failed');
        if (permanent || attempts >= DELIVERY_BACKOFF.maxAttempts || this.#ctx.clock() >= graceEnds) {
          await this.#transitions.fail(jobId, failureOf(error, 'delivery_failed'));
          return;
        }
        if (!(await this.#backOff(jobId, backoffDelay(attempts, DELIVERY_BACKOFF), signal))) return;
      }
    }
  }

  /**
   * The set's local copies, complete. The spool writes its files only once a delivery lasts
   * (see image-spool.ts), so a crash (or a failed write, or a spool cleaned by hand) can leave
   * some missing; those are downloaded again (the same URLs, usually seconds after RunComfy
   * listed them).
   * The images RunComfy never served stay out, so the set packs exactly as it did before; if
   * one is gone for good the job ends `images_expired` rather than posting a set with a hole.
   */
  async #localCopies(job: JobRecord, signal: AbortSignal): Promise<SpooledImage[]> {
    const spool = this.#ctx.options.spool;
    const images = await spool.list(job.id);
    const have = new Set(images.map((image) => image.index));
    const absent = job.imageUrls.map((_, index) => index).filter((i) => !have.has(i) && !job.missingImages.includes(i));
    if (absent.length === 0) {
      if (images.length === 0)
        throw new PermanentDeliveryError('images_expired', 'The local copies of the set are gone');
      return images;
    }
    this.#ctx.jobLog(job).warn({ absent }, 'local copies incomplete; downloading them again');
    const again = await spool.fetchAll(job.id, job.imageUrls, signal, new Set(absent));
    if (again.missing.length > 0) {
      throw new PermanentDeliveryError('images_expired', 'Images of the set are gone from RunComfy and from disk', {
        params: { missing: again.missing.length },
      });
    }
    return spool.list(job.id);
  }

  /** Sleeps a background task; false when the engine is stopping. */
  async #backOff(jobId: string, ms: number, signal: AbortSignal): Promise<boolean> {
    this.#backingOff.add(jobId);
    try {
      await sleep(ms, signal);
      return true;
    } catch {
      return false;
    } finally {
      this.#backingOff.delete(jobId);
    }
  }
}
