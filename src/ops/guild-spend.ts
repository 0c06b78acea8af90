/**
 * Images and spending per server this UTC month, for /metrics, with a bounded label set.
 * Server ids are unbounded, so the servers with activity this month are remembered in the store
 * (one small record a month, shared by every process and surviving restarts, at most
 * MAX_REMEMBERED ids); a scrape reads their monthly usage counters (the ones the monthly
 * budget is checked against) and names the TOP_GUILDS biggest spenders, the rest summed as
 * "other".
 */
import { z } from 'zod';
import { fromMicroUsd, monthKey, type UsageLedger, usageKeys } from '../accounting/usage.js';
import type { Store } from '../store/store.js';

export const TOP_GUILDS = 10;
const MAX_REMEMBERED = 1_000;

const seenSchema = z.object({ guilds: z.array(z.string()) });

export interface GuildMonthFigure {
  /** A server id, or "other" for the sum of the rest. */
  guild: string;
  images: number;
  usd: number;
}

export class GuildSpend {
  /** Ids already written for the month in `#month` (saves a store round trip per job). */
  #noted = new Set<string>();
  #month = '';

  constructor(
    private readonly store: Store,
    private readonly usage: UsageLedger,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Remembers that `guildId` has activity this month. */
  async note(guildId: string): Promise<void> {
    const month = monthKey(this.clock());
    if (month !== this.#month) {
      this.#month = month;
      this.#noted = new Set();
    }
    if (this.#noted.has(guildId)) return;
    this.#noted.add(guildId);
    await this.store.update('stats', seenKey(month), seenSchema, (current) => {
      const guilds = current?.guilds ?? [];
      if (guilds.includes(guildId) || guilds.length >= MAX_REMEMBERED) return current;
      return { guilds: [...guilds, guildId] };
    });
  }

  /** The month's figures: the top spenders by name, then "other" (always present). */
  async figures(): Promise<GuildMonthFigure[]> {
    const month = monthKey(this.clock());
    const seen = (await this.store.get('stats', seenKey(month), seenSchema))?.guilds ?? [];
    const records = await this.usage.read(seen.map((guild) => usageKeys.guildMonth(guild, month)));
    const all = seen
      .map((guild, i) => ({ guild, images: records[i]!.images, microUsd: records[i]!.microUsd }))
      .sort((a, b) => b.microUsd - a.microUsd || b.images - a.images || a.guild.localeCompare(b.guild));
    const top = all.slice(0, TOP_GUILDS);
    const rest = all.slice(TOP_GUILDS);
    const other = {
      guild: 'other',
      images: rest.reduce((sum, g) => sum + g.images, 0),
      microUsd: rest.reduce((sum, g) => sum + g.microUsd, 0),
    };
    return [...top, other].map((g) => ({ guild: g.guild, images: g.images, usd: fromMicroUsd(g.microUsd) }));
  }
}

const seenKey = (month: string) => `metrics-guilds:${month}`;
