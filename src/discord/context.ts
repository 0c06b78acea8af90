/** Everything a command or button handler may use; built once in src/app.ts. */

import type { JobEngine } from '../jobs/engine.js';
import type { GuildSettingsStore } from '../jobs/guild-settings.js';
import type { Logger } from '../log.js';
import type { CardUpdater } from './card-updater.js';
import type { DiscordApi } from './discord-api.js';

export interface BotContext {
  engine: JobEngine;
  cards: CardUpdater;
  api: DiscordApi;
  settings: GuildSettingsStore;
  log: Logger;
  clock: () => number;
  limits: { maxActivePerUser: number };
}
