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
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import KeyvRedis from '@keyv/redis';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import type { z } from 'zod';
import { AppError } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { KeyedMutex } from '../util/keyed-mutex.js';

export const NAMESPACES = ['jobs', 'users', 'guilds', 'galleries', 'stats', 'index'] as const;
export type Namespace = (typeof NAMESPACES)[number];

export class StoreCorruptError extends AppError {
  constructor(key: string, detail: string) {
    super('store_corrupt', `Stored record ${key} does not fit its schema: ${detail}`, { params: { key } });
  }
}

export interface StoreOptions {
  /** `sqlite://path`, `redis://host:port[/db]`, `rediss://…` or `memory://`. */
  url: string;
  /** Prefix of every key (isolates tests on a shared Redis). */
  prefix?: string;
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
  readonly #redis: (() => Promise<unknown>) | undefined;

  /** The SQLite adapter, for the sweep of expired rows. */
  readonly #sqlite: KeyvSqlite | undefined;

  constructor(
    keyv: Keyv,
    kind: Store['kind'],
    logger: Logger,
    options: { prefix?: string; redis?: () => Promise<unknown>; sqlite?: KeyvSqlite } = {},
  ) {
    this.#keyv = keyv;
    this.kind = kind;
    this.prefix = options.prefix ?? 'seedream';
    this.#redis = options.redis;
    this.#sqlite = options.sqlite;
    // Keyv emits adapter failures as events; an unlistened 'error' would crash the process.
    keyv.on('error', (error: unknown) => logger.error({ err: describe(error), store: kind }, 'store error'));
  }

  async get<S extends z.ZodType>(ns: Namespace, key: string, schema: S): Promise<z.infer<S> | undefined> {
    const [value] = await this.getMany(ns, [key], schema);
    return value;
  }

  async getMany<S extends z.ZodType>(ns: Namespace, keys: string[], schema: S): Promise<Array<z.infer<S> | undefined>> {
    if (keys.length === 0) return [];
    const seq = this.#seq;
    const full = keys.map((k) => `${ns}:${k}`);
    const raws = (await this.#keyv.get(full)) as unknown[];
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
      ok = await this.#keyv.set(full, value, ttlMs);
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
      await this.#keyv.delete(full);
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
   * Read-modify-write of one key, serialised with every other update of that key in this
   * process. `change` returns the new value, or `undefined` to delete the key.
   */
  update<S extends z.ZodType, R = z.infer<S> | undefined>(
    ns: Namespace,
    key: string,
    schema: S,
    change: (current: z.infer<S> | undefined) => z.infer<S> | undefined | Promise<z.infer<S> | undefined>,
    /** How long the written value lives (undefined: for ever). */
    ttlMs?: (next: z.infer<S>) => number | undefined,
  ): Promise<R> {
    return this.#locks.run(`${ns}:${key}`, async () => {
      const current = await this.get(ns, key, schema);
      const next = await change(current);
      if (next === undefined) {
        if (current !== undefined) await this.delete(ns, key);
      } else if (next !== current) {
        await this.set(ns, key, next, ttlMs?.(next));
      }
      return next as R;
    });
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
    return this.#redis?.();
  }

  async close(): Promise<void> {
    await this.#keyv.disconnect();
  }
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

function describe(error: unknown): unknown {
  return error instanceof Error ? { name: error.name, message: error.message } : error;
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
    const store = new Store(keyv, 'redis', logger, { prefix: namespace, redis: () => adapter.getClient() });
    // Fail at start, not at the first job, when Redis is unreachable (later drops reconnect).
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        adapter.getClient(),
        new Promise((_, reject) => {
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
    return store;
  }
  const match = /^sqlite:\/\/(.+)$/i.exec(url);
  if (!match) throw new AppError('store_url_invalid', `Unsupported STORE_URL: ${redactUrl(url)}`);
  const file = resolve(match[1]!);
  mkdirSync(dirname(file), { recursive: true });
  const adapter = new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: 10_000 });
  // Write-ahead log: a write no longer waits for its own fsync (bursts of requests stay quick)
  // and still survives any crash of the process; readers in other processes keep working.
  await adapter.query('PRAGMA journal_mode = WAL');
  await adapter.query('PRAGMA synchronous = NORMAL');
  const keyv = new Keyv({ store: adapter, namespace });
  return new Store(keyv, 'sqlite', logger, { prefix: namespace, sqlite: adapter });
}
