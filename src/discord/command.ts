/** What a slash command is: plain typed data (its definition) plus its handlers. */
import type {
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { type PlainMessageKey, t } from '../i18n/index.js';
import type { BotContext } from './context.js';

export interface SlashCommand {
  definition: RESTPostAPIChatInputApplicationCommandsJSONBody;
  execute(interaction: ChatInputCommandInteraction, context: BotContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, context: BotContext): Promise<void>;
}

/** A name or description in en-US with its zh-TW and zh-CN localisations, from the catalogue. */
export function localised<K extends 'name' | 'description'>(
  field: K,
  key: PlainMessageKey,
): Record<K, string> & Record<`${K}_localizations`, Record<string, string>> {
  return {
    [field]: t('en-US', key),
    [`${field}_localizations`]: { 'zh-TW': t('zh-TW', key), 'zh-CN': t('zh-CN', key) },
  } as Record<K, string> & Record<`${K}_localizations`, Record<string, string>>;
}

/** Name and description of a command or option under `prefix` (`prefix.name`, `prefix.description`). */
export function named(prefix: string) {
  return {
    ...localised('name', `${prefix}.name` as PlainMessageKey),
    ...localised('description', `${prefix}.description` as PlainMessageKey),
  };
}
