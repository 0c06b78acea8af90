/**
 * Cancel (`sd1:cancel:<jobId>`): on the status card while the job is queued, and numbered in
 * /jobs; /cancel does the same. Only the requester or a moderator; RunComfy cannot cancel a
 * running job, so the engine answers what became of it.
 */
import { type ButtonInteraction, type ChatInputCommandInteraction, MessageFlags } from 'discord.js';
import type { JobRecord } from '../../engine/job.js';
import { resolveLocale, t } from '../../i18n/index.js';
import type { BotContext } from '../context.js';
import { defineAction, jobCustomId, parseJobCustomId, type Verdict } from './action.js';
import { mayManage, requireJob } from './job-checks.js';

const NAME = 'cancel';

export const cancelCustomId = (jobId: string) => jobCustomId(NAME, jobId);

async function check(
  interaction: ButtonInteraction | ChatInputCommandInteraction,
  context: BotContext,
  jobId: string,
): Promise<Verdict<JobRecord>> {
  const job = await requireJob(context, jobId);
  return mayManage(interaction, job) ? { allowed: job } : { refused: 'replies.not_yours_cancel' };
}

async function run(
  interaction: ButtonInteraction | ChatInputCommandInteraction,
  context: BotContext,
  job: JobRecord,
): Promise<void> {
  const locale = resolveLocale(interaction.locale, interaction.guildLocale);
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const { outcome } = await context.engine.cancel(job.id);
  context.log.info({ jobId: job.id, outcome, by: interaction.user.id }, 'cancel requested');
  await interaction.editReply({ content: t(locale, `replies.cancel_${outcome}`) });
}

export const cancelAction = defineAction({
  name: NAME,
  cooldown: true,
  parse: (customId) => parseJobCustomId(NAME, customId),
  check,
  run,
});

/** /cancel job:<id>: the button's check and run, from the command. */
export async function cancelJob(
  interaction: ChatInputCommandInteraction,
  context: BotContext,
  jobId: string,
): Promise<void> {
  const verdict = await check(interaction, context, jobId);
  if ('allowed' in verdict) return run(interaction, context, verdict.allowed);
  const locale = resolveLocale(interaction.locale, interaction.guildLocale);
  await interaction.reply({ content: t(locale, verdict.refused), flags: MessageFlags.Ephemeral });
}
