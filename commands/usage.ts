/**
 * /usage — your images today and this month, and your server's, with what is left and when
 * each quota resets (only you see it). In a DM, "your server" is the one your DMs are charged to.
 */
import { type APIEmbedField, ApplicationCommandType, MessageFlags } from 'discord.js';
import type { QuotaLimits } from '../src/accounting/quota.js';
import { fromMicroUsd } from '../src/accounting/usage.js';
import { dmHome, limitsOf } from '../src/discord/access.js';
import { named, type SlashCommand } from '../src/discord/command.js';
import { resetTime } from '../src/discord/quota-text.js';
import { escapeUserText, formatUsd, NO_MENTIONS } from '../src/discord/text.js';
import { resolveLocale, t } from '../src/i18n/index.js';

export const usage: SlashCommand = {
  definition: { type: ApplicationCommandType.ChatInput, ...named('usage.command'), dm_permission: true },

  async execute(interaction, context) {
    const locale = resolveLocale(interaction.locale, interaction.guildLocale);
    const now = context.clock();
    const userId = interaction.user.id;
    let guildId = interaction.guildId;
    let limits: QuotaLimits = context.quota.defaults;
    let note: string | undefined;
    if (guildId) {
      limits = limitsOf(context, await context.settings.get(guildId));
    } else {
      const home = await dmHome(userId, context);
      guildId = home?.guildId ?? null;
      if (home) {
        limits = limitsOf(context, home.settings);
        const server = context.members.guildName(home.guildId) ?? home.guildId;
        note = t(locale, 'usage.dm_home', { server: escapeUserText(server) });
      } else {
        note = t(locale, 'usage.no_server');
      }
    }
    const snapshot = await context.engine.usage.snapshot(userId, guildId, now);
    const dayResets = resetTime(snapshot.dayResetsAt);
    const monthResets = resetTime(snapshot.monthResetsAt);
    const images = (used: number, limit: number | null) =>
      limit === null
        ? t(locale, 'usage.images_unlimited', { used })
        : t(locale, 'usage.images_of', { used, limit, left: Math.max(0, limit - used), resets: dayResets });
    const inProgress = (active: number, limit: number | null) =>
      limit === null
        ? t(locale, 'usage.in_progress_unlimited', { active })
        : t(locale, 'usage.in_progress', { active, limit });

    // Images charged though they never reached Discord (a submit without a clear answer…) are named.
    const withUndelivered = (line: string, undelivered: number) =>
      undelivered > 0 ? `${line}\n${t(locale, 'usage.undelivered', { images: undelivered })}` : line;

    const userActive = (await context.engine.userActive(userId)).length;
    const fields: APIEmbedField[] = [
      {
        name: t(locale, 'usage.you_today'),
        value: `${images(snapshot.userDay.images, limits.userDailyImages)}\n${inProgress(userActive, limits.activePerUser)}`,
      },
      {
        name: t(locale, 'usage.you_month'),
        value: withUndelivered(
          t(locale, 'usage.month_images', {
            images: snapshot.userMonth.images,
            usd: formatUsd(fromMicroUsd(snapshot.userMonth.microUsd)),
          }),
          snapshot.userMonth.undelivered,
        ),
      },
    ];
    if (guildId && snapshot.guildDay && snapshot.guildMonth) {
      const guildActive = (await context.engine.jobs.guildActive(guildId)).length;
      const spent = fromMicroUsd(snapshot.guildMonth.microUsd);
      const budget = limits.guildMonthlyUsd;
      fields.push(
        {
          name: t(locale, 'usage.server_today'),
          value: `${images(snapshot.guildDay.images, limits.guildDailyImages)}\n${inProgress(guildActive, limits.activePerGuild)}`,
        },
        {
          name: t(locale, 'usage.server_month'),
          value: `${withUndelivered(
            t(locale, 'usage.month_images', { images: snapshot.guildMonth.images, usd: formatUsd(spent) }),
            snapshot.guildMonth.undelivered,
          )}\n${
            budget === null
              ? t(locale, 'usage.usd_unlimited', { used: formatUsd(spent) })
              : t(locale, 'usage.usd_of', {
                  used: formatUsd(spent),
                  limit: formatUsd(budget),
                  left: formatUsd(Math.max(0, budget - spent)),
                  resets: monthResets,
                })
          }`,
        },
      );
    }
    await interaction.reply({
      embeds: [
        {
          title: t(locale, 'usage.title'),
          ...(note ? { description: note } : {}),
          color: 0x5865f2,
          fields,
          footer: { text: t(locale, 'usage.footer') },
        },
      ],
      flags: MessageFlags.Ephemeral,
      allowedMentions: NO_MENTIONS,
    });
  },
};
