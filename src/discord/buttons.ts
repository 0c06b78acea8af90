/** Button handlers, by the action in their custom_id (see custom-id.ts). */
import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  MessageFlags,
  PermissionFlagsBits,
} from 'discord.js';
import type { JobRecord } from '../engine/job.js';
import { resolveLocale, t } from '../i18n/index.js';
import { modelFor, withOtherSeed } from '../models/registry.js';
import { JobNotFoundError } from '../store/job-repository.js';
import type { BotContext } from './context.js';
import type { ButtonAction } from './custom-id.js';
import { DISCORD_ERRORS, discordErrorCode } from './discord-api.js';
import { startJob } from './start-job.js';

type Handler = (interaction: ButtonInteraction, context: BotContext, jobId: string) => Promise<void>;

export const buttonHandlers: Record<ButtonAction, Handler> = {
  cancel: (interaction, context, jobId) => cancelJob(interaction, context, jobId),

  async reroll(interaction, context, jobId) {
    const locale = resolveLocale(interaction.locale, interaction.guildLocale);
    const job = await requireJob(context, jobId);
    // The new card shows the prompt where the click came from: only where the set itself was
    // seen (a DM set only by its owner), and never a set its owner deleted.
    const refusal = !visibleHere(interaction, job)
      ? 'replies.not_visible_here'
      : job.surface['deleted'] === true
        ? 'replies.reroll_deleted'
        : undefined;
    if (refusal) {
      context.log.info({ jobId: job.id, by: interaction.user.id, refusal }, 'reroll refused');
      await interaction.reply({ content: t(locale, refusal), flags: MessageFlags.Ephemeral });
      return;
    }
    // Same settings, a new seed; it is the clicker's job and counts against their limits.
    await startJob(interaction, context, {
      prompt: job.prompt,
      model: job.model,
      input: withOtherSeed(modelFor(job.model), job.input),
    });
  },

  async delete(interaction, context, jobId) {
    const locale = resolveLocale(interaction.locale, interaction.guildLocale);
    const job = await requireJob(context, jobId);
    if (!mayManage(interaction, job)) {
      await interaction.reply({ content: t(locale, 'replies.not_yours_delete'), flags: MessageFlags.Ephemeral });
      return;
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const messageIds = Object.entries(job.delivery)
      .filter(([key, step]) => (key.startsWith('part:') || key === 'overview') && step.result)
      .map(([, step]) => step.result!);
    for (const messageId of messageIds) {
      try {
        await context.api.deleteMessage(job.owner.channelId, messageId);
      } catch (error) {
        if (discordErrorCode(error) !== DISCORD_ERRORS.unknownMessage) throw error; // already gone is fine
      }
    }
    // Its gallery post and its place in the browse index go with it.
    const { postRemoved } = await context.gallery.mirror.removeSet(job);
    await context.engine.setSurface(job.id, { deleted: true });
    // The card linked to the first image: it now says the images were deleted.
    await context.cards.refresh(job.id);
    const deleted = t(locale, 'replies.deleted', { count: messageIds.length });
    await interaction.editReply({
      content: postRemoved ? `${deleted} ${t(locale, 'gallery.replies.post_removed')}` : deleted,
    });
  },

  gprev: (interaction, context, arg) => context.gallery.browser.turn(interaction, arg, -1),
  gnext: (interaction, context, arg) => context.gallery.browser.turn(interaction, arg, 1),
};

/** Cancel, from the card's button, /jobs or /cancel: only the requester or a moderator. */
export async function cancelJob(
  interaction: ButtonInteraction | ChatInputCommandInteraction,
  context: BotContext,
  jobId: string,
): Promise<void> {
  const locale = resolveLocale(interaction.locale, interaction.guildLocale);
  const job = await requireJob(context, jobId);
  if (!mayManage(interaction, job)) {
    await interaction.reply({ content: t(locale, 'replies.not_yours_cancel'), flags: MessageFlags.Ephemeral });
    return;
  }
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const { outcome } = await context.engine.cancel(job.id);
  context.log.info({ jobId: job.id, outcome, by: interaction.user.id }, 'cancel requested');
  await interaction.editReply({ content: t(locale, `replies.cancel_${outcome}`) });
}

/**
 * The requester (from anywhere: /jobs lists their own jobs in any channel, and the answer is
 * private), or a member allowed to manage messages, clicking in the channel the job was made in.
 */
function mayManage(interaction: ButtonInteraction | ChatInputCommandInteraction, job: JobRecord): boolean {
  if (interaction.user.id === job.owner.userId) return true;
  return (
    job.owner.guildId !== null &&
    interaction.guildId === job.owner.guildId &&
    interaction.channelId === job.owner.channelId &&
    interaction.memberPermissions?.has(PermissionFlagsBits.ManageMessages) === true
  );
}

/**
 * Whether the job was visible where the click came from: its own channel, and for a DM job
 * only its owner's DM. A forged custom_id names any job id; this is what keeps it honest.
 */
function visibleHere(interaction: ButtonInteraction, job: JobRecord): boolean {
  if (interaction.channelId !== job.owner.channelId) return false;
  if (job.owner.guildId === null) return interaction.guildId === null && interaction.user.id === job.owner.userId;
  return interaction.guildId === job.owner.guildId;
}

async function requireJob(context: BotContext, jobId: string): Promise<JobRecord> {
  const job = await context.engine.get(jobId);
  if (!job) throw new JobNotFoundError(jobId);
  return job;
}
