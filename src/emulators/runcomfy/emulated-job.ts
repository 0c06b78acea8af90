import type {
  EmulatedJobState,
  EmulatedJobView,
  FaultKind,
  JobFaultSpec,
  ReferenceReport,
  SeedreamEditInput,
  SeedreamInput,
} from './types.js';

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
  /** Which process submitted it (the `x-caller-id` header), when it said. */
  caller: string | undefined;
  /** Edit jobs: what fetching each reference found; undefined until every fetch has ended. */
  references: ReferenceReport[] | undefined;
  /** Edit jobs: settles once `references` is known (answers past the queue wait for it). */
  referencesFetched: Promise<void> | undefined;

  constructor(
    readonly requestId: string,
    readonly index: number,
    readonly modelId: string,
    readonly input: SeedreamInput | SeedreamEditInput,
    readonly submittedAt: number,
    readonly startedAt: number,
    // Not readonly: a job whose references cannot be used ends as it starts.
    public completedAt: number,
  ) {
    this.imagesReturned = input.sequential_image_generation_options;
  }

  /**
   * The fetched references. One that cannot be used fails the job, when it starts, with the
   * service's validation error (422001 and a `detail` entry per reference), as the submit would
   * have if the service fetched synchronously.
   */
  setReferences(reports: ReferenceReport[]): void {
    this.references = reports;
    const unusable = reports.filter((report) => !report.ok);
    if (unusable.length === 0 || this.failure) return;
    this.failure = {
      error: {
        error_code: 422001,
        error_message: 'Input validation failed',
        detail: unusable.map((report) => ({
          loc: ['body', 'images', report.index - 1],
          msg: report.error ?? 'Invalid image',
          type: 'image_fetch_error',
        })),
      },
    };
    this.completedAt = this.startedAt;
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
      modelId: this.modelId,
      ...(this.caller !== undefined && { caller: this.caller }),
      input: structuredClone(this.input),
      ...(this.references !== undefined && { references: this.references.map((r) => ({ ...r })) }),
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
