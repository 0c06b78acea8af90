/**
 * The one interaction router: slash commands by name, autocomplete, buttons (and the forms they
 * open) by the first action (actions/index.ts) of their kind that parses their custom_id.
 */
import {
  type ButtonInteraction,
  type Interaction,
  MessageFlags,
  type ModalSubmitInteraction,
  type RepliableInteraction,
  type StringSelectMenuInteraction,
} from 'discord.js';
import { resolveLocale, t } from '../i18n/index.js';
import type { Logger } from '../log.js';
import { buttonActions } from './actions/index.js';
import type { SlashCommand } from './command.js';
import type { BotContext } from './context.js';
import type { CooldownKind } from './cooldown.js';
import { asOptionError } from './option-errors.js';
import { replyError } from './reply-error.js';

export function createRouter(commands: readonly SlashCommand[], context: BotContext) {
  const byName = new Map(commands.map((command) => [command.definition.name, command]));

  return async function route(interaction: Interaction): Promise<void> {
    const log = context.log.child({ interactionId: interaction.id, userId: interaction.user.id });
    // A shutdown is under way: nothing new starts, and the member hears why at once.
    if (context.stopping?.()) {
      if (interaction.isAutocomplete()) await interaction.respond([]).catch(() => undefined);
      else if (interaction.isRepliable()) {
        const locale = resolveLocale(interaction.locale, interaction.guildLocale);
        await interaction
          .reply({ content: t(locale, 'replies.restarting'), flags: MessageFlags.Ephemeral })
          .catch((error: unknown) =>
            log.warn({ err: error instanceof Error ? error.message : error }, 'could not answer'),
          );
      }
      return;
    }
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
      if (await coolingDown(interaction, context, log)) return;
      if (interaction.isChatInputCommand()) {
        const command = byName.get(interaction.commandName);
        if (!command) throw new Error(`no handler for /${interaction.commandName}`);
        await command.execute(interaction, { ...context, log });
        return;
      }
      if (interaction.isButton() || interaction.isModalSubmit() || interaction.isStringSelectMenu()) {
        const handle = bind(interaction);
        if (!handle) {
          const locale = resolveLocale(interaction.locale, interaction.guildLocale);
          await interaction.reply({ content: t(locale, 'replies.button_expired'), flags: MessageFlags.Ephemeral });
          return;
        }
        await handle.run(interaction, { ...context, log });
      }
    } catch (error) {
      await replyError(interaction, asOptionError(error), log);
    }
  };
}

/**
 * A member acting again within COMMAND_COOLDOWN is told to slow down, privately, and nothing
 * else runs. Commands and job buttons have separate turns; the gallery browser's pages do not
 * count (they only turn the member's own private view). A limiter that fails lets them through.
 */
async function coolingDown(interaction: RepliableInteraction, context: BotContext, log: Logger): Promise<boolean> {
  let kind: CooldownKind;
  if (interaction.isChatInputCommand()) kind = 'command';
  else if (interaction.isButton() || interaction.isModalSubmit() || interaction.isStringSelectMenu()) {
    // A form's submit takes the turn its button did not (Remix: the click only opens the form).
    if (bind(interaction)?.action.cooldown === false) return false;
    kind = 'button';
  } else return false;
  const waitMs = await context.cooldown.take(kind, interaction.user.id).catch((error: unknown) => {
    log.warn({ err: error instanceof Error ? error.message : error }, 'cooldown check failed; let through');
    return 0;
  });
  if (waitMs === 0) return false;
  const locale = resolveLocale(interaction.locale, interaction.guildLocale);
  log.info({ kind, waitMs }, 'cooldown: slow down');
  await interaction
    .reply({
      content: t(locale, 'replies.slow_down', { seconds: Math.ceil(waitMs / 1000) }),
      flags: MessageFlags.Ephemeral,
    })
    .catch(() => undefined);
  return true;
}

/** The first action of the interaction's kind that parses its custom_id, ready to run. */
function bind(interaction: ButtonInteraction | ModalSubmitInteraction | StringSelectMenuInteraction) {
  const kind = interaction.isButton() ? 'button' : interaction.isModalSubmit() ? 'modal' : 'select';
  for (const action of buttonActions) {
    if (action.kind !== kind) continue;
    const run = action.bind(interaction.customId);
    if (run) return { action, run };
  }
  return undefined;
}
