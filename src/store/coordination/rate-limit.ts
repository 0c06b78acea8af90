/**
 * A call rate shared by every process on one Redis (RunComfy's polls; Discord's global 50
 * requests a second): GCRA in one Lua script over one key, on Redis's own clock, so N
 * processes together stay within the rate instead of N times it. One process (no Redis):
 * nothing to share, every call goes at once (each process also paces itself locally).
 */
import { sleep } from '../../util/sleep.js';
import type { RawRedis, Store } from '../store.js';
import { runStoreScript, storeScript } from './run-script.js';

/**
 * KEYS[1]: the theoretical arrival time of the next call (ms). ARGV: ms per call, burst (ms).
 * Books the caller's turn and returns how many ms until it (0: go now). Booking instead of
 * refusing means one script run a call however many processes contend (a refusal would be
 * asked again, and again, by each of them).
 */
const GCRA_SCRIPT = storeScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local wait = tat - burst - now
if wait < 0 then wait = 0 end
redis.call('SET', KEYS[1], tat + interval, 'PX', math.ceil(tat + interval - now + burst + 1000))
return wait
`);

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

  /** Waits for this call's turn within the shared rate. */
  async take(signal?: AbortSignal): Promise<void> {
    const redis = this.#redis;
    if (!redis || !Number.isFinite(this.perSecond) || this.perSecond <= 0) return;
    const interval = 1000 / this.perSecond;
    const wait = Number(
      await runStoreScript(
        redis.client,
        GCRA_SCRIPT,
        [this.#key],
        [String(interval), String(interval * Math.max(0, this.burst - 1))],
      ),
    );
    // The turn is booked: an abort while waiting leaves it unused (the rate only runs lower).
    if (wait > 0) await sleep(wait, signal);
  }
}
