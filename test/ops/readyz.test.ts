/**
 * /readyz follows the store: the bot on a redis-server of this test's own turns unready when
 * that server is killed, and ready again when a new one answers on the same port.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type BotHarness, createBotHarness } from '../helpers/bot-harness.js';
import { freePort } from '../helpers/free-port.js';
import { type RedisProcess, startRedis } from '../helpers/redis-process.js';

let h: BotHarness | undefined;
let redis: RedisProcess | undefined;
afterEach(async () => {
  await redis?.start().catch(() => undefined); // the bot's stop() writes to its store
  await h?.close();
  await redis?.stop();
  h = undefined;
  redis = undefined;
});

async function readiness(
  url: string,
): Promise<{ status: number; body: { ready: boolean; checks: Record<string, string> } }> {
  const response = await fetch(`${url}/readyz`);
  return {
    status: response.status,
    body: (await response.json()) as { ready: boolean; checks: Record<string, string> },
  };
}

async function until(url: string, status: number, timeoutMs: number) {
  const started = Date.now();
  for (;;) {
    const answer = await readiness(url);
    if (answer.status === status) return { ...answer, afterMs: Date.now() - started };
    if (Date.now() - started > timeoutMs)
      throw new Error(`/readyz stayed ${answer.status}: ${JSON.stringify(answer.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('/readyz', () => {
  it('is unready while the store is unreachable and ready again when it returns', { timeout: 60_000 }, async () => {
    redis = await startRedis();
    h = await createBotHarness({ storeUrl: redis.url, env: { METRICS_PORT: String(await freePort()) } });
    const url = h.bot.opsUrl!;
    expect(await readiness(url)).toEqual({
      status: 200,
      body: { ready: true, checks: { store: 'ok', gateway: 'connected' } },
    });

    await redis.stop();
    const down = await until(url, 503, 10_000);
    expect(down.body.ready).toBe(false);
    expect(down.body.checks.store).toMatch(/^unreachable/);
    expect(down.body.checks.gateway).toBe('connected');
    // Alive all the same: a restart would not bring the store back.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    await redis.start();
    const up = await until(url, 200, 20_000);
    expect(up.body).toEqual({ ready: true, checks: { store: 'ok', gateway: 'connected' } });
    console.info(`unready ${down.afterMs} ms after the kill, ready ${up.afterMs} ms after the restart`);
  });
});
