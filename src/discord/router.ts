/** The one interaction router: slash commands by name, autocomplete, buttons by custom_id. */
import { type Interaction, MessageFlags } from 'discord.js';
import { resolveLocale, t } from '../i18n/index.js';
import { buttonHandlers } from './buttons.js';
import type { SlashCommand } from './command.js';
import type { BotContext } from './context.js';
import { parseCustomId } from './custom-id.js';
import { asOptionError } from './option-errors.js';
import { replyError } from './reply-error.js';

export function createRouter(commands: readonly SlashCommand[], context: BotContext) {
  const byName = new Map(commands.map((command) => [command.definition.name, command]));

  return async function route(interaction: Interaction): Promise<void> {
    const log = context.log.child({ interactionId: interaction.id, userId: interaction.user.id });
    if (interaction.isAutocomplete()) {
      try {
        await byName.get(interaction.commandName)?.autocomplete?.(interaction, context);
      } catch (error) {
        log.warn({ err: error instanceof Error ? error.message : error }, 'autocomplete failed');
        await interaction.respond([]).catch(() => undefined);
      }
      return;
    }
    if (!interaction.isRepliable()) return;
    try {
      if (interaction.isChatInputCommand()) {
        const command = byName.get(interaction.commandName);
        if (!command) throw new Error(`no handler for /${interaction.commandName}`);
        await command.execute(interaction, { ...context, log });
        return;
      }
      if (interaction.isButton()) {
        const parsed = parseCustomId(interaction.customId);
        if (!parsed) {
          const locale = resolveLocale(interaction.locale, interaction.guildLocale);
          await interaction.reply({ content: t(locale, 'replies.button_expired'), flags: MessageFlags.Ephemeral });
          return;
        }
        await buttonHandlers[parsed.action](interaction, { ...context, log }, parsed.jobId);
      }
    } catch (error) {
      await replyError(interaction, asOptionError(error), log);
    }
  };
}
