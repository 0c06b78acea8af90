/** Public types of the loopback RunComfy Model API emulator. */

export type Route = 'submit' | 'status' | 'result' | 'cancel' | 'model' | 'file';

/** The input fields of Seedream 4.0 sequential, after defaults are applied. */
export interface SeedreamInput {
  text: string;
  sequential_image_generation_options: number;
  image_size: string;
  seed?: number;
  optimize_prompt_options: 'fast' | 'standard';
  sequential_image_generation: 'auto';
}

/** The input of Seedream 4.0 edit-sequential [guess]: the sequential fields plus the reference image URLs. */
export interface SeedreamEditInput extends SeedreamInput {
  images: string[];
}

/** What the emulator fetched for one reference image of an edit job. */
export interface ReferenceReport {
  /** 1-based, as the output images label them ("ref 1"). */
  index: number;
  url: string;
  ok: boolean;
  /** Why the service could not use it (the text of the job's validation error). */
  error?: string;
  httpStatus?: number;
  contentType?: string;
  bytes?: number;
  format?: 'png' | 'jpeg' | 'webp';
  width?: number;
  height?: number;
  /** `#rrggbb`: the swatch the output images show for this reference. */
  dominantColour?: string;
}

/** What a timing function learns about a job: its submit order (0-based), image count and quality. */
export interface JobTimingContext {
  index: number;
  count: number;
  quality: string;
}

export type JobTiming = number | ((job: JobTimingContext) => number);

export interface RunComfyEmulatorOptions {
  /** Bearer token accepted on API routes; default 'emulator-token'. */
  token?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Epoch ms; default Date.now. All job timing is derived from it at request time (no timer per job). */
  clock?: () => number;
  /** Time a job spends in queue; default 1000. */
  queueMs?: JobTiming;
  /** Time a job spends in progress; default baseRunMs + perImageMs * count. */
  runMs?: JobTiming;
  /** Default 1000. */
  baseRunMs?: number;
  /** Default 500. */
  perImageMs?: number;
  /** Token bucket over API routes (not files), refilled by `clock`; beyond it 429 with Retry-After. */
  rateLimit?: { requestsPerSecond: number; retryAfterSeconds?: number };
  /** Format of the generated files; default 'jpeg' (upstream returns JPEG). */
  imageFormat?: 'jpeg' | 'png';
  /** Default 0.03; shown by model info and billed per requested image with ?include_cost=true. */
  pricePerImageUsd?: number;
  /** Default 'bytedance/seedream-4-0/sequential'. */
  modelId?: string;
  /** The edit model served beside it; default 'bytedance/seedream-4-0/edit-sequential'. */
  editModelId?: string;
  /** Price per image of the edit model; default `pricePerImageUsd`. */
  editPricePerImageUsd?: number;
  /**
   * Take reference URLs `http://` on a loopback host (the Discord emulator's CDN in tests).
   * Default false: like the service, only HTTPS.
   */
  allowLoopbackReferences?: boolean;
  /** How references are fetched; default the global fetch. */
  referenceFetch?: typeof fetch;
  /** Largest reference accepted, in bytes; default 50,000,000 ("50 MB"). */
  maxReferenceBytes?: number;
  /** Source of randomness for setRandomFaults; default Math.random (inject a seeded one for reproducible chaos). */
  random?: () => number;
  /** Keep every request in `calls`; default true. Turn off for very long benchmark runs. */
  recordCalls?: boolean;
  /**
   * Every file served is padded (valid metadata, as the oversize-image fault does) to at least
   * this many bytes, e.g. 4_000_000 for the size of a real 2K JPEG; default none (~0.1 MB renders).
   */
  imageBytes?: number;
  /** How many rendered image buffers to keep (LRU); default 32. */
  imageCacheSize?: number;
  /**
   * Host name in the image URLs of results (the CDN's name), on the emulator's port; default its
   * address. A name makes the bot look it up (tests inject the answer).
   */
  filesHost?: string;
  /** Serve the `/_emulator/` control API (timing, faults, jobs; see control-api.ts). Default false. */
  controlApi?: boolean;
}

/** Timing of jobs submitted from now on; `queueMs` is null while it is a function. */
export interface EmulatorTiming {
  queueMs: number | null;
  baseRunMs: number;
  perImageMs: number;
}

export interface RecordedCall {
  /** `clock()` when the request arrived. */
  at: number;
  method: string;
  /** Path including the query string. */
  path: string;
  route: Route | 'unknown';
  requestId?: string;
  /** The `x-caller-id` header the client sent (which bot process asked), when it sent one. */
  caller?: string;
  /** HTTP status answered; 0 while unanswered, or for a reset or hung request. */
  status: number;
  fault?: FaultKind;
}

interface FaultTarget {
  /** Only requests on this route; any route when omitted (job behaviours default to 'submit'). */
  route?: Route;
  /** Only requests about this request id. For a job behaviour: apply to that existing job now. */
  requestId?: string;
  /** How many matching requests it hits; default 1. */
  times?: number;
}

