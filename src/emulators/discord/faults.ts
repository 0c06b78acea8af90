/**
 * Fault injection on REST routes: 429 rate limits (route or global), 5xx answers, refusals
 * (4xx such as 50035) and slow answers, each for a number of hits or with a probability.
 *
 * Routes are patterns over `METHOD /path` after `/api/v10`: `POST /channels/*\/messages`,
 * `/interactions/**`, `PATCH /webhooks/:app/:token/messages/@original`, or a RegExp tested
 * against e.g. `POST /channels/123/messages`. No route means every route.
 */
export interface FaultRule {
  route?: string | RegExp;
  /** How many matching requests it hits before it retires itself. Default: unlimited. */
  times?: number;
  /** Chance (0–1) that a matching request is hit. Default 1. */
  probability?: number;
}

export interface RateLimitFault extends FaultRule {
  kind: 'rateLimit';
  /** Retry-After in ms (keep it small in tests; discord.js waits it out and retries). Default 50. */
  retryAfterMs?: number;
  global?: boolean;
  scope?: 'user' | 'global' | 'shared';
  bucket?: string;
}

export interface ServerErrorFault extends FaultRule {
  kind: 'serverError';
  status?: 500 | 502 | 503 | 504;
}

/** A refusal Discord gives for the request itself (default 400 / 50035 Invalid Form Body). */
export interface RefusalFault extends FaultRule {
  kind: 'refusal';
  status?: 400 | 403 | 404 | 413;
  code?: number;
  message?: string;
  /** Discord's `errors` tree, e.g. `{ nonce: { _errors: [{ code, message }] } }`. */
  errors?: Record<string, unknown>;
}

export interface SlowFault extends FaultRule {
  kind: 'slow';
  delayMs: number;
}

export type FaultSpec = RateLimitFault | ServerErrorFault | RefusalFault | SlowFault;

export interface ActiveFault {
  readonly spec: FaultSpec;
  /** Requests this fault has hit so far. */
  readonly hits: number;
  readonly exhausted: boolean;
  remove(): void;
}

export interface FaultDecision {
  delayMs: number;
  failure: RateLimitFault | ServerErrorFault | RefusalFault | undefined;
  label: string | undefined;
}

class Fault implements ActiveFault {
  hits = 0;
  removed = false;
  private readonly matcher: (line: string) => boolean;

  constructor(
    readonly spec: FaultSpec,
    private readonly owner: FaultInjector,
  ) {
    this.matcher = compileRoute(spec.route);
  }

  get exhausted(): boolean {
    return this.removed || (this.spec.times !== undefined && this.hits >= this.spec.times);
  }

  remove(): void {
    this.removed = true;
    this.owner.forget(this);
  }

  tryHit(line: string, random: () => number): boolean {
    if (this.exhausted || !this.matcher(line)) return false;
    if (this.spec.probability !== undefined && random() >= this.spec.probability) return false;
    this.hits++;
    return true;
  }
}

export class FaultInjector {
  private faults: Fault[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  inject(spec: FaultSpec): ActiveFault {
    const fault = new Fault(spec, this);
    this.faults.push(fault);
    return fault;
  }

  rateLimit(route: FaultRule['route'], options: Omit<RateLimitFault, 'kind' | 'route'> = {}): ActiveFault {
    return this.inject({ kind: 'rateLimit', route, ...options });
  }

  serverError(route: FaultRule['route'], options: Omit<ServerErrorFault, 'kind' | 'route'> = {}): ActiveFault {
    return this.inject({ kind: 'serverError', route, ...options });
  }

  refuse(route: FaultRule['route'], options: Omit<RefusalFault, 'kind' | 'route'> = {}): ActiveFault {
    return this.inject({ kind: 'refusal', route, ...options });
  }

  slow(
    route: FaultRule['route'],
    delayMs: number,
    options: Omit<SlowFault, 'kind' | 'route' | 'delayMs'> = {},
  ): ActiveFault {
    return this.inject({ kind: 'slow', route, delayMs, ...options });
  }

  clear(): void {
    this.faults = [];
  }

  get active(): readonly ActiveFault[] {
    return this.faults.filter((f) => !f.exhausted);
  }

  forget(fault: Fault): void {
    this.faults = this.faults.filter((f) => f !== fault);
  }

  /** What happens to this request: an added delay and/or a failure answer. */
  decide(method: string, path: string): FaultDecision {
    const decision: FaultDecision = { delayMs: 0, failure: undefined, label: undefined };
    if (this.faults.length === 0) return decision;
    const line = `${method.toUpperCase()} ${path}`;
    for (const fault of this.faults) {
      if (fault.spec.kind === 'slow') {
        if (fault.tryHit(line, this.random)) {
          decision.delayMs += fault.spec.delayMs;
          decision.label ??= 'slow';
        }
      } else if (!decision.failure && fault.tryHit(line, this.random)) {
        decision.failure = fault.spec;
        decision.label = fault.spec.kind;
      }
    }
    return decision;
  }
}

function compileRoute(route: FaultRule['route']): (line: string) => boolean {
  if (route === undefined) return () => true;
  if (route instanceof RegExp) return (line) => route.test(line);
  const trimmed = route.trim();
  const space = trimmed.indexOf(' ');
  const method = space > 0 ? trimmed.slice(0, space).toUpperCase() : '[A-Z]+';
  const path = space > 0 ? trimmed.slice(space + 1).trim() : trimmed;
  const pattern = path
    .split('/')
    .map((segment) => {
      if (segment === '**') return '.*';
      if (segment === '*' || segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  const regex = new RegExp(`^${method} ${pattern}$`);
  return (line) => regex.test(line);
}
