/**
 * The durable store on keyv: SQLite by default, Redis for several processes, memory for tests.
 * Kinds of record live under their own key prefix ("jobs:", "users:", …) in one keyv,
 * so one connection serves them all. Read-modify-write of a key is serialised in-process.
 *
 * Small records (everything but jobs and gallery posts) also pass through a write-through
 * cache in memory, for the reads that must not wait on the store: the checks that decide, in
 * the few ms before a slash command is answered, whether a member may generate. `getFresh`
 * serves them from memory while the entry is young enough; everything else reads the store.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import KeyvRedis from '@keyv/redis';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import { z } from 'zod';
import { AppError, describeError } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { KeyedMutex } from '../util/keyed-mutex.js';
import { keyvString } from './coordination/lua-records.js';
import {
  CAS_SCRIPT,
  CAS_SHA,
  type CasAdd,
  type CasListOp,
  type CasWrite,
  casArguments,
} from './coordination/redis-cas.js';

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

/** Waits before running a transaction again after the connection to Redis dropped. */
const BLIP_RETRIES = [250, 500, 1_000, 2_000];

/** node-redis's errors of a dropped or closed connection (the command may or may not have run). */
function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    /SocketClosedUnexpectedly|ConnectionTimeout|ClientClosed|ClientOffline|SocketTimeout/.test(error.name) ||
    /Socket closed unexpectedly|The client is closed|ECONNRESET|ECONNREFUSED|EPIPE|offline queue/i.test(error.message)
  );
}

/** How many times a transaction is run again when another process wrote what it read. */
const TX_ATTEMPTS = 200;

export interface StoreOptions {
  /** `sqlite://path`, `redis://host:port[/db]`, `rediss://…` or `memory://`. */
  url: string;
  /** Prefix of every key (isolates tests on a shared Redis). */
  prefix?: string;
  /**
   * SQLite only: this process is the store's one bot process. A second one started on the same
   * file refuses to start (SQLite has no cross-process coordination: use Redis for several).
   */
  exclusive?: boolean;
  logger?: Logger;
}

/** Namespaces whose records are small and few enough to keep in memory. */
const CACHED: ReadonlySet<Namespace> = new Set(['users', 'guilds', 'stats', 'index']);
const CACHE_ENTRIES = 20_000;

interface CacheEntry {
  /** The stored value (a private copy), or undefined when the key is known to be absent. */
  raw: unknown;
  /** When the value was last read from or written to the store (Date.now()). */
  at: number;
  /** Write sequence number: a read that began before a later write must not overwrite it. */
  seq: number;
}

export class Store {
  readonly #keyv: Keyv;
  readonly #locks = new KeyedMutex();
  readonly #cache = new Map<string, CacheEntry>();
  #seq = 0;
  readonly kind: 'sqlite' | 'redis' | 'memory';
  /** The key prefix of this store (tests on a shared Redis each have their own). */
  readonly prefix: string;
  /** The SQLite adapter, for the sweep of expired rows. */
  readonly #sqlite: KeyvSqlite | undefined;
  /** The Redis client and key prefix (`<namespace>::`), when the store is Redis. */
  readonly #redis: { client: RawRedis; prefix: string } | undefined;
  readonly #log: Logger;
  /** Gives up the SQLite store's lock file (exclusive stores), at close. */
  readonly #releaseLock: () => void;

  constructor(
    keyv: Keyv,
    kind: Store['kind'],
    logger: Logger,
    options: {
      prefix?: string;
      sqlite?: KeyvSqlite;
      redis?: { client: RawRedis; prefix: string };
      releaseLock?: () => void;
    } = {},
  ) {
    this.#keyv = keyv;
    this.kind = kind;
    this.prefix = options.prefix ?? 'seedream';
    this.#sqlite = options.sqlite;
    this.#redis = options.redis;
    this.#releaseLock = options.releaseLock ?? (() => undefined);
    this.#log = logger;
    // Keyv emits adapter failures as events; an unlistened 'error' would crash the process.
    keyv.on('error', (error: unknown) => logger.error({ err: describeError(error), store: kind }, 'store error'));
  }

  async get<S extends z.ZodType>(ns: Namespace, key: string, schema: S): Promise<z.infer<S> | undefined> {
    const [value] = await this.getMany(ns, [key], schema);
    return value;
  }

