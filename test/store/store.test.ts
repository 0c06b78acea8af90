import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Keyv from 'keyv';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../src/log.js';
import { openStore, Store, StoreCorruptError } from '../../src/store/store.js';
import { announceRedisSkip, redisSkipReason, testEnv } from '../helpers/test-env.js';

const counterSchema = z.object({ n: z.number().int() });
const redisUrl = testEnv.REDIS_URL;

const kinds: Array<{ name: string; url: () => string; skip?: string }> = [
  { name: 'memory', url: () => 'memory://' },
  {
    name: 'sqlite',
    url: () => `sqlite://${join(mkdtempSync(join(tmpdir(), 'seedream-store-')), 'nested', 'store.sqlite')}`,
  },
  {
    name: 'redis',
    url: () => redisUrl!,
    skip: redisSkipReason,
  },
];

announceRedisSkip('the Store tests on Redis');

const opened: Store[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

for (const kind of kinds) {
  describe.skipIf(kind.skip !== undefined)(
    `Store on ${kind.name}${kind.skip ? ` — skipped: ${kind.skip}` : ''}`,
    () => {
      const prefix = `test-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
      async function open(): Promise<Store> {
        const store = await openStore({ url: kind.url(), prefix });
        opened.push(store);
        return store;
      }

      it('writes, reads (parsed by schema) and deletes records per namespace', async () => {
        const store = await open();
        await store.set('jobs', 'a', { n: 1 });
        await store.set('users', 'a', { n: 2 });
        expect(await store.get('jobs', 'a', counterSchema)).toEqual({ n: 1 });
        expect(await store.get('users', 'a', counterSchema)).toEqual({ n: 2 });
        expect(await store.getMany('jobs', ['a', 'missing'], counterSchema)).toEqual([{ n: 1 }, undefined]);
        await store.delete('jobs', 'a');
        expect(await store.get('jobs', 'a', counterSchema)).toBeUndefined();
        expect(await store.get('users', 'a', counterSchema)).toEqual({ n: 2 });
      });

      it('never loses an update under 200 concurrent read-modify-writes of one key', async () => {
        const store = await open();
        await Promise.all(
          Array.from({ length: 200 }, () =>
            store.update('stats', 'counter', counterSchema, (current) => ({ n: (current?.n ?? 0) + 1 })),
          ),
        );
        expect(await store.get('stats', 'counter', counterSchema)).toEqual({ n: 200 });
      });

      it('lets a record written with a time to live expire (the SQLite sweep deletes its row)', async () => {
        const store = await open();
        await store.set('jobs', 'ended', { n: 1 }, 300);
        await store.update(
          'stats',
          'old',
          counterSchema,
          () => ({ n: 1 }),
          () => 300,
        );
        await store.set('jobs', 'kept', { n: 2 });
        expect(await store.get('jobs', 'ended', counterSchema)).toEqual({ n: 1 });
        // Redis expires keys on its own clock: real time has to pass.
        await new Promise((resolve) => setTimeout(resolve, 600));
        if (kind.name === 'sqlite') expect(await store.sweepExpired()).toBe(2);
        else expect(await store.sweepExpired()).toBe(0);
        expect(await store.get('jobs', 'ended', counterSchema)).toBeUndefined();
        expect(await store.get('stats', 'old', counterSchema)).toBeUndefined();
        expect(await store.get('jobs', 'kept', counterSchema)).toEqual({ n: 2 });
      });

      it('turns a record that does not fit its schema into a typed error, not a crash', async () => {
        const store = await open();
        await store.set('jobs', 'corrupt', { n: 'not a number' });
        await expect(store.get('jobs', 'corrupt', counterSchema)).rejects.toBeInstanceOf(StoreCorruptError);
      });

      it("serves fresh reads from memory, and another process's write once the entry is older than allowed", async () => {
        // Two Store objects on one backend stand for two processes sharing it.
        const url = kind.name === 'memory' ? undefined : kind.url();
        const shared = kind.name === 'memory' ? new Keyv({ namespace: prefix }) : undefined;
        const mine = shared
          ? new Store(shared, 'memory', createLogger({ level: 'silent' }))
          : await openStore({ url: url!, prefix });
        const other = shared
          ? new Store(shared, 'memory', createLogger({ level: 'silent' }))
          : await openStore({ url: url!, prefix });
        opened.push(mine, other);
        await mine.set('guilds', 'fresh', { n: 1 });
        await other.set('guilds', 'fresh', { n: 2 });
        expect(await mine.getFresh('guilds', ['fresh'], counterSchema, 60_000)).toEqual([{ n: 1 }]);
        expect(await mine.getFresh('guilds', ['fresh'], counterSchema, 0)).toEqual([{ n: 2 }]);
        expect(await mine.getFresh('guilds', ['fresh'], counterSchema, 60_000)).toEqual([{ n: 2 }]);
        // Records of the big namespaces (jobs) are never served from memory.
        await mine.set('jobs', 'j', { n: 1 });
        await other.set('jobs', 'j', { n: 2 });
        expect(await mine.getFresh('jobs', ['j'], counterSchema, 60_000)).toEqual([{ n: 2 }]);
      });

      it('keeps data across a reopen (durable kinds)', async () => {
        if (kind.name === 'memory') return;
        const url = kind.url();
        const first = await openStore({ url, prefix });
        await first.set('guilds', 'g', { n: 7 });
        await first.close();
        const second = await openStore({ url, prefix });
        opened.push(second);
        expect(await second.get('guilds', 'g', counterSchema)).toEqual({ n: 7 });
      });
    },
  );
}

/** A keyv backend whose reads wait until released, to order a read around a write. */
function gatedKeyv() {
  const data = new Map<string, unknown>();
  const gates: Array<() => void> = [];
  let reads = 0;
  const adapter = {
    namespace: undefined as string | undefined,
    opts: {},
    on() {
      return adapter;
    },
    async get(key: string) {
      reads++;
      const value = data.get(key);
      await new Promise<void>((resolve) => gates.push(resolve));
      return value;
    },
    async getMany(keys: string[]) {
      reads++;
      const values = keys.map((key) => data.get(key));
      await new Promise<void>((resolve) => gates.push(resolve));
      return values;
    },
    async set(key: string, value: unknown) {
      data.set(key, value);
      return true;
    },
    async delete(key: string) {
      return data.delete(key);
    },
    async clear() {
      data.clear();
    },
  };
  const keyv = new Keyv({ store: adapter, serialize: undefined, deserialize: undefined });
  return {
    store: new Store(keyv, 'memory', createLogger({ level: 'silent' })),
    reads: () => reads,
    release: () => {
      for (const open of gates.splice(0)) open();
    },
    pending: () => gates.length,
  };
}

describe('Store memory cache', () => {
  it('answers a warm fresh read without a store round trip', async () => {
    const gated = gatedKeyv();
    await gated.store.set('stats', 'k', { n: 1 });
    const before = gated.reads();
    expect(await gated.store.getFresh('stats', ['k'], counterSchema, 60_000)).toEqual([{ n: 1 }]);
    expect(gated.reads()).toBe(before);
  });

  it('does not let a read that began before a write put the older value back', async () => {
    const gated = gatedKeyv();
    await gated.store.set('users', 'k', { n: 1 });
    const reading = gated.store.getMany('users', ['k'], counterSchema); // sees n: 1, then waits
    await vi.waitFor(() => expect(gated.pending()).toBe(1));
    await gated.store.set('users', 'k', { n: 2 });
    gated.release();
    expect(await reading).toEqual([{ n: 1 }]);
    expect(await gated.store.getFresh('users', ['k'], counterSchema, 60_000)).toEqual([{ n: 2 }]);
  });

  it('gives a fresh read the write that landed while it waited on the store', async () => {
    const gated = gatedKeyv();
    const reading = gated.store.getFresh('stats', ['k'], counterSchema, 0); // sees nothing, then waits
    await vi.waitFor(() => expect(gated.pending()).toBe(1));
    await gated.store.set('stats', 'k', { n: 5 });
    gated.release();
    expect(await reading).toEqual([{ n: 5 }]);
  });

  it('keeps its own copies: changing a written or a returned object later does not change the cache', async () => {
    const gated = gatedKeyv();
    const written = { n: 1 };
    await gated.store.set('guilds', 'g', written);
    written.n = 98;
    const [first] = await gated.store.getFresh('guilds', ['g'], counterSchema, 60_000);
    first!.n = 99;
    expect(await gated.store.getFresh('guilds', ['g'], counterSchema, 60_000)).toEqual([{ n: 1 }]);
  });
});

describe('Store errors', () => {
  it('logs keyv error events instead of swallowing them', async () => {
    const lines: string[] = [];
    const logger = createLogger(
      { level: 'error' },
      new Writable({
        write(chunk, _e, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const keyv = new Keyv();
    const store = new Store(keyv, 'memory', logger);
    opened.push(store);
    keyv.emit('error', new Error('disk full'));
    expect(lines.join('')).toContain('disk full');
  });

  it('fails at start with a clear error when Redis is unreachable', async () => {
    await expect(openStore({ url: 'redis://127.0.0.1:1' })).rejects.toThrow();
  });

  it('rejects an unsupported store URL', async () => {
    await expect(openStore({ url: 'mysql://x' })).rejects.toMatchObject({ code: 'store_url_invalid' });
  });
});
