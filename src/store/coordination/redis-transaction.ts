/**
 * Transactions of the store on Redis, atomic across every process: the body reads what it
 * needs, and its writes are made by one compare-and-set script (redis-cas.ts) only if nothing
 * it read changed meanwhile, else it runs again. Additions and id-list edits commute and are
 * not compared. A dropped connection runs the transaction again from the start.
 */
import { AppError, describeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { RecordCache } from '../record-cache.js';
import { keyvString } from '../record-codec.js';
import {
  LeaseLostError,
  type Namespace,
  parseRecord,
  type RawRedis,
  type StoreScript,
  type StoreTx,
} from '../store-types.js';
import { CAS, type CasAdd, type CasListOp, type CasWrite, casArguments } from './redis-cas.js';
import { runStoreScript } from './run-script.js';

/** Waits before running a transaction again after the connection to Redis dropped. */
const BLIP_RETRIES = [250, 500, 1_000, 2_000];

/** node-redis's errors of a dropped or closed connection (the command may or may not have run). */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    /SocketClosedUnexpectedly|ConnectionTimeout|ClientClosed|ClientOffline|SocketTimeout/.test(error.name) ||
    /Socket closed unexpectedly|The client is closed|ECONNRESET|ECONNREFUSED|EPIPE|offline queue/i.test(error.message)
  );
}

/** How many times a transaction is run again when another process wrote what it read. */
const TX_ATTEMPTS = 200;

/**
 * Namespaces whose raw records a transaction may take from memory instead of reading them:
 * a job record is written again and again by the one process that holds its lease, so the
 * text it last wrote is almost always what Redis holds. The compare-and-set compares it like
 * a fresh read, so a stale copy costs one more attempt, never a lost write.
 */
const RAW_REMEMBERED: ReadonlySet<string> = new Set(['jobs']);
/** Raw records remembered at most (job records are a few KB each). */
const RAW_ENTRIES = 2_000;

export interface RedisConnection {
  client: RawRedis;
  /** `<namespace>::`, the prefix of every key. */
  prefix: string;
}

/** What the transactions need of their store: its cache and keyv's raw record format. */
export interface RedisTxHost {
  readonly cache: RecordCache;
  /** A record as keyv writes it. */
  serialize(data: { value: unknown; expires?: number }): string;
  /** A raw value as keyv stored it, or undefined when absent or expired. */
  decode(raw: string | undefined): unknown;
}

export class RedisTransactions {
  readonly #redis: RedisConnection;
  readonly #host: RedisTxHost;
  readonly #log: Logger;
  /** The raw text Redis holds for a key, as this process last read or wrote it (see RAW_REMEMBERED). */
  readonly #raw = new Map<string, string>();

  constructor(redis: RedisConnection, host: RedisTxHost, log: Logger) {
    this.#redis = redis;
    this.#host = host;
    this.#log = log;
  }