  async getMany<S extends z.ZodType>(ns: Namespace, keys: string[], schema: S): Promise<Array<z.infer<S> | undefined>> {
    if (keys.length === 0) return [];
    const seq = this.#seq;
    const full = keys.map((k) => `${ns}:${k}`);
    const raws = (await this.#retrying(() => this.#keyv.get(full))) as unknown[];
    return raws.map((raw, i) => {
      const present = raw !== undefined && raw !== null;
      if (CACHED.has(ns)) this.#remember(full[i]!, present ? raw : undefined, seq);
      return present ? parseRecord(full[i]!, raw, schema) : undefined;
    });
  }

  /**
   * Like `getMany`, but a key this process read or wrote less than `maxAgeMs` ago comes from
   * memory without a store round trip (exact while this process is the only writer; with
   * several processes on Redis, at most `maxAgeMs` old). Only for the small namespaces.
   */
  async getFresh<S extends z.ZodType>(
    ns: Namespace,
    keys: string[],
    schema: S,
    maxAgeMs: number,
  ): Promise<Array<z.infer<S> | undefined>> {
    if (!CACHED.has(ns)) return this.getMany(ns, keys, schema);
    const now = Date.now();
    const stale = keys.filter((key) => {
      const entry = this.#cache.get(`${ns}:${key}`);
      return entry === undefined || now - entry.at >= maxAgeMs;
    });
    const loaded = new Map<string, z.infer<S> | undefined>();
    if (stale.length > 0) {
      const values = await this.getMany(ns, stale, schema);
      for (const [i, key] of stale.entries()) loaded.set(key, values[i]);
    }
    // Entries are read again after the wait: a write that landed meanwhile is the newer truth.
    return keys.map((key) => {
      const entry = this.#cache.get(`${ns}:${key}`);
      if (entry) return entry.raw === undefined ? undefined : parseRecord(`${ns}:${key}`, entry.raw, schema);
      return loaded.get(key);
    });
  }

  /** Writes a record; with `ttlMs` it expires that long after this write. */
  async set(ns: Namespace, key: string, value: unknown, ttlMs?: number): Promise<void> {
    const full = `${ns}:${key}`;
    let ok: boolean;
    try {
      ok = await this.#retrying(() => this.#keyv.set(full, value, ttlMs));
    } catch (error) {
      this.#cache.delete(full);
      throw error;
    }
    if (ok === false) {
      this.#cache.delete(full);
      throw new AppError('store_write_failed', `Could not write ${ns}:${key}`);
    }
    if (CACHED.has(ns)) this.#remember(full, value, ++this.#seq);
  }

  async delete(ns: Namespace, key: string): Promise<void> {
    const full = `${ns}:${key}`;
    try {
      await this.#retrying(() => this.#keyv.delete(full));
    } catch (error) {
      this.#cache.delete(full);
      throw error;
    }
    if (CACHED.has(ns)) this.#remember(full, undefined, ++this.#seq);
  }

  /** Keeps a private copy of what the store holds for `full`, unless a newer write is known. */
  #remember(full: string, raw: unknown, seq: number): void {
    const current = this.#cache.get(full);
    if (current && current.seq > seq) return;
    this.#cache.delete(full); // re-inserted last: the Map's order is the eviction order
    this.#cache.set(full, { raw: raw === undefined ? undefined : structuredClone(raw), at: Date.now(), seq });
    if (this.#cache.size > CACHE_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
  }

  /**
   * Read-modify-write of one key, atomic across every process on the store (serialised in
   * this process, compare-and-set on Redis). `change` returns the new value, or `undefined`
   * to delete the key; on Redis it may run again when another process wrote the key meanwhile.
   */
  update<S extends z.ZodType, R = z.infer<S> | undefined>(
    ns: Namespace,
    key: string,
    schema: S,
    change: (current: z.infer<S> | undefined) => z.infer<S> | undefined | Promise<z.infer<S> | undefined>,
    /** How long the written value lives (undefined: for ever). */
    ttlMs?: (next: z.infer<S>) => number | undefined,
    fence?: { key: string; token: string },
  ): Promise<R> {
    return this.transact([[ns, key]], async (tx) => {
      if (fence) tx.fence(fence.key, fence.token);
      const current = await tx.get(ns, key, schema);
      const next = await change(current);
      if (next === undefined) {
        if (current !== undefined) tx.delete(ns, key);
      } else if (next !== current) {
        tx.set(ns, key, next, ttlMs?.(next));
      }
      return next as R;
    });
  }

  /**
   * Runs `body` as one atomic transaction over the records it reads and writes (see StoreTx),
   * holding the in-process locks of `lockKeys` (so this process's own transactions over the
   * same records queue instead of retrying). One process (SQLite, memory): the locks are
   * the whole guarantee. Redis: the commit is a compare-and-set of everything read.
   */
  transact<T>(lockKeys: Array<[Namespace, string]>, body: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.withLocks(lockKeys, () =>
      this.#redis ? this.#transactRedisRetrying(this.#redis, body) : this.#transactLocal(body),
    );
  }

  /** Runs a Redis command again across a blip (for idempotent commands of the coordination modules). */
  retryingBlips<T>(operation: () => Promise<T>): Promise<T> {
    return this.#retrying(operation);
  }

  /** A plain read or write (idempotent), run again across a Redis blip like a transaction. */
  async #retrying<T>(operation: () => Promise<T>): Promise<T> {
    if (!this.#redis) return operation();
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation();
      } catch (error) {
        if (!isConnectionError(error)) throw error;
        if (attempt > BLIP_RETRIES.length) {
          throw new AppError('store_unreachable', `Redis did not answer: ${(error as Error).message}`, {
            cause: error,
          });
        }
        await new Promise((resolve) => setTimeout(resolve, BLIP_RETRIES[attempt - 1]));
      }
    }
  }

  /**
   * A connection to Redis that drops (a failover, `CLIENT KILL`, a network blip) fails the
   * commands on the wire with "Socket closed unexpectedly" while the client reconnects. The
   * transaction runs again from the start (it reads afresh, so a commit whose answer was lost
   * is seen, never made twice); after about 4 s without Redis it is refused with a clear
   * error (store_unreachable) instead of the socket's own words.
   */
  async #transactRedisRetrying<T>(
    redis: { client: RawRedis; prefix: string },
    body: (tx: StoreTx) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#transactRedis(redis, body);
      } catch (error) {
        if (!isConnectionError(error)) throw error;
        if (attempt > BLIP_RETRIES.length) {
          throw new AppError('store_unreachable', `Redis did not answer: ${(error as Error).message}`, {
            cause: error,
          });
        }
        this.#log.warn(
          { err: describeError(error), attempt },
          'store: Redis connection lost; running the transaction again',
        );
        await new Promise((resolve) => setTimeout(resolve, BLIP_RETRIES[attempt - 1]));
      }
    }
  }

  async #transactLocal<T>(body: (tx: StoreTx) => Promise<T>): Promise<T> {
    const writes = new Map<string, { ns: Namespace; key: string; value: unknown; ttlMs: number | undefined }>();
    const tx: StoreTx = {
      get: async (ns, key, schema) => (await tx.getMany(ns, [key], schema))[0],
      getMany: async (ns, keys, schema) => {
        const values = await this.getMany(ns, keys, schema);
        return keys.map((key, i) => {
          const written = writes.get(`${ns}:${key}`);
          return written
            ? written.value === undefined
              ? undefined
              : parseRecord(`${ns}:${key}`, written.value, schema)
            : values[i];
        });
      },
      set: (ns, key, value, ttlMs) =>
        void writes.set(`${ns}:${key}`, { ns, key, value: structuredClone(value), ttlMs }),
      delete: (ns, key) => void writes.set(`${ns}:${key}`, { ns, key, value: undefined, ttlMs: undefined }),
      fence: () => undefined, // one process: nobody else can hold a lease
      prefetch: async () => undefined,
      add: async (ns, key, base, delta, ttlMs) => {
        const current = ((await tx.getMany(ns, [key], anyRecord))[0] ?? base) as Record<string, unknown>;
        tx.set(ns, key, addFields(current, delta), ttlMs);
      },
      listOp: async (ns, key, op, id) => {
        const list = ((await tx.getMany(ns, [key], anyRecord))[0] ?? []) as string[];
        if (op === 'add' && !list.includes(id)) tx.set(ns, key, [...list, id]);
        if (op === 'remove' && list.includes(id))
          tx.set(
            ns,
            key,
            list.filter((x) => x !== id),
          );
      },
    };
    const result = await body(tx);
    for (const write of writes.values()) {
      if (write.value === undefined) await this.delete(write.ns, write.key);
      else await this.set(write.ns, write.key, write.value, write.ttlMs);
    }
    return result;
  }

  async #transactRedis<T>(redis: { client: RawRedis; prefix: string }, body: (tx: StoreTx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const seq = this.#seq;
      const read = new Map<string, string | undefined>();
      const writes = new Map<string, { ns: Namespace; value: unknown; ttlMs: number | undefined }>();
      const fences = new Map<string, string>();
      const adds: Array<CasAdd & { full: string }> = [];
      const listOps: Array<CasListOp & { full: string }> = [];
      const load = async (full: string[]) => {
        const missing = [...new Set(full.filter((k) => !read.has(k) && !writes.has(k)))];
        if (missing.length === 0) return;
        const raws = await redis.client.mGet(missing.map((k) => redis.prefix + k));
        for (const [i, k] of missing.entries()) if (!read.has(k)) read.set(k, raws[i] ?? undefined);
      };
      const tx: StoreTx = {
        get: async (ns, key, schema) => (await tx.getMany(ns, [key], schema))[0],
        getMany: async (ns, keys, schema) => {
          const full = keys.map((key) => `${ns}:${key}`);
          await load(full);
          return full.map((k) => {
            const written = writes.get(k);
            if (written) return written.value === undefined ? undefined : parseRecord(k, written.value, schema);
            const value = this.#decode(read.get(k));
            if (CACHED.has(ns)) this.#remember(k, value, seq);
            return value === undefined ? undefined : parseRecord(k, value, schema);
          });
        },
        set: (ns, key, value, ttlMs) => void writes.set(`${ns}:${key}`, { ns, value: structuredClone(value), ttlMs }),
        delete: (ns, key) => void writes.set(`${ns}:${key}`, { ns, value: undefined, ttlMs: undefined }),
        fence: (leaseKey, token) => void fences.set(leaseKey, token),
        prefetch: (keys) => load(keys.map(([ns, key]) => `${ns}:${key}`)),
        add: async (ns, key, base, delta, ttlMs) => {
          const full = `${ns}:${key}`;
          adds.push({
            full,
            key: redis.prefix + full,
            base: JSON.stringify(base),
            delta: JSON.stringify(delta),
            ttlMs,
          });
        },
        listOp: async (ns, key, op, id) => {
          const full = `${ns}:${key}`;
          listOps.push({ full, key: redis.prefix + full, op, id: keyvString(id) });
        },
      };
      const result = await body(tx);
      if (writes.size === 0 && fences.size === 0 && adds.length === 0 && listOps.length === 0) return result;
      const now = Date.now();
      const casWrites: CasWrite[] = [...writes].map(([k, w]) => ({
        key: redis.prefix + k,
        value:
          w.value === undefined
            ? undefined
            : ((this.#keyv.serialize ?? JSON.stringify)({
                value: w.value,
                ...(w.ttlMs ? { expires: now + w.ttlMs } : {}),
              }) as string),
        ttlMs: w.ttlMs,
      }));
      // Everything written is compared too: a blind write must not undo another process's.
      const compares = new Map<string, string | undefined>();
      for (const [k, raw] of read) compares.set(redis.prefix + k, raw);
      for (const k of writes.keys()) {
        if (!read.has(k)) compares.set(redis.prefix + k, (await redis.client.get(redis.prefix + k)) ?? undefined);
      }
      const { keys, args } = casArguments(fences, compares, casWrites, adds, listOps, now);
      const outcome = Number(await this.#eval(redis.client, keys, args));
      if (outcome === -1) throw new LeaseLostError([...fences.keys()].join(','));
      if (outcome === 1) {
        for (const [k, w] of writes) {
          if (CACHED.has(w.ns)) this.#remember(k, w.value, ++this.#seq);
          else this.#cache.delete(k);
        }
        for (const op of [...adds, ...listOps]) this.#markStale(op.full);
        return result;
      }
      for (const k of read.keys()) this.#cache.delete(k);
      if (attempt >= TX_ATTEMPTS) {
        throw new AppError('store_contention', `A store transaction lost ${attempt} races in a row`);
      }
      if (attempt % 20 === 0) this.#log.warn({ attempt }, 'store transaction: heavy contention');
      // Processes that keep colliding on the same records step apart for a moment.
      if (attempt >= 2) await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(attempt, 10)));
    }
  }

  async #eval(client: RawRedis, keys: string[], args: string[], script = { text: CAS_SCRIPT, sha: CAS_SHA }) {
    try {
      return await client.evalSha(script.sha, { keys, arguments: args });
    } catch (error) {
      if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
      return client.eval(script.text, { keys, arguments: args });
    }
  }

  /**
   * Redis only: runs a Lua script over records (`keys` as namespace and key; the script gets
   * their full names), run again across a blip like a transaction, so it must be idempotent
   * or harmless when run twice. The records it may change are read from the store next time.
   */
  async runScript(script: StoreScript, keys: Array<[Namespace, string]>, args: string[]): Promise<unknown> {
    const redis = this.#redis;
    if (!redis) throw new AppError('store_not_redis', 'Scripts need a Redis store');
    const full = keys.map(([ns, key]) => `${ns}:${key}`);
    const result = await this.#retrying(() =>
      this.#eval(
        redis.client,
        full.map((k) => redis.prefix + k),
        args,
        script,
      ),
    );
    for (const k of full) this.#markStale(k);
    return result;
  }

  /** A string inside a record as the store writes it (for ids a script puts into records). */
  static rawString(value: string): string {
    return keyvString(value);
  }

  /** The raw form of a record as the store writes it (for a script to write it verbatim). */
  rawRecord(value: unknown, ttlMs: number | undefined, now = Date.now()): string {
    return (this.#keyv.serialize ?? JSON.stringify)({ value, ...(ttlMs ? { expires: now + ttlMs } : {}) }) as string;
  }

  /** A record a script parses (its raw form, as stored), or undefined when absent or expired. */
  parseRaw<S extends z.ZodType>(
    ns: Namespace,
    key: string,
    raw: string | undefined,
    schema: S,
  ): z.infer<S> | undefined {
    const value = this.#decode(raw);
    return value === undefined ? undefined : parseRecord(`${ns}:${key}`, value, schema);
  }

  /**
   * A record changed in the store without this process knowing its value: a quick read
   * (getFresh) goes to the store next, and no read begun before the change may answer for it.
   */
  #markStale(full: string): void {
    if (!CACHED.has(full.slice(0, full.indexOf(':')) as Namespace)) return;
    this.#cache.delete(full);
    this.#cache.set(full, { raw: undefined, at: 0, seq: ++this.#seq });
  }

  /** A raw value as keyv stored it, or undefined when absent or expired. */
  #decode(raw: string | undefined): unknown {
    if (raw === undefined) return undefined;
    const data = (this.#keyv.deserialize ?? JSON.parse)(raw) as
      | { value?: unknown; expires?: number | null }
      | undefined;
    if (!data || (typeof data.expires === 'number' && data.expires < Date.now())) return undefined;
    return data.value;
  }

  /** The Redis client (several processes), for leases and the shared limits. */
  get redis(): { client: RawRedis; prefix: string } | undefined {
    return this.#redis;
  }

  /**
   * Deletes the records whose time is up. Redis expires keys itself and keyv drops an
   * expired entry when it is read; SQLite keeps the row until then, so it is swept here.
   */
  async sweepExpired(now = Date.now()): Promise<number> {
    if (!this.#sqlite) return 0;
    const rows = (await this.#sqlite.query(
      "DELETE FROM keyv WHERE json_valid(value) AND json_extract(value, '$.expires') < ? RETURNING key",
      now,
    )) as unknown[];
    return rows.length;
  }

  /** Runs `section` holding the in-process locks of several keys (e.g. a user's and a guild's quota). */
  withLocks<T>(keys: Array<[Namespace, string]>, section: () => Promise<T>): Promise<T> {
    return this.#locks.runAll(
      keys.map(([ns, key]) => `${ns}:${key}`),
      section,
    );
  }

  /** Holds the lock of one key while `section` runs (for updates spread over several calls). */
  withLock<T>(ns: Namespace, key: string, section: () => Promise<T>): Promise<T> {
    return this.#locks.run(`${ns}:${key}`, section);
  }

  /** One read that goes to the backend (readiness checks); throws or hangs while it is unreachable. */
  async ping(): Promise<void> {
    await this.#keyv.get('ping');
  }

  /**
   * The Redis connection (node-redis) when the store is Redis, for limiters that must decide
   * atomically across processes (a Lua script); undefined for SQLite and memory.
   */
  async redisClient(): Promise<unknown> {
    return this.#redis?.client;
  }

  /** Deletes every record under this store's prefix (tests on a shared Redis clean up with it). */
  async clear(): Promise<void> {
    await this.#keyv.clear();
    this.#cache.clear();
  }

  async close(): Promise<void> {
    this.#releaseLock();
    await this.#keyv.disconnect();
  }
}

