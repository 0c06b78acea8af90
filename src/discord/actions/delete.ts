/**
 * Delete (`sd1:delete:<jobId>`), under a delivered set: removes its result messages, its
 * gallery post and its place in the browse index, and the card then says the images were
 * deleted. Only the requester or a moderator.
 */
import { MessageFlags } from 'discord.js';
import type { JobRecord } from '../../engine/job.js';
import { resolveLocale, t } from '../../i18n/index.js';
import { DISCORD_ERRORS, discordErrorCode } from '../discord-api.js';
import { defineAction, jobCustomId, parseJobCustomId } from './action.js';
import { mayManage, requireJob } from './job-checks.js';

const NAME = 'delete';

export const deleteCustomId = (jobId: string) => jobCustomId(NAME, jobId);

export const deleteAction = defineAction<string, JobRecord>({
  name: NAME,
  cooldown: true,
  parse: (customId) => parseJobCustomId(NAME, customId),

  async check(interaction, context, jobId) {
    const job = await requireJob(context, jobId);
    return mayManage(interaction, job) ? { allowed: job } : { refused: 'replies.not_yours_delete' };
  },

  async run(interaction, context, job) {
    const locale = resolveLocale(interaction.locale, interaction.guildLocale);
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
});
