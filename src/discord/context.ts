/**
 * Everything a command or button action may use; built once in src/app.ts. The card updater
 * and the gallery browser appear as interfaces: the card and the browser draw buttons whose
 * actions use this context, and a type import back to them would close a loop.
 */

import type { QuotaLimits } from '../accounting/quota.js';
import type { JobEngine } from '../engine/engine.js';
import type { JobRecord } from '../engine/job.js';
import type { GuildSettingsStore } from '../guilds/guild-settings.js';
import type { Logger } from '../log.js';
import type { Cooldown } from './cooldown.js';
import type { DiscordApi } from './discord-api.js';
import type { GalleryBrowsing } from './gallery/browsing.js';
import type { GalleryMirror } from './gallery/mirror.js';
import type { MemberLookup } from './member-directory.js';

/** What commands and actions ask of the card updater (card-updater.ts). */
export interface CardRequests {
  /** Shows the job's state on its card soon (`urgent`: at the next chance). */
  request(job: Pick<JobRecord, 'id' | 'surface'>, urgent: boolean): void;
  /** Redraws the job's card now. */
  refresh(jobId: string): Promise<void>;
}

export interface BotContext {
  engine: JobEngine;
  cards: CardRequests;
  api: DiscordApi;
  settings: GuildSettingsStore;
  log: Logger;
  clock: () => number;
  /** The bot's default limits (servers change theirs with /settings) and whether DMs are allowed by default. */
  quota: { defaults: QuotaLimits; dmAllowed: boolean };
  /** Servers and members, for requests made in DMs. */
  members: MemberLookup;
  /** Galleries: mirroring and removal of posts, the index, and the browser. */
  gallery: { mirror: GalleryMirror; browser: GalleryBrowsing };
  /** True once a shutdown began: new commands and buttons are turned away (see router.ts). */
  stopping?: () => boolean;
  /** Per-member cooldown of commands and buttons (COMMAND_COOLDOWN). */
  cooldown: Cooldown;
  /** Reference checks: loopback URLs only when the model API is itself on loopback (emulators, tests). */
  references?: { allowLoopback: boolean };
}