const anyRecord = z.unknown();

function addFields(record: Record<string, unknown>, delta: Record<string, number>): Record<string, unknown> {
  const next = { ...record };
  for (const [field, d] of Object.entries(delta)) next[field] = Math.max(0, (Number(next[field]) || 0) + d);
  return next;
}

function parseRecord<S extends z.ZodType>(key: string, raw: unknown, schema: S): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new StoreCorruptError(key, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

/** A store URL may carry a password: never print it. */
function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const logger = options.logger ?? silentLogger;
  const namespace = options.prefix ?? 'seedream';
  const url = options.url.trim();
  if (/^memory:\/\//i.test(url)) {
    return new Store(new Keyv({ namespace }), 'memory', logger, { prefix: namespace });
  }
  if (/^rediss?:\/\//i.test(url)) {
    const adapter = new KeyvRedis(
      {
        url,
        socket: { connectTimeout: 5_000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5_000) },
      },
      { namespace, throwOnConnectError: true, throwOnErrors: true },
    );
    const keyv = new Keyv({ store: adapter, namespace, useKeyPrefix: false });
    // Fail at start, not at the first job, when Redis is unreachable (later drops reconnect).
    let timer: ReturnType<typeof setTimeout> | undefined;
    let client: RawRedis;
    try {
      client = await Promise.race([
        adapter.getClient() as unknown as Promise<RawRedis>,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5_000);
        }),
      ]);
    } catch (error) {
      await adapter.disconnect().catch(() => undefined);
      throw new AppError(
        'store_unreachable',
        `Redis at ${redactUrl(url)} is unreachable: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    } finally {
      clearTimeout(timer);
    }
    return new Store(keyv, 'redis', logger, {
      prefix: namespace,
      redis: { client, prefix: `${namespace}${adapter.keyPrefixSeparator}` },
    });
  }
  const match = /^sqlite:\/\/(.+)$/i.exec(url);
  if (!match) throw new AppError('store_url_invalid', `Unsupported STORE_URL: ${redactUrl(url)}`);
  const file = resolve(match[1]!);
  mkdirSync(dirname(file), { recursive: true });
  const releaseLock = options.exclusive ? claimSqlite(file) : undefined;
  const adapter = new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: 10_000 });
  // Write-ahead log: a write no longer waits for its own fsync (bursts of requests stay quick)
  // and still survives any crash of the process; readers in other processes keep working.
  await adapter.query('PRAGMA journal_mode = WAL');
  await adapter.query('PRAGMA synchronous = NORMAL');
  const keyv = new Keyv({ store: adapter, namespace });
  return new Store(keyv, 'sqlite', logger, {
    prefix: namespace,
    sqlite: adapter,
    ...(releaseLock ? { releaseLock } : {}),
  });
}

/** Another bot process already runs on this SQLite store. */
export class StoreInUseError extends AppError {
  constructor(file: string, holder: string) {
    super(
      'store_in_use',
      `The SQLite store ${file} is in use by another bot process (${holder}). SQLite serves one process only: ` +
        'stop the other one, or set STORE_URL=redis://… for several processes.',
      { params: { file, holder } },
    );
  }
}

/**
 * Takes `<file>.lock` for this process (pid and host inside). A lock whose process is gone
 * (kill -9, a crash) is taken over; one whose process lives refuses. Returns its release.
 */
function claimSqlite(file: string): () => void {
  const lockFile = `${file}.lock`;
  const mine = `${hostname()} ${process.pid}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, mine);
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(lockFile, 'utf8') === mine) unlinkSync(lockFile);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder = '';
    try {
      holder = readFileSync(lockFile, 'utf8');
    } catch {
      continue; // released meanwhile
    }
    const [host, pidText] = holder.split(' ');
    const pid = Number(pidText);
    if (host === hostname() && Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
      throw new StoreInUseError(file, `pid ${pid}`);
    }
    if (host !== hostname() && host) throw new StoreInUseError(file, holder);
    // Its process is gone: the lock is stale.
    try {
      unlinkSync(lockFile);
    } catch {
      // another starter removed it first
    }
  }
  throw new StoreInUseError(file, 'another process starting at the same moment');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
