/**
 * A call rate shared by every process on one Redis (RunComfy's polls; Discord's global 50
 * requests a second): GCRA in one Lua script over one key, on Redis's own clock, so N
 * processes together stay within the rate instead of N times it. One process (no Redis):
 * nothing to share, every call goes at once (each process also paces itself locally).
 */
import { sleep } from '../../util/sleep.js';
import type { RawRedis, Store } from '../store.js';

/**
 * KEYS[1]: the theoretical arrival time of the next call (ms). ARGV: ms per call, burst (ms).
 * Returns 0 when the call may go now (and books it), else how many ms to wait.
 */
const GCRA_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
if tat - burst > now then return tat - burst - now end
redis.call('SET', KEYS[1], tat + interval, 'PX', math.ceil(interval + burst + 1000))
return 0
`;

export class SharedRate {
  readonly #redis: { client: RawRedis; prefix: string } | undefined;
  readonly #key: string;

  constructor(
    store: Store,
    name: string,
    readonly perSecond: number,
    /** How many calls may go back to back after a quiet spell. */
    readonly burst = 1,
  ) {
    this.#redis = store.redis;
    this.#key = `${this.#redis?.prefix ?? ''}rate:${name}`;
  }

  /** Waits until one call may go within the shared rate. */
  async take(signal?: AbortSignal): Promise<void> {
    const redis = this.#redis;
    if (!redis || !Number.isFinite(this.perSecond) || this.perSecond <= 0) return;
    const interval = 1000 / this.perSecond;
    for (;;) {
      const wait = Number(
        await redis.client.eval(GCRA_SCRIPT, {
          keys: [this.#key],
          arguments: [String(interval), String(interval * Math.max(0, this.burst - 1))],
        }),
      );
      if (wait <= 0) return;
      await sleep(wait, signal);
    }
  }
}
