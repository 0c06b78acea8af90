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
import { AppError, describeError } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { KeyedMutex } from '../util/keyed-mutex.js';
import { type RedisConnection, RedisTransactions } from './coordination/redis-transaction.js';
import { transactLocal } from './local-transaction.js';
import { RecordCache } from './record-cache.js';
import { keyvString, RECORD_CODEC } from './record-codec.js';
import { claimSqlite } from './sqlite-lock.js';
import { type Namespace, parseRecord, type RawRedis, type StoreScript, type StoreTx } from './store-types.js';

export { StoreInUseError } from './sqlite-lock.js';
export {
  LeaseLostError,
  NAMESPACES,
  type Namespace,
  type RawRedis,
  StoreCorruptError,
  type StoreScript,
  type StoreTx,
} from './store-types.js';

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

export class Store {
  readonly #keyv: Keyv;
  readonly #locks = new KeyedMutex();
  readonly #cache = new RecordCache();
  readonly kind: 'sqlite' | 'redis' | 'memory';
  /** The key prefix of this store (tests on a shared Redis each have their own). */
  readonly prefix: string;
  /** The SQLite adapter, for the sweep of expired rows. */
  readonly #sqlite: KeyvSqlite | undefined;
  /** The Redis client and key prefix (`<namespace>::`), when the store is Redis. */
  readonly #redis: RedisConnection | undefined;
  /** Transactions and blip retries on Redis (undefined: one process, the locks suffice). */
  readonly #redisTx: RedisTransactions | undefined;
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
    this.#redisTx =
      options.redis &&
      new RedisTransactions(
        options.redis,
        {
          cache: this.#cache,
          serialize: (data) => (keyv.serialize ?? JSON.stringify)(data) as string,
          decode: (raw) => this.#decode(raw),
        },
        logger,
      );
    // Keyv emits adapter failures as events; an unlistened 'error' would crash the process.
    keyv.on('error', (error: unknown) => logger.error({ err: describeError(error), store: kind }, 'store error'));
  }

  async get<S extends z.ZodType>(ns: Namespace, key: string, schema: S): Promise<z.infer<S> | undefined> {
    const [value] = await this.getMany(ns, [key], schema);
    return value;
  }

  async getMany<S extends z.ZodType>(ns: Namespace, keys: string[], schema: S): Promise<Array<z.infer<S> | undefined>> {
    if (keys.length === 0) return [];
    const seq = this.#cache.seq;
    const full = keys.map((k) => `${ns}:${k}`);
    const raws = (await this.#retrying(() => this.#keyv.get(full))) as unknown[];
    return raws.map((raw, i) => {
      const present = raw !== undefined && raw !== null;
      if (RecordCache.holds(ns)) this.#cache.remember(full[i]!, present ? raw : undefined, seq);
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
    if (!RecordCache.holds(ns)) return this.getMany(ns, keys, schema);
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
      this.#cache.forget(full);
      throw error;
    } finally {
      this.#redisTx?.forgetRaw(full);
    }
    if (ok === false) {
      this.#cache.forget(full);
      throw new AppError('store_write_failed', `Could not write ${ns}:${key}`);
    }
    if (RecordCache.holds(ns)) this.#cache.remember(full, value, this.#cache.nextSeq());
  }

  async delete(ns: Namespace, key: string): Promise<void> {
    const full = `${ns}:${key}`;
    try {
      await this.#retrying(() => this.#keyv.delete(full));
    } catch (error) {
      this.#cache.forget(full);
      throw error;
    } finally {
      this.#redisTx?.forgetRaw(full);
    }
    if (RecordCache.holds(ns)) this.#cache.remember(full, undefined, this.#cache.nextSeq());
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
    return this.withLocks(lockKeys, () => (this.#redisTx ? this.#redisTx.transact(body) : transactLocal(this, body)));
  }

  /** Runs a Redis command again across a blip (for idempotent commands of the coordination modules). */
  retryingBlips<T>(operation: () => Promise<T>): Promise<T> {
    return this.#retrying(operation);
  }

  /** A plain read or write (idempotent), run again across a Redis blip like a transaction. */
  #retrying<T>(operation: () => Promise<T>): Promise<T> {
    return this.#redisTx ? this.#redisTx.retrying(operation) : operation();
  }

  /**
   * Redis only: runs a Lua script over records (`keys` as namespace and key; the script gets
   * their full names), run again across a blip like a transaction, so it must be idempotent
   * or harmless when run twice. The records it may change are read from the store next time.
   */
  async runScript(script: StoreScript, keys: Array<[Namespace, string]>, args: string[]): Promise<unknown> {
    const redis = this.#redis;
    const redisTx = this.#redisTx;
    if (!redis || !redisTx) throw new AppError('store_not_redis', 'Scripts need a Redis store');
    const full = keys.map(([ns, key]) => `${ns}:${key}`);
    const result = await redisTx.retrying(() =>
      redisTx.eval(
        full.map((k) => redis.prefix + k),
        args,
        script,
      ),
    );
    for (const k of full) {
      this.#cache.markStale(k);
      redisTx.forgetRaw(k);
    }
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

/** A store URL may carry a password: never print it. */
function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const logger = options.logger ?? silentLogger;
  const namespace = options.prefix ?? 'seedream';
  const url = options.url.trim();
  if (/^memory:\/\//i.test(url)) {
    return new Store(new Keyv({ namespace, ...RECORD_CODEC }), 'memory', logger, { prefix: namespace });
  }
  if (/^rediss?:\/\//i.test(url)) {
    const adapter = new KeyvRedis(
      {
        url,
        socket: { connectTimeout: 5_000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5_000) },
      },
      { namespace, throwOnConnectError: true, throwOnErrors: true },
    );
    const keyv = new Keyv({ store: adapter, namespace, useKeyPrefix: false, ...RECORD_CODEC });
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
  // Write-ahead log: a write skips its own fsync (bursts stay quick), survives any crash, never blocks readers.
  await adapter.query('PRAGMA journal_mode = WAL');
  await adapter.query('PRAGMA synchronous = NORMAL');
  const keyv = new Keyv({ store: adapter, namespace, ...RECORD_CODEC });
  return new Store(keyv, 'sqlite', logger, {
    prefix: namespace,
    sqlite: adapter,
    ...(releaseLock ? { releaseLock } : {}),
  });
}
