/**
 * The one error path of the Discord layer: any error becomes a friendly localised message
 * with a short reference id that is also in the log. Ephemeral, so only the person who
 * acted sees it. Never a stack trace or raw error text.
 */
import type { APIEmbed, RepliableInteraction } from 'discord.js';
import { MessageFlags } from 'discord.js';
import { AppError, describeError, InputError } from '../errors.js';
import { errorMessage, resolveLocale, t } from '../i18n/index.js';
import type { Logger } from '../log.js';
import { NO_MENTIONS } from './text.js';

export function errorEmbed(locale: string, text: string, reference: string): APIEmbed {
  return { description: text, color: 0xed4245, footer: { text: t(locale, 'common.reference', { reference }) } };
}

export async function replyError(interaction: RepliableInteraction, error: unknown, log: Logger): Promise<void> {
  const locale = resolveLocale(interaction.locale, interaction.guildLocale);
  const { text, reference, code } = errorMessage(locale, error);
  const expected = error instanceof InputError || (error instanceof AppError && code !== 'unknown');
  log[expected ? 'info' : 'error'](
    // The router's logger already carries interactionId and userId; a member's mistake needs no stack.
    { reference, code, err: describeError(error) },
    'interaction error',
  );
  const payload = {
    embeds: [errorEmbed(locale, text, reference)],
    flags: MessageFlags.Ephemeral,
    allowedMentions: NO_MENTIONS,
  } as const;
  try {
    if (interaction.deferred || interaction.replied) await interaction.followUp(payload);
    else await interaction.reply(payload);
  } catch (replyFailure) {
    log.warn(
      { reference, err: replyFailure instanceof Error ? replyFailure.message : replyFailure },
      'could not tell the user about an error',
    );
  }
}
