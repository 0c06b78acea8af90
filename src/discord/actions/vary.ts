/**
 * Vary (`sd1:vary:<jobId>`), a string select under a delivered set, one option per delivered
 * image: a new set made from the chosen image as its only reference, with the set's prompt (the
 * member's words) and settings, a new seed, on the edit model, as the clicker's own job (their
 * limits apply, as for Reroll). Where the set was seen only, and never for a set its owner deleted.
 *
 * The image's URL is read from its result message at the choice (result-images.ts): Discord's
 * CDN URLs expire, so a URL kept since the delivery would be stale a day later.
 */
import { ComponentType, MessageFlags, type StringSelectMenuInteraction } from 'discord.js';
import type { JobRecord } from '../../engine/job.js';
import { resolveLocale, t } from '../../i18n/index.js';
import { REFERENCE_MODEL, setParameters, withOtherSeed } from '../../models/registry.js';
import { MAX_REFERENCES_AND_IMAGES } from '../../models/seedream-edit-sequential/wire.js';
import type { MessagePayload } from '../discord-api.js';
import { freshImageUrl } from '../result-images.js';
import { PARENT_MESSAGE_KEY } from '../set-lineage.js';
import { type SetToStart, startJob } from '../start-job.js';
import { defineAction, jobCustomId, parseJobCustomId } from './action.js';
import { visibleSet } from './job-checks.js';

const NAME = 'vary';
/** Discord: at most 25 options in a select; a set has at most 15 images. */
const MAX_OPTIONS = 25;

export const varyCustomId = (jobId: string) => jobCustomId(NAME, jobId);

/** The chosen image, 0-based, of the set. */
interface VarySubject {
  job: JobRecord;
  image: number;
}

export const varyAction = defineAction<string, VarySubject, 'select'>({
  name: NAME,
  kind: 'select',
  cooldown: true,
  parse: (customId) => parseJobCustomId(NAME, customId),

  async check(interaction, context, jobId) {
    const verdict = await visibleSet(interaction, context, jobId, 'replies.vary_deleted');
    if (!('allowed' in verdict)) return verdict;
    const job = verdict.allowed;
    const about = { jobId: job.id };
    const image = chosenImage(interaction, job);
    if (image === undefined) return { refused: 'replies.vary_image_gone', about };
    return { allowed: { job, image } };
  },

  async run(interaction, context, { job, image }) {
    const url = await freshImageUrl(context.api, job, image);
    if (!url) {
      // Its result message was deleted since: nothing to make the variation from.
      const locale = resolveLocale(interaction.locale, interaction.guildLocale);
      await interaction.reply({ content: t(locale, 'replies.vary_image_gone'), flags: MessageFlags.Ephemeral });
      return;
    }
    await startJob(interaction, context, {
      ...variedSet(job, image, url),
      // The message chosen from: galleries and /history link the variation to it.
      surface: { [PARENT_MESSAGE_KEY]: interaction.message.id },
    });
  },
});

/** The set's images a member can choose: those delivered (RunComfy listed them and they came). */
export function variableImages(job: Pick<JobRecord, 'imageUrls' | 'missingImages'>): number[] {
  return job.imageUrls.map((_, index) => index).filter((index) => !job.missingImages.includes(index));
}

/** The chosen option (1-based on the wire), when it names a delivered image of the set. */
function chosenImage(interaction: StringSelectMenuInteraction, job: JobRecord): number | undefined {
  const raw = interaction.values[0] ?? '';
  if (!/^\d{1,2}$/.test(raw)) return undefined;
  const index = Number(raw) - 1;
  return variableImages(job).includes(index) ? index : undefined;
}

/**
 * The new set: the parent's prompt, aspect and quality, its count as far as one reference
 * leaves room (references + images ≤ 15), a seed other than the parent's.
 */
export function variedSet(job: JobRecord, image: number, url: string): SetToStart {
  const set = setParameters(job);
  const model = REFERENCE_MODEL;
  const input = model.buildInput({
    prompt: job.prompt,
    count: Math.min(set.count, MAX_REFERENCES_AND_IMAGES - 1),
    aspect: set.aspect,
    quality: set.quality,
    seed: set.seed ?? null,
    locale: job.owner.locale,
    references: [url],
  });
  return { prompt: job.prompt, model: model.key, input: withOtherSeed(model, input), parent: { jobId: job.id, image } };
}

/** The select under a result ("Vary image k"), or none for a set without an image to vary. */
export function varyRow(job: JobRecord): NonNullable<MessagePayload['components']> {
  const images = variableImages(job).slice(0, MAX_OPTIONS);
  if (images.length === 0) return [];
  const locale = job.owner.locale;
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.StringSelect,
          custom_id: varyCustomId(job.id),
          placeholder: t(locale, 'buttons.vary_placeholder'),
          min_values: 1,
          max_values: 1,
          options: images.map((index) => ({
            label: t(locale, 'buttons.vary_image', { number: index + 1 }),
            value: String(index + 1),
          })),
        },
      ],
    },
  ];
}
