import type { FaultKind, FaultSpec, JobFaultSpec, RandomFaultSpec, Route } from './types.js';

const JOB_FAULT_KINDS: ReadonlySet<FaultKind> = new Set([
  'job-fails',
  'fewer-images',
  'image-404',
  'oversize-image',
  'pixel-bomb',
  'wrong-size',
  'expired',
]);
const JSON_ONLY_KINDS: ReadonlySet<FaultKind> = new Set(['malformed-json', 'extra-fields']);

/** Padding used when chaos picks 'oversize-image': just over Discord's 10 MiB default upload limit. */
export const RANDOM_OVERSIZE_BYTES = 11 * 1024 * 1024;

export function isJobFault(spec: FaultSpec): spec is FaultSpec & JobFaultSpec {
  return JOB_FAULT_KINDS.has(spec.kind);
}

/** Whether a kind of fault means anything on a route; faults that do not are skipped, not consumed. */
export function faultAppliesTo(kind: FaultKind, route: Route): boolean {
  if (JOB_FAULT_KINDS.has(kind)) return route === 'submit';
  if (JSON_ONLY_KINDS.has(kind)) return route !== 'file';
  if (kind === 'unknown-status') return route === 'status' || route === 'result';
  return true;
}

interface QueuedFault {
  spec: FaultSpec;
  remaining: number;
}

/** Injected one-shot faults plus the optional random ("chaos") source. */
export class FaultBook {
  private readonly queued: QueuedFault[] = [];
  private randomSpec: RandomFaultSpec | null = null;

  constructor(private readonly random: () => number) {}

  add(spec: FaultSpec): void {
    const times = spec.times ?? 1;
    if (!(times >= 1)) throw new Error('fault.times must be >= 1');
    this.queued.push({ spec, remaining: times });
  }

  setRandom(spec: RandomFaultSpec | null): void {
    this.randomSpec = spec;
  }

  /** Faults still armed, with how many requests each will still hit (for a control panel). */
  pending(): Array<FaultSpec & { remaining: number }> {
    return this.queued.map(({ spec, remaining }) => ({ ...spec, remaining }));
  }

  clear(): void {
    this.queued.length = 0;
    this.randomSpec = null;
  }

  /** The first queued response fault matching this request, else maybe a random one. */
  takeResponseFault(route: Route, requestId: string | undefined): FaultSpec | undefined {
    const hit = this.queued.find(
      ({ spec }) =>
        !isJobFault(spec) &&
        (spec.route === undefined || spec.route === route) &&
        (spec.requestId === undefined || spec.requestId === requestId) &&
        faultAppliesTo(spec.kind, route),
    );
    if (hit) return this.consume(hit);
    const random = this.pickRandom(route);
    return random && !isJobFault(random) ? random : undefined;
  }

  /** The job behaviours the next submit receives: first queued of each kind, plus maybe a random one. */
  takeJobFaults(): JobFaultSpec[] {
    const taken = new Map<FaultKind, JobFaultSpec>();
    for (const entry of [...this.queued]) {
      const { spec } = entry;
      if (!isJobFault(spec) || spec.requestId !== undefined || taken.has(spec.kind)) continue;
      if (spec.route !== undefined && spec.route !== 'submit') continue;
      taken.set(spec.kind, this.consume(entry) as JobFaultSpec);
    }
    const random = this.pickRandom('submit');
    if (random && isJobFault(random) && !taken.has(random.kind)) taken.set(random.kind, random);
    return [...taken.values()];
  }

  private consume(entry: QueuedFault): FaultSpec {
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.queued.splice(this.queued.indexOf(entry), 1);
    return entry.spec;
  }

  private pickRandom(route: Route): FaultSpec | undefined {
    const spec = this.randomSpec;
    if (!spec || (spec.routes && !spec.routes.includes(route))) return undefined;
    const kinds = spec.kinds.filter((kind) => faultAppliesTo(kind, route));
    if (kinds.length === 0 || this.random() >= spec.probability) return undefined;
    const kind = kinds[Math.floor(this.random() * kinds.length)] ?? kinds[0]!;
    return defaultFault(kind);
  }
}

/** A fault of `kind` with the parameters chaos uses. */
function defaultFault(kind: FaultKind): FaultSpec {
  switch (kind) {
    case 'http-error':
      return { kind, status: 500 };
    case 'slow':
      return { kind, delayMs: 1000 };
    case 'fewer-images':
      return { kind, count: 1 };
    case 'image-404':
      return { kind, index: 0 };
    case 'oversize-image':
      return { kind, index: 0, bytes: RANDOM_OVERSIZE_BYTES };
    case 'pixel-bomb':
      return { kind, index: 0 };
    case 'wrong-size':
      return { kind, index: 0, width: 1024, height: 1024 };
    default:
      return { kind } as FaultSpec;
  }
}
