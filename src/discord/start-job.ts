/**
 * Starting a set from an interaction (/imagine, Reroll on a result, or Remix's form): answer within
 * Discord's 3 s with the status card, then record and submit the job. Problems with the
 * user's input, where they may generate (roles, channels, DMs) and their quotas are answered
 * ephemerally before anything public is posted; the engine checks the quotas again atomically.
 */
import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  MessageFlags,
  type ModalSubmitInteraction,
  type StringSelectMenuInteraction,
} from 'discord.js';
import { GuildActiveLimitError, QuotaExceededError } from '../accounting/quota.js';
import type { JobOwner, JobParent, JobRecord } from '../engine/job.js';
import type { SubmitRequest } from '../engine/surface.js';
import { describeError } from '../errors.js';
import { errorMessage, resolveLocale } from '../i18n/index.js';
import type { ModelInput } from '../models/model.js';
import { setParameters } from '../models/registry.js';
import { ActiveJobLimitError } from '../store/job-repository.js';
import { resolveAccess } from './access.js';
import type { BotContext } from './context.js';
import { presentable } from './quota-text.js';
import { errorEmbed } from './reply-error.js';
import { renderStatusCard } from './status-card.js';
import { NO_MENTIONS } from './text.js';

/** What can start a set: a command, a button, a submitted form (Remix) or a choice in a select (Vary). */
export type StartingInteraction =
  | ChatInputCommandInteraction
  | ButtonInteraction
  | ModalSubmitInteraction
  | StringSelectMenuInteraction;

/** A set to start: the member's own words, and the model with its built input. */
export interface SetToStart {
  prompt: string;
  model: string;
  input: ModelInput;
  /** The set this one varies (Vary). */
  parent?: JobParent;
  /** More surface data for the record (Vary: the parent result message chosen from). */
  surface?: Record<string, string>;
}

export async function startJob(
  interaction: StartingInteraction,
  context: BotContext,
  request: SetToStart,
): Promise<JobRecord | undefined> {
  const locale = resolveLocale(interaction.locale, interaction.guildLocale);
  const owner = {
    userId: interaction.user.id,
    guildId: interaction.guildId,
    channelId: interaction.channelId!,
    locale,
  };
  // Settings are read at every request: a /settings change applies to the next one.
  const access = await resolveAccess(interaction, context);
  const terms = {
    owner,
    model: request.model,
    input: request.input,
    limits: access.limits,
    billingGuildId: access.billingGuildId,
  };
  // A quick look first, so an over-limit member is told privately; submit re-checks atomically.
  const hold = await context.engine.check(terms).catch((error: unknown) => {
    throw presentable(error);
  });
  try {
    return await showAndSubmit(interaction, context, request, { ...terms, hold }, locale);
  } finally {
    hold.release();
  }
}

async function showAndSubmit(
  interaction: StartingInteraction,
  context: BotContext,
  request: SetToStart,
  terms: Pick<SubmitRequest, 'owner' | 'model' | 'input' | 'limits' | 'billingGuildId' | 'hold'> & { owner: JobOwner },
  locale: string,
): Promise<JobRecord | undefined> {
  const owner = terms.owner;
  const now = context.clock();
  const preview: JobRecord = {
    v: 2,
    id: interaction.id,
    state: 'submitted',
    owner,
    prompt: request.prompt,
    model: request.model,
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
    estimate: context.engine.pricing.estimate(setParameters(request).count),
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
      ...terms,
      id: interaction.id,
      prompt: request.prompt,
      ...(request.parent ? { parent: request.parent } : {}),
      surface: {
        ...request.surface,
        interactionToken: interaction.token,
        interactionAt: interaction.createdTimestamp,
        cardMessageId: cardMessageId ?? null,
        attachmentLimit: interaction.attachmentSizeLimit ?? null,
      },
    });
    context.cards.request(job, true);
    return job;
  } catch (error) {
    const { text, reference, code } = errorMessage(locale, presentable(error));
    if (isRefusal(error)) {
      // Another request took the last of a quota since the quick look: tell only this member,
      // privately like any refusal, and take the card away.
      context.log.info({ jobId: interaction.id, reference, code }, 'refused by a limit');
      await interaction.deleteReply().catch(() => undefined);
      await interaction
        .followUp({
          embeds: [errorEmbed(locale, text, reference)],
          flags: MessageFlags.Ephemeral,
          allowedMentions: NO_MENTIONS,
        })
        .catch(() => undefined);
      return undefined;
    }
    // The card is already public: it becomes the (friendly, referenced) error.
    context.log.warn({ jobId: interaction.id, reference, code, err: describeError(error) }, 'submit failed');
    await interaction
      .editReply({ embeds: [errorEmbed(locale, text, reference)], components: [] })
      .catch(() => undefined);
    return undefined;
  }
}

/** A limit said no: nothing was recorded or sent. */
function isRefusal(error: unknown): boolean {
  return (
    error instanceof QuotaExceededError ||
    error instanceof ActiveJobLimitError ||
    error instanceof GuildActiveLimitError
  );
}
