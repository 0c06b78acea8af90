/** /imagine prompt:<text> [count] [aspect] [seed] [quality] — make a set of images. */
import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord.js';
import { named, type SlashCommand } from '../src/discord/command.js';
import { startJob } from '../src/discord/start-job.js';
import { resolveLocale, t } from '../src/i18n/index.js';
import type { QualityKey } from '../src/models/model.js';
import { DEFAULT_MODEL, withChosenSeed } from '../src/models/registry.js';
import { ASPECT_RATIOS } from '../src/models/seedream-sequential/aspect-ratios.js';
import {
  MAX_IMAGES,
  MAX_PROMPT_LENGTH,
  MAX_SEED,
  MIN_IMAGES,
  MIN_SEED,
} from '../src/models/seedream-sequential/input.js';

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
    ],
  },

  async execute(interaction, context) {
    const locale = resolveLocale(interaction.locale, interaction.guildLocale);
    const settings = await context.settings.get(interaction.guildId);
    const prompt = interaction.options.getString('prompt', true);
    // Every problem with the input is an InputError here: answered ephemerally, nothing sent.
    const model = DEFAULT_MODEL;
    const input = model.buildInput(
      {
        prompt,
        count: interaction.options.getInteger('count'),
        aspect: interaction.options.getString('aspect'),
        seed: interaction.options.getInteger('seed'),
        quality: interaction.options.getString('quality') as QualityKey | null,
        locale,
      },
      settings.defaults,
    );
    // The seed is chosen now, so the card, the result and RunComfy all have the same one.
    await startJob(interaction, context, { prompt, model: model.key, input: withChosenSeed(model, input) });
  },
};
