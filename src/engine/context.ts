/**
 * What the engine's parts share, and nothing more: the store and its job records, the clock,
 * the log, the options, the engine's events and its stop signal. Parts that call each other
 * get those references from the facade (engine.ts), not from here.
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from '../log.js';
import type { Leases } from '../store/coordination/leases.js';
import type { JobRepository } from '../store/job-repository.js';
import type { Store } from '../store/store.js';
import type { JobEngineOptions } from './options.js';
import type { EngineEvents } from './surface.js';

/** Set once by start() and by drain(); read by the parts that begin new work. */
export interface EngineLifecycle {
  started: boolean;
  /** Set by drain(): nothing new is sent, downloaded or delivered; work under way goes on. */
  draining: boolean;
}

export interface EngineContext {
  readonly options: JobEngineOptions;
  readonly store: Store;
  readonly jobs: JobRepository;
  readonly leases: Leases;
  readonly clock: () => number;
  readonly log: Logger;
  /** The facade itself: parts emit on it, surfaces listen to it. */
  readonly events: EventEmitter<EngineEvents>;
  /** Aborted by stop(): every call in flight listens to it. */
  readonly signal: AbortSignal;
  readonly lifecycle: EngineLifecycle;
  /** The log of one job (its id and RunComfy request id on every line). */
  jobLog(job: { id: string; requestId?: string | undefined }): Logger;
}
