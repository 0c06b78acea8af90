/**
 * The store's write-through cache of small records (everything but jobs and gallery posts),
 * for the reads that must not wait on the store. Each entry carries a write sequence number,
 * so a read begun before a later write never overwrites what that write left.
 */
import type { Namespace } from './store-types.js';

/** Namespaces whose records are small and few enough to keep in memory. */
const CACHED: ReadonlySet<Namespace> = new Set(['users', 'guilds', 'stats', 'index']);
const CACHE_ENTRIES = 20_000;

export interface CacheEntry {
  /** The stored value (a private copy), or undefined when the key is known to be absent. */
  raw: unknown;
  /** When the value was last read from or written to the store (Date.now()). */
  at: number;
  /** Write sequence number: a read that began before a later write must not overwrite it. */
  seq: number;
}

export class RecordCache {
  readonly #entries = new Map<string, CacheEntry>();
  #seq = 0;

  /** The sequence number a read begun now carries. */
  get seq(): number {
    return this.#seq;
  }

  /** The sequence number of a write made now. */
  nextSeq(): number {
    return ++this.#seq;
  }

  static holds(ns: Namespace): boolean {
    return CACHED.has(ns);
  }

  get(full: string): CacheEntry | undefined {
    return this.#entries.get(full);
  }

  /** Keeps a private copy of what the store holds for `full`, unless a newer write is known. */
  remember(full: string, raw: unknown, seq: number): void {
    const current = this.#entries.get(full);
    if (current && current.seq > seq) return;
    this.#entries.delete(full); // re-inserted last: the Map's order is the eviction order
    this.#entries.set(full, { raw: raw === undefined ? undefined : structuredClone(raw), at: Date.now(), seq });
    if (this.#entries.size > CACHE_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /**
   * A record changed in the store without this process knowing its value: a quick read
   * (getFresh) goes to the store next, and no read begun before the change may answer for it.
   */
  markStale(full: string): void {
    if (!CACHED.has(full.slice(0, full.indexOf(':')) as Namespace)) return;
    this.#entries.delete(full);
    this.#entries.set(full, { raw: undefined, at: 0, seq: ++this.#seq });
  }

  forget(full: string): void {
    this.#entries.delete(full);
  }

  clear(): void {
    this.#entries.clear();
  }
}
