/**
 * The store's vocabulary, shared by the store and its transaction engines: namespaces, the
 * transaction interface, the Redis commands used directly, and the errors of a bad record or
 * a lost lease.
 */
import { z } from 'zod';
import { AppError } from '../errors.js';

export const NAMESPACES = ['jobs', 'users', 'guilds', 'galleries', 'stats', 'index'] as const;
export type Namespace = (typeof NAMESPACES)[number];

export class StoreCorruptError extends AppError {
  constructor(key: string, detail: string) {
    super('store_corrupt', `Stored record ${key} does not fit its schema: ${detail}`, { params: { key } });
  }
}

/** A lease this process no longer holds: the write it fenced was not made. */
export class LeaseLostError extends AppError {
  constructor(key: string) {
    super('lease_lost', `The lease ${key} is held by another process`, { params: { key } });
  }
}

/** The commands of node-redis the store uses directly (atomic scripts, leases, raw reads). */
export interface RawRedis {
  get(key: string): Promise<string | null>;
  mGet(keys: string[]): Promise<Array<string | null>>;
  set(key: string, value: string, options?: { NX?: boolean; PX?: number }): Promise<string | null>;
  del(keys: string | string[]): Promise<number>;
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  publish(channel: string, message: string): Promise<number>;
  duplicate(): RawRedis & {
    connect(): Promise<unknown>;
    subscribe(channel: string, listener: (message: string) => void): Promise<void>;
    quit?(): Promise<unknown>;
    destroy?(): void;
    close?(): Promise<unknown>;
    on(event: 'error', listener: (error: unknown) => void): unknown;
  };
}

/**
 * One atomic read-decide-write over several records. Reads go to the store (never to the
 * memory cache); writes are buffered and made together at the end, only if nothing read has
 * changed meanwhile in any process (else the transaction runs again from the start, so its
 * body must only read and decide). `fence` makes the commit also depend on a lease.
 */
export interface StoreTx {
  get<S extends z.ZodType>(ns: Namespace, key: string, schema: S): Promise<z.infer<S> | undefined>;
  getMany<S extends z.ZodType>(ns: Namespace, keys: string[], schema: S): Promise<Array<z.infer<S> | undefined>>;
  set(ns: Namespace, key: string, value: unknown, ttlMs?: number): void;
  delete(ns: Namespace, key: string): void;
  /** Commits only while the raw key `leaseKey` (see Store.leaseKey) holds `token`. */
  fence(leaseKey: string, token: string): void;
  /** Reads records the body will read, in one round trip (a hint: the body reads them again). */
  prefetch(keys: Array<[Namespace, string]>): Promise<void>;
  /**
   * Adds `delta` to the numeric fields of a record (`base` when absent), never below 0. On Redis
   * it is applied at commit without being compared (additions commute: processes adding to the
   * same counter never make each other retry); the body must not read the record afterwards.
   */
  add(ns: Namespace, key: string, base: object, delta: Record<string, number>, ttlMs?: number): Promise<void>;
  /** Adds an id to an id-list record, or removes it; not compared either (see `add`). */
  listOp(ns: Namespace, key: string, op: 'add' | 'remove', id: string): Promise<void>;
}

/** A Lua script over records of the store (see coordination/lua-records.ts). */
export interface StoreScript {
  text: string;
  sha: string;
}

export const anyRecord = z.unknown();

export function addFields(record: Record<string, unknown>, delta: Record<string, number>): Record<string, unknown> {
  const next = { ...record };
  for (const [field, d] of Object.entries(delta)) next[field] = Math.max(0, (Number(next[field]) || 0) + d);
  return next;
}

export function parseRecord<S extends z.ZodType>(key: string, raw: unknown, schema: S): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new StoreCorruptError(key, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}
