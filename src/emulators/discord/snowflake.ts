import type { Clock } from './clock.js';

export const DISCORD_EPOCH_MS = 1_420_070_400_000n;
const GUILD_WORKER_ID = 2n;

/**
 * Discord-shaped ids: `(ms since 2015) << 22 | worker << 17 | increment`.
 * Ids only grow, even if the injected clock is moved backwards, so history order is id order.
 */
export class SnowflakeGenerator {
  private lastTimestamp = 0n;
  private increment = 0n;
  private lastGuildTimestamp = 0n;

  constructor(
    private readonly clock: Clock,
    private readonly workerId = 1n,
  ) {}

  next(): string {
    let timestamp = this.currentTimestamp();
    if (timestamp <= this.lastTimestamp) {
      timestamp = this.lastTimestamp;
      this.increment++;
      if (this.increment > 4095n) {
        timestamp++;
        this.increment = 0n;
      }
    } else {
      this.increment = 0n;
    }
    this.lastTimestamp = timestamp;
    return ((timestamp << 22n) | (this.workerId << 17n) | this.increment).toString();
  }

  /**
   * Guild ids: each takes its own millisecond (on a separate worker id, so they never collide
   * with other ids). Consecutive guilds thus land on different shards (`(id >> 22) % count`),
   * as real guilds created at different times do.
   */
  nextGuildId(): string {
    const now = this.currentTimestamp();
    const timestamp = now > this.lastGuildTimestamp ? now : this.lastGuildTimestamp + 1n;
    this.lastGuildTimestamp = timestamp;
    return ((timestamp << 22n) | (GUILD_WORKER_ID << 17n)).toString();
  }

  private currentTimestamp(): bigint {
    const ms = BigInt(Math.floor(this.clock())) - DISCORD_EPOCH_MS;
    return ms > 0n ? ms : 0n;
  }
}

/** Discord's shard formula; DMs (no guild) belong to shard 0. */
export function shardIdForGuild(guildId: string | null | undefined, shardCount: number): number {
  if (!guildId || shardCount <= 1) return 0;
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** Orders snowflakes numerically without BigInt (shorter is smaller, then lexical). */
export function compareSnowflakes(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isSnowflake(value: unknown): value is string {
  return typeof value === 'string' && /^\d{1,20}$/.test(value);
}

export function snowflakeTimestampMs(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH_MS);
}
