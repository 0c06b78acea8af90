import type { RouteDefinition } from './context.js';

interface CompiledRoute {
  definition: RouteDefinition;
  /** Literal segment, or null for a `:param` with its name in `names`. */
  literals: Array<string | null>;
  names: Array<string | null>;
}

export type RouteMatch =
  | { kind: 'found'; route: RouteDefinition; params: Record<string, string> }
  | { kind: 'method-not-allowed' }
  | { kind: 'not-found' };

/** Routes indexed by segment count; earlier registrations win, so literal routes go first. */
export class Router {
  private readonly bySegmentCount = new Map<number, CompiledRoute[]>();

  add(definition: RouteDefinition): void {
    const segments = definition.pattern.split('/').slice(1);
    const compiled: CompiledRoute = {
      definition,
      literals: segments.map((s) => (s.startsWith(':') ? null : s)),
      names: segments.map((s) => (s.startsWith(':') ? s.slice(1) : null)),
    };
    const list = this.bySegmentCount.get(segments.length) ?? [];
    list.push(compiled);
    this.bySegmentCount.set(segments.length, list);
  }

  match(method: string, segments: readonly string[]): RouteMatch {
    const candidates = this.bySegmentCount.get(segments.length);
    if (!candidates) return { kind: 'not-found' };
    let pathMatched = false;
    for (const route of candidates) {
      let matches = true;
      for (let i = 0; i < segments.length; i++) {
        const literal = route.literals[i];
        if (literal !== null && literal !== segments[i]) {
          matches = false;
          break;
        }
      }
      if (!matches) continue;
      pathMatched = true;
      if (route.definition.method !== method) continue;
      const params: Record<string, string> = {};
      for (let i = 0; i < segments.length; i++) {
        const name = route.names[i];
        if (name) params[name] = segments[i]!;
      }
      return { kind: 'found', route: route.definition, params };
    }
    return pathMatched ? { kind: 'method-not-allowed' } : { kind: 'not-found' };
  }

  /** The pattern for logs, e.g. `POST /channels/:channel/messages`. */
  static label(route: RouteDefinition): string {
    return `${route.method} ${route.pattern}`;
  }
}
