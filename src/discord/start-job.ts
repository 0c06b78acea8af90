/**
 * Starting a set from an interaction (/imagine, or Reroll on a result): answer within
 * Discord's 3 s with the status card, then record and submit the job. Problems with the
 * user's input are answered ephemerally before anything public is posted.
 */
import type { ButtonInteraction, ChatInputCommandInteraction } from 'discord.js';
import { errorMessage, resolveLocale } from '../i18n/index.js';
import type { JobRecord } from '../jobs/job.js';
import { ActiveJobLimitError } from '../jobs/job-repository.js';
import type { SeedreamInput } from '../seedream/model-input.js';
import type { BotContext } from './context.js';
import { errorEmbed } from './reply-error.js';
import { renderStatusCard } from './status-card.js';
import { NO_MENTIONS } from './text.js';

export async function startJob(
  interaction: ChatInputCommandInteraction | ButtonInteraction,
  context: BotContext,
  request: { prompt: string; input: SeedreamInput },
): Promise<JobRecord | undefined> {
  const locale = resolveLocale(interaction.locale, interaction.guildLocale);
  const owner = {
    userId: interaction.user.id,
    guildId: interaction.guildId,
    channelId: interaction.channelId!,
    locale,
  };
  // A quick look first, so an over-limit user is told privately; submit re-checks atomically.
  const active = await context.engine.jobs.userActive(owner.userId);
  if (active.length >= context.limits.maxActivePerUser) {
    throw new ActiveJobLimitError(context.limits.maxActivePerUser, active.length);
  }
  const now = context.clock();
  const preview: JobRecord = {
    v: 1,
    id: interaction.id,
    state: 'submitted',
    owner,
    prompt: request.prompt,
    input: request.input,
    createdAt: now,
    updatedAt: now,
    deadlineAt: now,
    stateTimes: { submitted: now },
    queuePosition: null,
    imageUrls: [],
    missingImages: [],
    delivery: {},
    deliveryAttempts: 0,
    surface: {},
  };
  const card = renderStatusCard(preview, { locale, now, eta: context.engine.estimate(preview) });
  const response = await interaction.reply({
    ...card,
    components: [],
    allowedMentions: NO_MENTIONS,
    withResponse: true,
  });
  const cardMessageId = response.resource?.message?.id;
  try {
    const job = await context.engine.submit({
      id: interaction.id,
      owner,
      prompt: request.prompt,
      input: request.input,
      surface: {
        interactionToken: interaction.token,
        interactionAt: interaction.createdTimestamp,
        cardMessageId: cardMessageId ?? null,
        attachmentLimit: interaction.attachmentSizeLimit ?? null,
      },
    });
    context.cards.request(job, true);
    return job;
  } catch (error) {
    // The card is already public: it becomes the (friendly, referenced) error.
    const { text, reference, code } = errorMessage(locale, error);
    context.log.warn({ jobId: interaction.id, reference, code, err: describe(error) }, 'submit failed');
    await interaction
      .editReply({ embeds: [errorEmbed(locale, text, reference)], components: [] })
      .catch(() => undefined);
    return undefined;
  }
}

function describe(error: unknown): unknown {
  return error instanceof Error
    ? { name: error.name, message: error.message, code: (error as { code?: unknown }).code }
    : error;
}