/** Faults that change the answer to one request. */
export type ResponseFaultSpec =
  /** 429; Retry-After defaults to 1, null sends none. */
  | { kind: 'rate-limit'; retryAfterSeconds?: number | null }
  /** 5xx with an error body; default 503. */
  | { kind: 'server-error'; status?: number }
  /** Any status with `{error_code, error_message, detail?}`. */
  | { kind: 'http-error'; status: number; errorCode?: number; message?: string; detail?: unknown }
  /** HTTP 200 whose body is `{error_code, error_message}`. */
  | { kind: 'error-body-200'; errorCode?: number; message?: string }
  /** Destroy the socket without answering; `afterProcessing` lets the request take effect first (e.g. a job is created). */
  | { kind: 'connection-reset'; afterProcessing?: boolean }
  /** Never answer; the socket stays open until close(). `afterProcessing` as above. */
  | { kind: 'hang'; afterProcessing?: boolean }
  /** Answer after a real delay (the request takes effect on arrival). */
  | { kind: 'slow'; delayMs: number }
  /** The normal status with a truncated JSON body. */
  | { kind: 'malformed-json' }
  /** The normal answer plus unknown fields at top level and in every nested object. */
  | { kind: 'extra-fields' }
  /** Status/result endpoints answer this status value instead of the real one; default 'warming_up'. */
  | { kind: 'unknown-status'; status?: string };

/** Behaviours of a job: consumed by the next submit, or applied to `requestId` at once. */
export type JobFaultSpec =
  /** The job runs to completion, then its result says failed with this error (any JSON). */
  | { kind: 'job-fails'; error?: unknown }
  /** The result lists only `count` images. */
  | { kind: 'fewer-images'; count: number }
  /** The image at `index` (0-based, as in output.images) answers 404. */
  | { kind: 'image-404'; index: number }
  /** The file at `index` (0-based) is padded with valid metadata (JPEG COM segments / PNG private chunk) to at least `bytes`. */
  | { kind: 'oversize-image'; index: number; bytes: number }
  /** The file at `index` is a tiny valid PNG of `width`×`height` (default 16,000²): a decompression bomb. */
  | { kind: 'pixel-bomb'; index: number; width?: number; height?: number }
  /** The file at `index` is rendered at `width`×`height` instead of the size asked for. */
  | { kind: 'wrong-size'; index: number; width: number; height: number }
  /** As expire(requestId) right after the submit answered. */
  | { kind: 'expired' };

export type FaultSpec = FaultTarget & (ResponseFaultSpec | JobFaultSpec);
export type FaultKind = FaultSpec['kind'];

export interface RandomFaultSpec {
  /** Chance per request (0..1). */
  probability: number;
  kinds: FaultKind[];
  /** Routes it may hit; all when omitted. */
  routes?: Route[];
}

export type EmulatedJobState = 'in_queue' | 'in_progress' | 'completed' | 'cancelled';

export interface EmulatedJobView {
  requestId: string;
  /** Submit order, 0-based. */
  index: number;
  /** The model it was submitted to (the sequential or the edit-sequential id). */
  modelId: string;
  /** The `x-caller-id` header of its submit (which bot process asked), when sent. */
  caller?: string;
  /** As accepted, defaults applied; an edit job's carries `images`. */
  input: SeedreamInput | SeedreamEditInput;
  /** Edit jobs, once fetched: what each reference was (its swatch colour on the outputs), or why it failed the job. */
  references?: ReferenceReport[];
  submittedAt: number;
  startedAt: number;
  completedAt: number;
  /** State at the current clock. */
  state: EmulatedJobState;
  /** How it ends (or ended): what the result endpoint says once completed. */
  outcome: 'succeeded' | 'failed' | 'cancelled';
  cancelled: boolean;
  cancelledAt?: number;
  expired: boolean;
  /** Clock time the first succeeded result was served (detection latency = this − completedAt). */
  firstSucceededResultAt?: number;
  /** How many image URLs the result lists. */
  imagesReturned: number;
  /** Job behaviours applied to it. */
  faults: FaultKind[];
}

export interface RunComfyEmulator {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:43121. */
  readonly url: string;
  readonly token: string;
  readonly calls: RecordedCall[];
  /** Queue a one-shot fault (`times`, default 1); matched by route and requestId, first match wins. */
  inject(fault: FaultSpec): void;
  setRandomFaults(spec: RandomFaultSpec | null): void;
  /** Faults still armed, with how many requests each will still hit. */
  pendingFaults(): Array<FaultSpec & { remaining: number }>;
  /** Disarms every queued fault and random faults. */
  clearFaults(): void;
  timing(): EmulatorTiming;
  /** Changes the timing of jobs submitted from now on (running jobs keep theirs). */
  setTiming(timing: Partial<Record<keyof EmulatorTiming, number>>): void;
  job(requestId: string): EmulatedJobView | undefined;
  /** The job's view once its references are fetched (at once for a sequential job). */
  referencesFetched(requestId: string): Promise<EmulatedJobView | undefined>;
  jobs(): EmulatedJobView[];
  /** From now on that id answers 404 with error_code 404001. */
  expire(requestId: string): void;
  /** Closes the server and destroys every open socket (hung ones included). */
  close(): Promise<void>;
}
