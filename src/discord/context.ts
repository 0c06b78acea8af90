/** Everything a command or button handler may use; built once in src/app.ts. */

import type { QuotaLimits } from '../accounting/quota.js';
import type { JobEngine } from '../engine/engine.js';
import type { GuildSettingsStore } from '../guilds/guild-settings.js';
import type { Logger } from '../log.js';
import type { CardUpdater } from './card-updater.js';
import type { Cooldown } from './cooldown.js';
import type { DiscordApi } from './discord-api.js';
import type { GalleryBrowser } from './gallery-browser.js';
import type { GalleryMirror } from './gallery-mirror.js';
import type { MemberLookup } from './member-directory.js';

export interface BotContext {
  engine: JobEngine;
  cards: CardUpdater;
  api: DiscordApi;
  settings: GuildSettingsStore;
  log: Logger;
  clock: () => number;
  limits: { maxActivePerUser: number };
  /** The bot's default limits (servers change theirs with /settings) and whether DMs are allowed by default. */
  quota: { defaults: QuotaLimits; dmAllowed: boolean };
  /** Servers and members, for requests made in DMs. */
  members: MemberLookup;
  /** Galleries: mirroring and removal of posts, the index, and the browser. */
  gallery: { mirror: GalleryMirror; browser: GalleryBrowser };
  /** True once a shutdown began: new commands and buttons are turned away (see router.ts). */
  stopping?: () => boolean;
  /** Per-member cooldown of commands and buttons (COMMAND_COOLDOWN). */
  cooldown: Cooldown;
}
