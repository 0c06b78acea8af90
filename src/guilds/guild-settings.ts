/** Per-server settings in the store (defaults for /imagine; more arrive with /settings). */
import { z } from 'zod';
import type { Store } from '../store/store.js';
import { gallerySettingsSchema } from './gallery-settings.js';

export const guildSettingsSchema = z.object({
  defaults: z
    .object({
      count: z.number().int().min(1).max(15).optional(),
      aspect: z.string().optional(),
      quality: z.enum(['fast', 'standard']).optional(),
    })
    .default({}),
  /** Quota limits that replace the bot's defaults (absent: the default; 0: no limit). See src/accounting/quota.ts. */
  limits: z
    .object({
      userDailyImages: z.number().int().min(0).optional(),
      guildDailyImages: z.number().int().min(0).optional(),
      guildMonthlyUsd: z.number().min(0).optional(),
      activePerUser: z.number().int().min(0).optional(),
      activePerGuild: z.number().int().min(0).optional(),
    })
    .optional(),
  /** Role ids whose members may generate; absent or empty: everyone. */
  allowedRoles: z.array(z.string()).optional(),
  /** Channel ids where /imagine may be used; absent or empty: everywhere. */
  allowedChannels: z.array(z.string()).optional(),
  /** Whether members may generate in DMs, charged to this server; absent: the bot's default (ALLOW_DMS). */
  dmAllowed: z.boolean().optional(),
  /** The server's gallery channel (/gallery setup); absent: no mirroring. */
  gallery: gallerySettingsSchema.optional(),
});
export type GuildSettings = z.infer<typeof guildSettingsSchema>;

/**
 * How old a server's settings read from memory may be. A change made by this process applies
 * at once (the store's cache is write-through); one made by another process sharing a Redis
 * store, within this long.
 */
export const SETTINGS_MAX_AGE_MS = 5_000;

export class GuildSettingsStore {
  constructor(private readonly store: Store) {}

  /** Read at every request, so from memory while fresh: no store round trip before an answer. */
  async get(guildId: string | null): Promise<GuildSettings> {
    if (!guildId) return { defaults: {} };
    const [settings] = await this.store.getFresh('guilds', [guildId], guildSettingsSchema, SETTINGS_MAX_AGE_MS);
    return settings ?? { defaults: {} };
  }

  async update(guildId: string, change: (current: GuildSettings) => GuildSettings): Promise<GuildSettings> {
    const next = await this.store.update('guilds', guildId, guildSettingsSchema, (current) =>
      change(current ?? { defaults: {} }),
    );
    return next ?? { defaults: {} };
  }
}
