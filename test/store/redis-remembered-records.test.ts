/**
 * A job record's transaction takes the text this process last wrote instead of reading it
 * again; the compare-and-set still compares it, so another process's write in between is
 * never lost and never hidden from a read.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { openStore, type Store } from '../../src/store/store.js';
import { announceRedisSkip, redisSkipReason, testEnv } from '../helpers/test-env.js';

const counterSchema = z.object({ n: z.number().int() });

announceRedisSkip('the remembered-record tests');

const opened: Store[] = [];
afterAll(async () => {
  await opened[0]?.clear(); // every store here shares one prefix
  await Promise.all(opened.map((s) => s.close()));
});

describe.skipIf(redisSkipReason !== undefined)('Redis transactions over job records', () => {
  const prefix = `test-remembered-${process.pid}-${Date.now()}`;
  /** Two stores on one Redis stand for two processes. */
  async function twoProcesses(): Promise<[Store, Store]> {
    const a = await openStore({ url: testEnv.REDIS_URL!, prefix });
    const b = await openStore({ url: testEnv.REDIS_URL!, prefix });
    opened.push(a, b);
    return [a, b];
  }
  const increment = (store: Store, key: string) =>
    store.update('jobs', key, counterSchema, (current) => ({ n: (current?.n ?? 0) + 1 }));

  it('updates a record it wrote last without reading it again', async () => {
    const [a] = await twoProcesses();
    await increment(a, 'own');
    const reads = vi.spyOn(a.redis!.client, 'mGet');
    for (let i = 0; i < 5; i++) await increment(a, 'own');
    expect(reads).not.toHaveBeenCalled();
    expect(await a.get('jobs', 'own', counterSchema)).toEqual({ n: 6 });
  });

  it('loses no update when another process wrote the record in between (one more attempt)', async () => {
    const [a, b] = await twoProcesses();
    await increment(a, 'shared'); // a remembers n=1
    await increment(b, 'shared'); // n=2, written by b
    const reads = vi.spyOn(a.redis!.client, 'mGet');
    expect(await increment(a, 'shared')).toEqual({ n: 3 });
    expect(reads).toHaveBeenCalledTimes(1); // the stale text lost the compare; the retry read afresh
    expect(await b.get('jobs', 'shared', counterSchema)).toEqual({ n: 3 });
  });

  it('a transaction that writes nothing still sees the other process’s write', async () => {
    const [a, b] = await twoProcesses();
    await increment(a, 'seen'); // a remembers n=1
    await increment(b, 'seen'); // n=2
    const seen = await a.transact([['jobs', 'seen']], (tx) => tx.get('jobs', 'seen', counterSchema));
    expect(seen).toEqual({ n: 2 });
  });

  it('forgets the text when the record is written outside a transaction', async () => {
    const [a] = await twoProcesses();
    await increment(a, 'plain');
    await a.set('jobs', 'plain', { n: 40 });
    const commits = vi.spyOn(a.redis!.client, 'evalSha');
    expect(await increment(a, 'plain')).toEqual({ n: 41 });
    expect(commits).toHaveBeenCalledTimes(1); // read afresh: no attempt lost on a stale text
  });
});
