/** /cancel job:<one of your active jobs> — cancel a generation that is still queued. */
import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord.js';
import { cancelJob } from '../src/discord/actions/cancel.js';
import { named, type SlashCommand } from '../src/discord/command.js';
import { jobChoiceName } from '../src/discord/job-summary.js';
import { resolveLocale } from '../src/i18n/index.js';

export const cancel: SlashCommand = {
  definition: {
    type: ApplicationCommandType.ChatInput,
    ...named('commands.cancel'),
    dm_permission: true,
    options: [
      {
        type: ApplicationCommandOptionType.String,
        ...named('commands.cancel.options.job'),
        required: true,
        autocomplete: true,
      },
    ],
  },

  async execute(interaction, context) {
    await cancelJob(interaction, context, interaction.options.getString('job', true).trim());
  },

  async autocomplete(interaction, context) {
    const locale = resolveLocale(interaction.locale, interaction.guildLocale);
    const typed = interaction.options.getFocused().toLowerCase();
    const now = context.clock();
    const active = await context.engine.userActive(interaction.user.id);
    const choices = active
      .filter((job) => typed === '' || job.prompt.toLowerCase().includes(typed) || job.id.includes(typed))
      .slice(0, 25)
      .map((job) => ({ name: jobChoiceName(job, locale, now), value: job.id }));
    await interaction.respond(choices);
  },
};
