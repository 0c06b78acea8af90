/**
 * Remix, under a delivered set: the button (`sd1:remix:<jobId>`) opens a form with the member's
 * prompt and the count filled in; its submit (`sd1:remix-form:<jobId>`) makes a new set with the
 * new prompt and count and the set's own model, aspect and quality, with a new seed, as the
 * clicker's job (their limits apply, as for Reroll). Where the set was seen only, and never for a
 * set its owner deleted: checked at the click and again at the submit (it may be deleted between).
 *
 * The click takes no turn of the cooldown (it only opens a private form); the submit does.
 */
import {
  type APIModalInteractionResponseCallbackData,
  ComponentType,
  type ModalSubmitInteraction,
  TextInputStyle,
} from 'discord.js';
import type { JobRecord } from '../../engine/job.js';
import { InputError } from '../../errors.js';
import { resolveLocale, t } from '../../i18n/index.js';
import { modelFor, setParameters, withOtherSeed } from '../../models/registry.js';
import { checkReferences } from '../../references/check-references.js';
import { freshReferences } from '../result-images.js';
import { PARENT_MESSAGE_KEY } from '../set-lineage.js';
import { type SetToStart, startJob } from '../start-job.js';
import { truncate } from '../text.js';
import { type ActionInteraction, defineAction, jobCustomId, parseJobCustomId, type Verdict } from './action.js';
import { type requireJob, visibleSet } from './job-checks.js';

const NAME = 'remix';
const FORM = 'remix-form';
/** The form's fields (custom_ids within the modal). */
const PROMPT_FIELD = 'prompt';
const COUNT_FIELD = 'count';
/** Discord's most for a text input's value; the model checks its own, shorter limit. */
const TEXT_INPUT_MAX = 4_000;
const MIN_COUNT = 1;

export const remixCustomId = (jobId: string) => jobCustomId(NAME, jobId);
export const remixFormCustomId = (jobId: string) => jobCustomId(FORM, jobId);

/** Both steps check the same: the set was seen where this comes from, and still exists. */
async function remixable(
  interaction: ActionInteraction,
  context: Parameters<typeof requireJob>[0],
  jobId: string,
): Promise<Verdict<JobRecord>> {
  return visibleSet(interaction, context, jobId, 'remix.deleted');
}

export const remixAction = defineAction<string, JobRecord>({
  name: NAME,
  cooldown: false,
  parse: (customId) => parseJobCustomId(NAME, customId),
  check: remixable,
  async run(interaction, _context, job) {
    const locale = resolveLocale(interaction.locale, interaction.guildLocale);
    await interaction.showModal(remixForm(job, locale));
  },
});

export const remixFormAction = defineAction<string, JobRecord, 'modal'>({
  name: FORM,
  kind: 'modal',
  cooldown: true,
  parse: (customId) => parseJobCustomId(FORM, customId),
  check: remixable,
  async run(interaction, context, job) {
    const locale = resolveLocale(interaction.locale, interaction.guildLocale);
    const prompt = fieldValue(interaction, PROMPT_FIELD);
    const count = parseCount(fieldValue(interaction, COUNT_FIELD), modelFor(job.model).maxImages);
    // References (Discord CDN URLs) are read again where they can be: a stored one may have expired.
    const references = await freshReferences(context, job, setParameters(job).references);
    if (references.length > 0 && !job.parent) {
      // A member's own attachments cannot be read again (no message of ours holds them): once
      // expired (about a day) the member is told privately to attach them again, nothing is sent.
      await checkReferences(
        references.map((url) => ({ url })),
        count,
        { allowLoopback: context.references?.allowLoopback === true, timeoutMs: 2_000 },
      );
    }
    await startJob(interaction, context, remixedSet(job, prompt, count, locale, references));
  },
});

/**
 * The form (Discord's modal: title and labels ≤ 45 characters, descriptions ≤ 100, values ≤
 * 4,000), each text input inside a label component.
 */
export function remixForm(job: JobRecord, locale: string): APIModalInteractionResponseCallbackData {
  const maxImages = modelFor(job.model).maxImages;
  return {
    custom_id: remixFormCustomId(job.id),
    title: t(locale, 'remix.title'),
    components: [
      {
        type: ComponentType.Label,
        label: t(locale, 'remix.prompt_label'),
        description: t(locale, 'remix.prompt_description'),
        component: {
          type: ComponentType.TextInput,
          custom_id: PROMPT_FIELD,
          style: TextInputStyle.Paragraph,
          required: true,
          min_length: 1,
          max_length: TEXT_INPUT_MAX,
          value: truncate(job.prompt, TEXT_INPUT_MAX),
        },
      },
      {
        type: ComponentType.Label,
        label: t(locale, 'remix.count_label', { min: MIN_COUNT, max: maxImages }),
        component: {
          type: ComponentType.TextInput,
          custom_id: COUNT_FIELD,
          style: TextInputStyle.Short,
          required: true,
          min_length: 1,
          max_length: String(maxImages).length,
          value: String(setParameters(job).count),
        },
      },
    ],
  };
}

/**
 * The new set: the member's new words and count with the set's own settings, read through the
 * model seam (so whatever else the model carries, such as references, follows), and a seed other
 * than the set's. InputError (answered privately) on an empty prompt, a count out of range…
 */
export function remixedSet(
  job: JobRecord,
  prompt: string,
  count: number,
  locale: string,
  references: readonly string[] = setParameters(job).references,
): SetToStart {
  const model = modelFor(job.model);
  const set = setParameters(job);
  const input = model.buildInput({
    prompt,
    count,
    aspect: set.aspect,
    quality: set.quality,
    seed: set.seed ?? null,
    locale,
    references,
  });
  return {
    prompt,
    model: model.key,
    input: withOtherSeed(model, input),
    ...(job.parent ? { parent: job.parent } : {}),
    ...(typeof job.surface[PARENT_MESSAGE_KEY] === 'string'
      ? { surface: { [PARENT_MESSAGE_KEY]: job.surface[PARENT_MESSAGE_KEY] } }
      : {}),
  };
}

/**
 * The count as typed: a whole number, digits only (full-width ones, as a Chinese IME types them,
 * too). Its range is the model's to check (`count_out_of_range`).
 */
export function parseCount(raw: string, max: number): number {
  const text = raw.replace(/[\uFF10-\uFF19]/g, (digit) => String(digit.charCodeAt(0) - 0xff10)).trim();
  if (/^\d{1,6}$/.test(text)) return Number(text);
  throw new InputError('count_not_number', `The count ${JSON.stringify(raw)} is not a whole number`, {
    params: { count: truncate(raw.trim(), 20), min: MIN_COUNT, max },
  });
}

/** A text input's value; a field a modified client left out reads as empty (and is refused as such). */
function fieldValue(interaction: ModalSubmitInteraction, customId: string): string {
  try {
    return interaction.fields.getTextInputValue(customId);
  } catch {
    return '';
  }
}
