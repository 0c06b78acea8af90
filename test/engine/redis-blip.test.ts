/**
 * A Redis blip (CLIENT KILL drops every connection, CLIENT PAUSE 5000 stalls the server):
 * jobs in flight recover, and the next submit is either accepted (the transaction ran again
 * once Redis answered) or refused with a clear error — never the socket's raw "Socket closed
 * unexpectedly" — and the member's quota counts exactly the accepted jobs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NO_LIMITS } from '../../src/accounting/quota.js';
import { dayKey, usageKeys, usageRecordSchema } from '../../src/accounting/usage.js';
import { isTerminal } from '../../src/engine/job.js';
import { AppError } from '../../src/errors.js';
import { buildSeedreamInput } from '../../src/models/seedream-sequential/build-input.js';
import { createHarness, type Harness } from '../helpers/engine-harness.js';
import { type OwnRedis, startOwnRedis } from '../helpers/own-redis.js';

let h: Harness | undefined;
let redis: OwnRedis | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
  redis?.stop();
  redis = undefined;
});

const realDelay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a Redis blip', () => {
  it('CLIENT KILL + CLIENT PAUSE 5000: in-flight jobs recover; the next submits are accepted or clearly refused', {
    timeout: 60_000,
  }, async () => {
    redis = await startOwnRedis();
    h = await createHarness({
      storeUrl: redis.url,
      storePrefix: 'blip',
      emulator: { queueMs: 500, baseRunMs: 500, perImageMs: 0 },
      engine: { tuning: { queuedBaseMs: 200, windowIntervalMs: 200, maxWaitMs: 400, lateMaxMs: 400 } },
    });
    await h.engine.start();
    const submit = (i: number) =>
      h!.engine.submit({
        id: `blip-${i}`,
        owner: { userId: 'member', guildId: 'g1', channelId: 'c1', locale: 'en-US' },
        prompt: 'a lighthouse at dusk',
        input: buildSeedreamInput({ prompt: 'a lighthouse at dusk', count: 1 }),
        limits: { ...NO_LIMITS, userDailyImages: 50 },
      });
    const first = await submit(0);
    expect(first.state).toBe('queued');

    // Submits on the wire when the connections drop, and more while Redis is paused.
    const pending = Array.from({ length: 12 }, (_, i) => realDelay(i * 15).then(() => submit(i + 1)));
    await realDelay(60);
    expect(Number(await redis.cli('CLIENT', 'KILL', 'TYPE', 'normal'))).toBeGreaterThan(0);
    await redis.cli('CLIENT', 'PAUSE', '5000');
    const outcomes = await Promise.allSettled(pending);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        expect(outcome.reason).toBeInstanceOf(AppError);
        expect((outcome.reason as AppError).code).toBe('store_unreachable');
        expect(String(outcome.reason)).not.toMatch(/Socket closed/);
      }
    }
    const accepted = ['blip-0', ...outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.id] : []))];
    console.info(
      `blip: ${outcomes.map((o) => (o.status === 'fulfilled' ? o.value.state : (o.reason as AppError).code)).join(', ')}`,
    );

    // Everything accepted is delivered, the first job (in flight during the blip) included.
    const deadline = performance.now() + 30_000;
    while (performance.now() < deadline) {
      const jobs = await Promise.all(accepted.map((id) => h!.engine.get(id)));
      if (jobs.every((j) => j && isTerminal(j.state))) break;
      await realDelay(200);
    }
    for (const id of accepted) expect((await h.engine.get(id))?.state, id).toBe('delivered');
    const day = await h.store.get('stats', usageKeys.userDay('member', dayKey(Date.now())), usageRecordSchema);
    expect(day?.images).toBe(accepted.length);
    expect(day?.jobs).toBe(accepted.length);
  });
});
