import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Keyv from 'keyv';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openStore, Store, StoreCorruptError } from '../../src/jobs/store.js';
import { createLogger } from '../../src/log.js';
import { testEnv } from '../helpers/test-env.js';

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
    skip: redisUrl ? undefined : 'REDIS_URL is not set (CI sets it; start Redis and export REDIS_URL to run these)',
  },
];

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

      it('turns a record that does not fit its schema into a typed error, not a crash', async () => {
        const store = await open();
        await store.set('jobs', 'corrupt', { n: 'not a number' });
        await expect(store.get('jobs', 'corrupt', counterSchema)).rejects.toBeInstanceOf(StoreCorruptError);
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
