/**
 * Learned generation time: an exponentially weighted mean and mean absolute deviation of
 * the running time per (image count, quality), persisted in the store. A bucket with no
 * samples borrows from the buckets of the same quality that have some: a line
 * (base + per-image × count) fitted through them, or with one learned bucket, that bucket
 * scaled by the shape of the prior; with none, a documented prior (about 14 s for one 2K
 * image, growing roughly linearly with the count). Borrowed estimates carry a wider deviation,
 * wider still the further they extrapolate. Each model learns apart (an edit of references is
 * not timed like a set from a prompt alone), and borrows only from itself.
 */
import { z } from 'zod';
import { DEFAULT_MODEL_KEY } from '../models/registry.js';
import type { Store } from '../store/store.js';

/**
 * Weight of a new sample: a plain running average over the first 1/ALPHA samples, then an
 * exponentially weighted one with this weight. 0.2 made the mean wander by ±5 % around the
 * truth at 10 % noise, which let jobs finish outside their window (bench/poller.bench.ts).
 */
const ALPHA = 0.05;
/** A sample further than this many deviations from the mean moves the bucket as if it were this far (outliers). */
const CLAMP_DEVS = 4;
/** A bucket's first sample starts with this relative deviation. */
const FIRST_DEV = 0.06;
const bucketSchema = z.object({ meanMs: z.number(), devMs: z.number(), samples: z.number().int() });
const modelSchema = z.object({
  buckets: z.record(z.string(), bucketSchema).default({}),
  perImage: z.record(z.string(), bucketSchema).default({}),
});
type EtaState = z.infer<typeof modelSchema>;
type Bucket = z.infer<typeof bucketSchema>;

export interface Eta {
  meanMs: number;
  devMs: number;
  samples: number;
}

const PRIOR_BASE_MS = 8_000;
const PRIOR_PER_IMAGE_MS = 6_000;
/**
 * Relative deviation of the prior: wide, so the first window of a never-seen kind of job starts at
 * 20 % of the guess (a service much faster than the guess is still caught on time).
 */
const PRIOR_DEV = 0.4;
/** Least relative deviation of an estimate borrowed from other buckets. */
const BORROWED_DEV = 0.08;
/** Extra relative deviation per image of extrapolation beyond the learned counts. */
const EXTRAPOLATION_DEV = 0.04;

const priorMs = (count: number) => PRIOR_BASE_MS + PRIOR_PER_IMAGE_MS * count;

/**
 * The default model's keys are bare (`3:fast`, `fast`): the keys stored before there was a
 * second model, so what was learned stays valid. Another model's are prefixed: `<model>|3:fast`.
 */
function modelPrefix(model: string | undefined): string {
  return model === undefined || model === DEFAULT_MODEL_KEY ? '' : `${model}|`;
}

export class EtaModel {
  #state: EtaState = { buckets: {}, perImage: {} };
  #dirty = false;

  constructor(private readonly store?: Store) {}

  async load(): Promise<void> {
    if (!this.store) return;
    this.#state = (await this.store.get('stats', 'eta', modelSchema)) ?? { buckets: {}, perImage: {} };
  }

  /** `model`: the model's key; absent, the default model. */
  estimate(count: number, quality: string, model?: string): Eta {
    const prefix = modelPrefix(model);
    const bucket = this.#state.buckets[`${prefix}${count}:${quality}`];
    if (bucket && bucket.samples > 0) {
      // A young bucket is less sure of itself: widen its deviation.
      const widen = bucket.samples < 3 ? 1.5 : 1;
      return {
        meanMs: bucket.meanMs,
        devMs: Math.max(bucket.devMs * widen, bucket.meanMs * 0.03),
        samples: bucket.samples,
      };
    }
    const borrowed = this.#borrow(count, quality, prefix);
    if (borrowed) return borrowed;
    const meanMs = priorMs(count);
    return { meanMs, devMs: meanMs * PRIOR_DEV, samples: 0 };
  }

  /** Records one observed running time. */
  observe(count: number, quality: string, durationMs: number, model?: string): void {
    if (!(durationMs > 0) || !Number.isFinite(durationMs)) return;
    const prefix = modelPrefix(model);
    const key = `${prefix}${count}:${quality}`;
    this.#state.buckets[key] = ewma(this.#state.buckets[key], durationMs);
    const perImageKey = `${prefix}${quality}`;
    this.#state.perImage[perImageKey] = ewma(this.#state.perImage[perImageKey], durationMs / count);
    this.#dirty = true;
  }

  async save(): Promise<void> {
    if (!this.store || !this.#dirty) return;
    this.#dirty = false;
    await this.store.set('stats', 'eta', this.#state);
  }

  /** An estimate for an unlearned count from the learned counts of the same model and quality. */
  #borrow(count: number, quality: string, prefix: string): Eta | undefined {
    const points: Array<{ count: number; bucket: Bucket }> = [];
    for (const [fullKey, bucket] of Object.entries(this.#state.buckets)) {
      const ownPrefix = fullKey.slice(0, fullKey.lastIndexOf('|') + 1);
      if (ownPrefix !== prefix) continue;
      const key = fullKey.slice(prefix.length);
      const at = key.indexOf(':');
      if (bucket.samples <= 0 || key.slice(at + 1) !== quality) continue;
      const learned = Number(key.slice(0, at));
      if (Number.isInteger(learned) && learned > 0) points.push({ count: learned, bucket });
    }
    if (points.length === 0) return undefined;
    let meanMs: number;
    if (points.length === 1) {
      const [only] = points;
      meanMs = (only!.bucket.meanMs * priorMs(count)) / priorMs(only!.count);
    } else {
      // Weighted least squares of mean = base + perImage × count; young buckets weigh less.
      let sw = 0;
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let sxy = 0;
      for (const { count: x, bucket } of points) {
        const w = Math.min(bucket.samples, 10);
        sw += w;
        sx += w * x;
        sy += w * bucket.meanMs;
        sxx += w * x * x;
        sxy += w * x * bucket.meanMs;
      }
      const spread = sw * sxx - sx * sx;
      let perImage = spread > 0 ? (sw * sxy - sx * sy) / spread : 0;
      if (!(perImage >= 0)) perImage = 0;
      const base = (sy - perImage * sx) / sw;
      meanMs = base + perImage * count;
      if (!(meanMs > 0)) meanMs = (sy / sw / (sx / sw)) * count;
    }
    const counts = points.map((p) => p.count);
    const beyond = Math.max(0, Math.min(...counts) - count, count - Math.max(...counts));
    const relativeDev = points.reduce((sum, p) => sum + p.bucket.devMs / p.bucket.meanMs, 0) / points.length;
    const devMs = meanMs * (Math.max(BORROWED_DEV, 1.5 * relativeDev) + EXTRAPOLATION_DEV * beyond);
    return { meanMs, devMs, samples: 0 };
  }
}

function ewma(bucket: Bucket | undefined, sample: number): Bucket {
  if (!bucket || bucket.samples === 0) return { meanMs: sample, devMs: sample * FIRST_DEV, samples: 1 };
  // Huber-style: an outlier (a badly observed run) moves the bucket only so far.
  const limit = CLAMP_DEVS * Math.max(bucket.devMs, bucket.meanMs * 0.01);
  const error = Math.max(-limit, Math.min(limit, sample - bucket.meanMs));
  const weight = Math.max(ALPHA, 1 / (bucket.samples + 1));
  return {
    meanMs: bucket.meanMs + weight * error,
    devMs: bucket.devMs + weight * (Math.abs(error) - bucket.devMs),
    samples: bucket.samples + 1,
  };
}
