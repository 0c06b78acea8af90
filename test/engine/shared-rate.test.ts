/**
 * A rate shared by several processes on one Redis: two stores (two processes' connections)
 * taking calls as fast as they can get 20 a second together, not 20 each.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SharedRate } from '../../src/store/coordination/rate-limit.js';
import { openStore, type Store } from '../../src/store/store.js';
import { type OwnRedis, startOwnRedis } from '../helpers/own-redis.js';

let redis: OwnRedis | undefined;
const stores: Store[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  redis?.stop();
  redis = undefined;
});

describe('a rate shared on Redis', () => {
  it('two processes taking 30 calls each at 20/s: together they stay within 20 in any second', async () => {
    redis = await startOwnRedis();
    for (let i = 0; i < 2; i++) stores.push(await openStore({ url: redis.url, prefix: 'rate' }));
    const at: number[] = [];
    const started = performance.now();
    await Promise.all(
      stores.map(async (store) => {
        const rate = new SharedRate(store, 'calls', 20);
        for (let i = 0; i < 30; i++) {
          await rate.take();
          at.push(performance.now());
        }
      }),
    );
    const elapsed = performance.now() - started;
    at.sort((a, b) => a - b);
    let worst = 0;
    for (let i = 0; i < at.length; i++) {
      let j = i;
      while (j < at.length && at[j]! - at[i]! < 1000) j++;
      worst = Math.max(worst, j - i);
    }
    console.info(`shared rate: 60 calls in ${Math.round(elapsed)} ms, at most ${worst} in one second`);
    expect(elapsed).toBeGreaterThan(2_700);
    expect(worst).toBeLessThanOrEqual(21);
  });
});