  /** A plain read or write (idempotent), run again across a Redis blip like a transaction. */
  async retrying<T>(operation: () => Promise<T>): Promise<T> {
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
  async transact<T>(body: (tx: StoreTx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#transactOnce(body);
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

  /** The key changed without this process knowing its new text (a plain write, a script). */
  forgetRaw(full: string): void {
    this.#raw.delete(full);
  }

  #rememberRaw(full: string, raw: string | undefined): void {
    if (!RAW_REMEMBERED.has(full.slice(0, full.indexOf(':')))) return;
    this.#raw.delete(full); // re-inserted last: the Map's order is the eviction order
    if (raw === undefined) return;
    this.#raw.set(full, raw);
    if (this.#raw.size > RAW_ENTRIES) this.#raw.delete(this.#raw.keys().next().value!);
  }

  async #transactOnce<T>(body: (tx: StoreTx) => Promise<T>): Promise<T> {
    const redis = this.#redis;
    const cache = this.#host.cache;
    for (let attempt = 1; ; attempt++) {
      const seq = cache.seq;
      const read = new Map<string, string | undefined>();
      /** Keys whose text came from memory (#raw): compared at the commit, or read once more if nothing is written. */
      const remembered = new Set<string>();
      const writes = new Map<string, { ns: Namespace; value: unknown; ttlMs: number | undefined }>();
      const fences = new Map<string, string>();
      const adds: Array<CasAdd & { full: string }> = [];
      const listOps: Array<CasListOp & { full: string }> = [];
      const load = async (full: string[]) => {
        let missing = [...new Set(full.filter((k) => !read.has(k) && !writes.has(k)))];
        // The first attempt may take remembered text; an attempt after a lost race reads afresh.
        if (attempt === 1) {
          missing = missing.filter((k) => {
            const raw = this.#raw.get(k);
            if (raw === undefined) return true;
            read.set(k, raw);
            remembered.add(k);
            return false;
          });
        }
        if (missing.length === 0) return;
        const raws = await redis.client.mGet(missing.map((k) => redis.prefix + k));
        for (const [i, k] of missing.entries()) {
          if (read.has(k)) continue;
          read.set(k, raws[i] ?? undefined);
          this.#rememberRaw(k, raws[i] ?? undefined);
        }
      };
      const tx: StoreTx = {
        get: async (ns, key, schema) => (await tx.getMany(ns, [key], schema))[0],
        getMany: async (ns, keys, schema) => {
          const full = keys.map((key) => `${ns}:${key}`);
          await load(full);
          return full.map((k) => {
            const written = writes.get(k);
            if (written) return written.value === undefined ? undefined : parseRecord(k, written.value, schema);
            const value = this.#host.decode(read.get(k));
            if (RecordCache.holds(ns)) cache.remember(k, value, seq);
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
      if (writes.size === 0 && fences.size === 0 && adds.length === 0 && listOps.length === 0) {
        if (remembered.size === 0 || (await this.#stillHeld(remembered, read))) return result;
        continue; // a remembered text was stale: run the body again on fresh reads
      }
      const now = Date.now();
      const casWrites: CasWrite[] = [...writes].map(([k, w]) => ({
        key: redis.prefix + k,
        value:
          w.value === undefined
            ? undefined
            : this.#host.serialize({ value: w.value, ...(w.ttlMs ? { expires: now + w.ttlMs } : {}) }),
        ttlMs: w.ttlMs,
      }));
      // Everything written is compared too: a blind write must not undo another process's.
      const compares = new Map<string, string | undefined>();
      for (const [k, raw] of read) compares.set(redis.prefix + k, raw);
      for (const k of writes.keys()) {
        if (!read.has(k)) compares.set(redis.prefix + k, (await redis.client.get(redis.prefix + k)) ?? undefined);
      }
      const { keys, args } = casArguments(fences, compares, casWrites, adds, listOps, now);
      const outcome = Number(await this.eval(keys, args));
      if (outcome === -1) {
        for (const k of read.keys()) this.#raw.delete(k);
        throw new LeaseLostError([...fences.keys()].join(','));
      }
      if (outcome === 1) {
        for (const [i, k] of [...writes.keys()].entries()) this.#rememberRaw(k, casWrites[i]!.value);
        for (const [k, w] of writes) {
          if (RecordCache.holds(w.ns)) cache.remember(k, w.value, cache.nextSeq());
          else cache.forget(k);
        }
        for (const op of [...adds, ...listOps]) {
          cache.markStale(op.full);
          this.#raw.delete(op.full); // changed by the script: its text is not known here
        }
        return result;
      }
      for (const k of read.keys()) {
        cache.forget(k);
        this.#raw.delete(k);
      }
      if (attempt >= TX_ATTEMPTS) {
        throw new AppError('store_contention', `A store transaction lost ${attempt} races in a row`);
      }
      if (attempt % 20 === 0) this.#log.warn({ attempt }, 'store transaction: heavy contention');
      // Processes that keep colliding on the same records step apart for a moment.
      if (attempt >= 2) await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(attempt, 10)));
    }
  }

  /** Whether Redis still holds the remembered texts a read-only body saw (they become fresh reads). */
  async #stillHeld(remembered: ReadonlySet<string>, read: ReadonlyMap<string, string | undefined>): Promise<boolean> {
    const keys = [...remembered];
    const raws = await this.#redis.client.mGet(keys.map((k) => this.#redis.prefix + k));
    let held = true;
    for (const [i, k] of keys.entries()) {
      const raw = raws[i] ?? undefined;
      if (raw !== read.get(k)) held = false;
      this.#rememberRaw(k, raw);
    }
    return held;
  }

  /** Runs a script by its hash, loading it when Redis does not know it (after a restart). */
  eval(keys: string[], args: string[], script: StoreScript = CAS): Promise<unknown> {
    return runStoreScript(this.#redis.client, script, keys, args);
  }
}
