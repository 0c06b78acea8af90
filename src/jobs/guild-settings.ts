/** Per-server settings in the store (defaults for /imagine; more arrive with /settings). */
import { z } from 'zod';
import type { Store } from './store.js';

export const guildSettingsSchema = z.object({
  defaults: z
    .object({
      count: z.number().int().min(1).max(15).optional(),
      aspect: z.string().optional(),
      quality: z.enum(['fast', 'standard']).optional(),
    })
    .default({}),
});
export type GuildSettings = z.infer<typeof guildSettingsSchema>;

export class GuildSettingsStore {
  constructor(private readonly store: Store) {}

  async get(guildId: string | null): Promise<GuildSettings> {
    if (!guildId) return { defaults: {} };
    return (await this.store.get('guilds', guildId, guildSettingsSchema)) ?? { defaults: {} };
  }

  async update(guildId: string, change: (current: GuildSettings) => GuildSettings): Promise<GuildSettings> {
    const next = await this.store.update('guilds', guildId, guildSettingsSchema, (current) =>
      change(current ?? { defaults: {} }),
    );
    return next ?? { defaults: {} };
  }
}
