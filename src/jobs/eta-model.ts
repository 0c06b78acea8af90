/**
 * Learned generation time: an exponentially weighted mean and mean absolute deviation of
 * the running time per (image count, quality), persisted in the store. A bucket with no
 * samples borrows the per-image rate learned for that quality, then a documented prior
 * (about 14 s for one 2K image, growing roughly linearly with the count).
 */
import { z } from 'zod';
import type { Store } from './store.js';

const ALPHA = 0.2;
const bucketSchema = z.object({ meanMs: z.number(), devMs: z.number(), samples: z.number().int() });
const modelSchema = z.object({
  buckets: z.record(z.string(), bucketSchema).default({}),
  perImage: z.record(z.string(), bucketSchema).default({}),
});
type EtaState = z.infer<typeof modelSchema>;

export interface Eta {
  meanMs: number;
  devMs: number;
  samples: number;
}

const PRIOR_BASE_MS = 8_000;
const PRIOR_PER_IMAGE_MS = 6_000;

export class EtaModel {
  #state: EtaState = { buckets: {}, perImage: {} };
  #dirty = false;

  constructor(private readonly store?: Store) {}

  async load(): Promise<void> {
    if (!this.store) return;
    this.#state = (await this.store.get('stats', 'eta', modelSchema)) ?? { buckets: {}, perImage: {} };
  }

  estimate(count: number, quality: string): Eta {
    const bucket = this.#state.buckets[`${count}:${quality}`];
    if (bucket && bucket.samples > 0) {
      // A young bucket is less sure of itself: widen its deviation.
      const widen = bucket.samples < 3 ? 1.5 : 1;
      return {
        meanMs: bucket.meanMs,
        devMs: Math.max(bucket.devMs * widen, bucket.meanMs * 0.03),
        samples: bucket.samples,
      };
    }
    const rate = this.#state.perImage[quality];
    if (rate && rate.samples > 0) {
      const meanMs = rate.meanMs * count;
      return { meanMs, devMs: Math.max(rate.devMs * count, meanMs * 0.15), samples: 0 };
    }
    const meanMs = PRIOR_BASE_MS + PRIOR_PER_IMAGE_MS * count;
    return { meanMs, devMs: meanMs * 0.4, samples: 0 };
  }

  /** Records one observed running time. */
  observe(count: number, quality: string, durationMs: number): void {
    if (!(durationMs > 0) || !Number.isFinite(durationMs)) return;
    const key = `${count}:${quality}`;
    this.#state.buckets[key] = ewma(this.#state.buckets[key], durationMs);
    this.#state.perImage[quality] = ewma(this.#state.perImage[quality], durationMs / count);
    this.#dirty = true;
  }

  async save(): Promise<void> {
    if (!this.store || !this.#dirty) return;
    this.#dirty = false;
    await this.store.set('stats', 'eta', this.#state);
  }
}

function ewma(bucket: z.infer<typeof bucketSchema> | undefined, sample: number): z.infer<typeof bucketSchema> {
  if (!bucket || bucket.samples === 0) return { meanMs: sample, devMs: sample * 0.05, samples: 1 };
  const error = sample - bucket.meanMs;
  return {
    meanMs: bucket.meanMs + ALPHA * error,
    devMs: bucket.devMs + ALPHA * (Math.abs(error) - bucket.devMs),
    samples: bucket.samples + 1,
  };
}
