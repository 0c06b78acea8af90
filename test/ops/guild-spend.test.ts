/** The per-server gauges' figures: the top spenders by id, the rest summed, across instances. */
import { describe, expect, it } from 'vitest';
import { monthKey, UsageLedger, usageKeys } from '../../src/accounting/usage.js';
import { GuildSpend, TOP_GUILDS } from '../../src/ops/guild-spend.js';
import { openStore } from '../../src/store/store.js';

describe('GuildSpend', () => {
  it('names the top spenders of the month and sums the rest as "other"; remembered in the store', async () => {
    const store = await openStore({ url: 'memory://' });
    const usage = new UsageLedger(store);
    const now = Date.UTC(2026, 11, 6, 12);
    const month = monthKey(now);
    const spend = new GuildSpend(store, usage, () => now);
    const guilds = Array.from({ length: TOP_GUILDS + 5 }, (_, i) => `9000000000000000${String(i).padStart(2, '0')}`);
    for (const [i, guild] of guilds.entries()) {
      await usage.add(usageKeys.guildMonth(guild, month), { images: i + 1, microUsd: (i + 1) * 30_000 });
      await spend.note(guild);
      await spend.note(guild); // once is enough
    }
    // Last month's counters do not count.
    await usage.add(usageKeys.guildMonth(guilds[0]!, '2026-11'), { images: 1000, microUsd: 1e9 });

    // Another instance (a restart, another process) sees the same servers.
    const figures = await new GuildSpend(store, usage, () => now).figures();
    expect(figures).toHaveLength(TOP_GUILDS + 1);
    expect(figures[0]).toEqual({ guild: guilds.at(-1), images: guilds.length, usd: (guilds.length * 30_000) / 1e6 });
    expect(figures.slice(0, TOP_GUILDS).map((f) => f.guild)).toEqual(guilds.slice(5).reverse());
    // The five smallest: 1+2+3+4+5 images.
    expect(figures.at(-1)).toEqual({ guild: 'other', images: 15, usd: (15 * 30_000) / 1e6 });

    // A new month starts empty, with "other" still there.
    const next = new GuildSpend(store, usage, () => Date.UTC(2027, 0, 1));
    expect(await next.figures()).toEqual([{ guild: 'other', images: 0, usd: 0 }]);
    await store.close();
  });
});
