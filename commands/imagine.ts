/** /imagine prompt:<text> [count] [aspect] [seed] [quality] [reference1…4] — make a set of images. */
import { ApplicationCommandOptionType, ApplicationCommandType, type ChatInputCommandInteraction } from 'discord.js';
import { named, type SlashCommand } from '../src/discord/command.js';
import { startJob } from '../src/discord/start-job.js';
import { resolveLocale, t } from '../src/i18n/index.js';
import type { QualityKey } from '../src/models/model.js';
import { modelForRequest, setParameters, withChosenSeed } from '../src/models/registry.js';
import { ASPECT_RATIOS } from '../src/models/seedream-sequential/aspect-ratios.js';
import {
  MAX_IMAGES,
  MAX_PROMPT_LENGTH,
  MAX_SEED,
  MIN_IMAGES,
  MIN_SEED,
} from '../src/models/seedream-sequential/input.js';
import { checkReferences } from '../src/references/check-references.js';
import { MAX_REFERENCES, type ReferenceCandidate } from '../src/references/reference-rules.js';

/** `reference1`…`reference4`: Discord shows them as file pickers, in this order. */
const REFERENCE_OPTIONS = Array.from({ length: MAX_REFERENCES }, (_, index) => `reference${index + 1}` as const);
/**
 * Each reference's first bytes are read before the reply, within Discord's 3 s to answer: a CDN
 * that is slower than this is refused (and the member may simply try again).
 */
const REFERENCE_CHECK_TIMEOUT_MS = 2_000;

export const imagine: SlashCommand = {
  definition: {
    type: ApplicationCommandType.ChatInput,
    ...named('commands.imagine'),
    dm_permission: true,
    options: [
      {
        type: ApplicationCommandOptionType.String,
        ...named('commands.imagine.options.prompt'),
        required: true,
        // Discord's own limit is checked again by the reconciliation (control characters, count phrase).
        max_length: MAX_PROMPT_LENGTH,
      },
      {
        type: ApplicationCommandOptionType.Integer,
        ...named('commands.imagine.options.count'),
        min_value: MIN_IMAGES,
        max_value: MAX_IMAGES,
      },
      {
        type: ApplicationCommandOptionType.String,
        ...named('commands.imagine.options.aspect'),
        choices: ASPECT_RATIOS.map((aspect) => ({
          name: aspect.labels['en-US'],
          name_localizations: { 'zh-TW': aspect.labels['zh-TW'], 'zh-CN': aspect.labels['zh-CN'] },
          value: aspect.key,
        })),
      },
      {
        type: ApplicationCommandOptionType.Integer,
        ...named('commands.imagine.options.seed'),
        min_value: MIN_SEED,
        max_value: MAX_SEED,
      },
      {
        type: ApplicationCommandOptionType.String,
        ...named('commands.imagine.options.quality'),
        choices: (['fast', 'standard'] as const).map((quality) => ({
          name: t('en-US', `card.quality.${quality}`),
          name_localizations: {
            'zh-TW': t('zh-TW', `card.quality.${quality}`),
            'zh-CN': t('zh-CN', `card.quality.${quality}`),
          },
          value: quality,
        })),
      },
      ...REFERENCE_OPTIONS.map((name) => ({
        type: ApplicationCommandOptionType.Attachment as const,
        ...named(`commands.imagine.options.${name}`),
      })),
    ],
  },

  async execute(interaction, context) {
    const locale = resolveLocale(interaction.locale, interaction.guildLocale);
    const settings = await context.settings.get(interaction.guildId);
    const prompt = interaction.options.getString('prompt', true);
    const candidates = attachedReferences(interaction);
    // Every problem with the input is an InputError here: answered ephemerally, nothing sent.
    const references = candidates.map((candidate) => candidate.url);
    const model = modelForRequest({ references });
    const input = model.buildInput(
      {
        prompt,
        count: interaction.options.getInteger('count'),
        aspect: interaction.options.getString('aspect'),
        seed: interaction.options.getInteger('seed'),
        quality: interaction.options.getString('quality') as QualityKey | null,
        locale,
        references,
      },
      settings.defaults,
    );
    if (candidates.length > 0) {
      // Type, size and first bytes of each, by the attachment's name, before anything is sent.
      await checkReferences(candidates, setParameters({ model: model.key, input }).count, {
        allowLoopback: context.references?.allowLoopback === true,
        timeoutMs: REFERENCE_CHECK_TIMEOUT_MS,
      });
    }
    // The seed is chosen now, so the card, the result and RunComfy all have the same one.
    await startJob(interaction, context, { prompt, model: model.key, input: withChosenSeed(model, input) });
  },
};

/** The files attached to the reference options, in option order, with what Discord declares of each. */
function attachedReferences(interaction: ChatInputCommandInteraction): ReferenceCandidate[] {
  return REFERENCE_OPTIONS.flatMap((name) => {
    const attachment = interaction.options.getAttachment(name);
    if (!attachment) return [];
    return [{ url: attachment.url, name: attachment.name, contentType: attachment.contentType, size: attachment.size }];
  });
}
