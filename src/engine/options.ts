/** What a JobEngine is built from (src/app.ts fills it from the environment). */
import type { PriceBook } from '../accounting/pricing.js';
import type { QuotaLimits } from '../accounting/quota.js';
import type { Logger } from '../log.js';
import type { ModelIds } from '../models/registry.js';
import type { RunComfyClient } from '../runcomfy/client.js';
import type { ImageSpool } from '../store/image-spool.js';
import type { Store } from '../store/store.js';
import type { PollTuning } from './poll-plan.js';
import type { Deliverer } from './surface.js';

export interface JobEngineOptions {
  store: Store;
  client: RunComfyClient;
  deliverer: Deliverer;
  /** Where finished sets are copied before delivery. */
  spool: ImageSpool;
  outputHosts: string[];
  deadlineMs: number;
  /**
   * Global cap on jobs in flight at RunComfy (submitted, queued or running). Beyond it new
   * requests wait in the bot's fair queue. Default: no cap.
   */
  maxInFlight?: number;
  /** Limits of requests that bring none of their own (default: none; the bot passes limitsFromEnv). */
  limits?: Partial<QuotaLimits>;
  /** Prices (default: RunComfy's model info, else `pricePerImageUsd`). */
  pricing?: PriceBook;
  /** PRICE_PER_IMAGE_USD, when `pricing` is not given. Default 0.03. */
  pricePerImageUsd?: number;
  /** RunComfy model ids that differ from the models' keys (RUNCOMFY_MODEL_ID). */
  modelIds?: ModelIds;
  /** Name of the fair queue in the store (one per process that owns its jobs). Default 'main'. */
  queueName?: string;
  pollConcurrency: number;
  pollRate: number;
  historyLimit?: number;
  /** How long an ended job's record is kept (JOB_RETENTION); undefined: for ever. */
  retentionMs?: number;
  clock?: () => number;
  /** How much faster than real time `clock` runs (benchmarks only). */
  timeScale?: number;
  logger?: Logger;
  tuning?: Partial<PollTuning>;
  /** Time limit of one status/result call. */
  pollTimeoutMs?: number;
  /**
   * How long a process's ownership of a job outlives it (several processes on Redis): a dead
   * process's jobs are adopted by the others within this. Default 15 s.
   */
  leaseMs?: number;
  /** This process's identity in leases (default host:pid:random). */
  processId?: string;
  /** How long delivery may keep retrying after the job's deadline. */
  deliveryGraceMs?: number;
}
