/** /jobs — your generations in progress, with Cancel for the queued ones (only you see it). */
import { ApplicationCommandType, ButtonStyle, ComponentType, MessageFlags } from 'discord.js';
import { cancelCustomId } from '../src/discord/actions/cancel.js';
import { named, type SlashCommand } from '../src/discord/command.js';
import { jobStateText } from '../src/discord/job-summary.js';
import { escapeUserText, NO_MENTIONS, relativeTime, truncate } from '../src/discord/text.js';
import { resolveLocale, t } from '../src/i18n/index.js';

export const jobs: SlashCommand = {
  definition: { type: ApplicationCommandType.ChatInput, ...named('commands.jobs'), dm_permission: true },

  async execute(interaction, context) {
    const locale = resolveLocale(interaction.locale, interaction.guildLocale);
    const active = (await context.engine.userActive(interaction.user.id)).sort((a, b) => a.createdAt - b.createdAt);
    if (active.length === 0) {
      await interaction.reply({ content: t(locale, 'replies.no_active_jobs'), flags: MessageFlags.Ephemeral });
      return;
    }
    const lines = active.map(
      (job, i) =>
        `**${i + 1}.** ${escapeUserText(truncate(job.prompt, 120))}\n${jobStateText(job, locale)} · ${t(locale, 'replies.started', { when: relativeTime(job.createdAt) })} · \`${job.id}\``,
    );
    const cancellable = active
      .filter((job) => job.state === 'waiting' || job.state === 'queued' || job.state === 'submitted')
      .slice(0, 25);
    const rows = [];
    for (let i = 0; i < cancellable.length; i += 5) {
      rows.push({
        type: ComponentType.ActionRow as const,
        components: cancellable.slice(i, i + 5).map((job) => ({
          type: ComponentType.Button as const,
          style: ButtonStyle.Danger as const,
          label: t(locale, 'buttons.cancel_numbered', { number: active.indexOf(job) + 1 }),
          custom_id: cancelCustomId(job.id),
        })),
      });
    }
    await interaction.reply({
      embeds: [{ title: t(locale, 'replies.jobs_title'), description: lines.join('\n\n').slice(0, 4_000) }],
      components: rows,
      flags: MessageFlags.Ephemeral,
      allowedMentions: NO_MENTIONS,
    });
  },
};
