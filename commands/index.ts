/** Every slash command, for the router and for `npm run deploy-commands`. */
import type { SlashCommand } from '../src/discord/command.js';
import { cancel } from './cancel.js';
import { imagine } from './imagine.js';
import { jobs } from './jobs.js';

export const commands: readonly SlashCommand[] = [imagine, jobs, cancel];
