/** /history [search] — the gallery browser over your own sets, across servers and DMs (only you see it). */
import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord.js';
import { named, type SlashCommand } from '../src/discord/command.js';
import { userScope } from '../src/guilds/gallery-index.js';

export const history: SlashCommand = {
  definition: {
    type: ApplicationCommandType.ChatInput,
    ...named('gallery.history'),
    dm_permission: true,
    options: [
      { type: ApplicationCommandOptionType.String, ...named('gallery.history.options.search'), max_length: 200 },
    ],
  },

  async execute(interaction, context) {
    const search = interaction.options.getString('search')?.trim();
    await context.gallery.browser.open(interaction, context, {
      scope: userScope(interaction.user.id),
      kind: 'history',
      filter: search ? { search } : {},
    });
  },
};
