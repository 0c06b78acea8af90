/** Every slash command, for the router and for `npm run deploy-commands`. */
import type { SlashCommand } from '../src/discord/command.js';
import { cancel } from './cancel.js';
import { gallery } from './gallery.js';
import { history } from './history.js';
import { imagine } from './imagine.js';
import { jobs } from './jobs.js';
import { settings } from './settings.js';
import { usage } from './usage.js';

export const commands: readonly SlashCommand[] = [imagine, jobs, cancel, gallery, history, settings, usage];
