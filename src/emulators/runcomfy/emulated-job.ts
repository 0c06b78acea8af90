import type { EmulatedJobState, EmulatedJobView, FaultKind, JobFaultSpec, SeedreamInput } from './types.js';

/** What the result says for a job made to fail without a chosen error. */
export const DEFAULT_JOB_ERROR = { code: 'GENERATION_FAILED', message: 'The model failed to generate the images.' };

/**
 * One submitted job. Its timeline is fixed at submit and its state is computed from the clock
 * when asked, so thousands of jobs cost no timers and a few hundred bytes each.
 */
export class EmulatedJob {
  cancelledAt: number | undefined;
  expired = false;
  /** Set when the job is made to fail; the JSON the result's `error` carries. */
  failure: { error: unknown } | undefined;
  imagesReturned: number;
  missingImages: Set<number> | undefined;
  paddedImages: Map<number, number> | undefined;
  /** Files served as something else than the frame asked for (a pixel bomb, a wrong size). */
  oddImages: Map<number, { kind: 'pixel-bomb' | 'wrong-size'; width: number; height: number }> | undefined;
  firstSucceededResultAt: number | undefined;
  readonly faults: FaultKind[] = [];

  constructor(
    readonly requestId: string,
    readonly index: number,
    readonly input: SeedreamInput,
    readonly submittedAt: number,
    readonly startedAt: number,
    readonly completedAt: number,
  ) {
    this.imagesReturned = input.sequential_image_generation_options;
  }

  stateAt(now: number): EmulatedJobState {
    if (this.cancelledAt !== undefined) return 'cancelled';
    if (now < this.startedAt) return 'in_queue';
    if (now < this.completedAt) return 'in_progress';
    return 'completed';
  }

  get outcome(): EmulatedJobView['outcome'] {
    if (this.cancelledAt !== undefined) return 'cancelled';
    return this.failure ? 'failed' : 'succeeded';
  }

  apply(fault: JobFaultSpec): void {
    this.faults.push(fault.kind);
    switch (fault.kind) {
      case 'job-fails':
        this.failure = { error: fault.error === undefined ? DEFAULT_JOB_ERROR : fault.error };
        break;
      case 'fewer-images':
        this.imagesReturned = Math.max(0, Math.min(this.input.sequential_image_generation_options, fault.count));
        break;
      case 'image-404':
        this.missingImages ??= new Set();
        this.missingImages.add(fault.index);
        break;
      case 'oversize-image':
        this.paddedImages ??= new Map();
        this.paddedImages.set(fault.index, fault.bytes);
        break;
      case 'pixel-bomb':
        this.oddImages ??= new Map();
        this.oddImages.set(fault.index, {
          kind: fault.kind,
          width: fault.width ?? 16_000,
          height: fault.height ?? 16_000,
        });
        break;
      case 'wrong-size':
        this.oddImages ??= new Map();
        this.oddImages.set(fault.index, { kind: fault.kind, width: fault.width, height: fault.height });
        break;
      case 'expired':
        this.expired = true;
        break;
    }
  }

  view(now: number): EmulatedJobView {
    return {
      requestId: this.requestId,
      index: this.index,
      input: { ...this.input },
      submittedAt: this.submittedAt,
      startedAt: this.startedAt,
      completedAt: this.completedAt,
      state: this.stateAt(now),
      outcome: this.outcome,
      cancelled: this.cancelledAt !== undefined,
      ...(this.cancelledAt !== undefined && { cancelledAt: this.cancelledAt }),
      expired: this.expired,
      ...(this.firstSucceededResultAt !== undefined && { firstSucceededResultAt: this.firstSucceededResultAt }),
      imagesReturned: this.imagesReturned,
      faults: [...this.faults],
    };
  }
}
