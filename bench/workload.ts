/**
 * The benchmark's jobs, deterministic from a seed: queue time uniform in 0–30 s, image count
 * uniform in 1–6, running time (12 s + 4 s per image) × a factor uniform in [0.9, 1.1].
 * The parent's emulator reads queue time and noise by submit order (`index`) and the count
 * from the job itself; the child submits job i with `counts[i]`.
 */
export interface WorkloadSpec {
  jobs: number;
  seed: number;
}

export interface Workload {
  counts: number[];
  queueMs: number[];
  /** Multiplier of the nominal running time, in [0.9, 1.1]. */
  noise: number[];
}

export const QUEUE_MAX_MS = 30_000;
export const RUN_BASE_MS = 12_000;
export const RUN_PER_IMAGE_MS = 4_000;
export const RUN_NOISE = 0.1;
export const MAX_COUNT = 6;

/** mulberry32: small, fast, good enough for a workload. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeWorkload(spec: WorkloadSpec): Workload {
  const random = seededRandom(spec.seed);
  const counts: number[] = [];
  const queueMs: number[] = [];
  const noise: number[] = [];
  for (let i = 0; i < spec.jobs; i++) {
    counts.push(1 + Math.floor(random() * MAX_COUNT));
    queueMs.push(Math.round(random() * QUEUE_MAX_MS));
    noise.push(1 - RUN_NOISE + 2 * RUN_NOISE * random());
  }
  return { counts, queueMs, noise };
}

export function runMsOf(count: number, noise: number): number {
  return Math.round((RUN_BASE_MS + RUN_PER_IMAGE_MS * count) * noise);
}
