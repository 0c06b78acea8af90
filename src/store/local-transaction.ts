/**
 * Transactions of a store that serves one process (SQLite, memory): the store's in-process
 * locks are the whole guarantee, so the body's writes are buffered and made at the end.
 */
import type { z } from 'zod';
import { addFields, anyRecord, type Namespace, parseRecord, type StoreTx } from './store-types.js';

/** The plain reads and writes of the store a local transaction is made of. */
export interface LocalRecords {
  getMany<S extends z.ZodType>(ns: Namespace, keys: string[], schema: S): Promise<Array<z.infer<S> | undefined>>;
  set(ns: Namespace, key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(ns: Namespace, key: string): Promise<void>;
}

export async function transactLocal<T>(store: LocalRecords, body: (tx: StoreTx) => Promise<T>): Promise<T> {
  const writes = new Map<string, { ns: Namespace; key: string; value: unknown; ttlMs: number | undefined }>();
  const tx: StoreTx = {
    get: async (ns, key, schema) => (await tx.getMany(ns, [key], schema))[0],
    getMany: async (ns, keys, schema) => {
      const values = await store.getMany(ns, keys, schema);
      return keys.map((key, i) => {
        const written = writes.get(`${ns}:${key}`);
        return written
          ? written.value === undefined
            ? undefined
            : parseRecord(`${ns}:${key}`, written.value, schema)
          : values[i];
      });
    },
    set: (ns, key, value, ttlMs) => void writes.set(`${ns}:${key}`, { ns, key, value: structuredClone(value), ttlMs }),
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
    if (write.value === undefined) await store.delete(write.ns, write.key);
    else await store.set(write.ns, write.key, write.value, write.ttlMs);
  }
  return result;
}
