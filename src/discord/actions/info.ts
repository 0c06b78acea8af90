/**
 * Info (`sd1:info:<jobId>`), under a delivered set: privately, everything about how the set was
 * made (the prompt as sent, the seed actually used, model, size, quality, counts, timings, cost,
 * RunComfy's request id), so it can be read and made again. Read from the store, so it works
 * after restarts. Shown to whoever could see the set where it was posted (as Reroll), and never
 * for a set its owner deleted. Takes no turn of the cooldown: it only shows a private view.
 */
import { type APIEmbed, MessageFlags } from 'discord.js';
import type { JobRecord } from '../../engine/job.js';
import { resolveLocale, t } from '../../i18n/index.js';
import { aspectLabel, setParameters } from '../../models/registry.js';
import { escapeUserText, formatDuration, formatUsd, truncate } from '../text.js';
import { defineAction, jobCustomId, parseJobCustomId } from './action.js';
import { visibleSet } from './job-checks.js';

const NAME = 'info';
const INFO_COLOUR = 0x5865f2;
/** A field's value holds 1,024 characters, a description 4,096: a member's text, escaped, is cut to fit. */
const FIELD_MAX = 1_024;
const DESCRIPTION_MAX = 4_096;
/** What a timing or id shows when the record does not have it. */
const NOT_KNOWN = '—';

export const infoCustomId = (jobId: string) => jobCustomId(NAME, jobId);

export const infoAction = defineAction<string, JobRecord>({
  name: NAME,
  cooldown: false,
  parse: (customId) => parseJobCustomId(NAME, customId),

  check: (interaction, context, jobId) => visibleSet(interaction, context, jobId, 'info.deleted'),

  async run(interaction, _context, job) {
    const locale = resolveLocale(interaction.locale, interaction.guildLocale);
    await interaction.reply({ embeds: [infoEmbed(job, locale)], flags: MessageFlags.Ephemeral });
  },
});

/** The parameters of `job`, in `locale` (within Discord's embed limits whatever the prompt). */
export function infoEmbed(job: JobRecord, locale: string): APIEmbed {
  const set = setParameters(job);
  const received = job.imageUrls.length - job.missingImages.length;
  const fields = [
    { name: t(locale, 'info.prompt_own'), value: userText(job.prompt, FIELD_MAX) || NOT_KNOWN },
    { name: t(locale, 'info.seed'), value: set.seed === undefined ? t(locale, 'card.seed_random') : String(set.seed) },
    { name: t(locale, 'info.model'), value: `\`${job.model}\`` },
    {
      name: t(locale, 'info.size'),
      value: t(locale, 'info.size_value', { width: set.width, height: set.height, aspect: aspectLabel(job, locale) }),
    },
    { name: t(locale, 'info.quality'), value: t(locale, `card.quality.${set.quality}`) },
    { name: t(locale, 'info.images'), value: t(locale, 'info.images_value', { received, requested: set.count }) },
    { name: t(locale, 'info.timings'), value: t(locale, 'info.timings_value', timings(job)) },
    { name: t(locale, 'info.cost'), value: costText(job, locale) },
    {
      name: t(locale, 'info.request'),
      value: job.requestId ? `\`${job.requestId}\`` : t(locale, 'info.request_none'),
    },
    { name: t(locale, 'info.reference'), value: `\`${job.id}\`` },
  ];
  const heading = `**${t(locale, 'info.prompt_sent')}**\n`;
  return {
    title: t(locale, 'info.title'),
    description: `${heading}${userText(set.prompt, DESCRIPTION_MAX - heading.length)}`,
    color: INFO_COLOUR,
    fields: fields.map((field) => ({ ...field, inline: field.value.length <= 40 })),
  };
}

/** A member's text, escaped (escaping can double its length), within `max` characters. */
function userText(text: string, max: number): string {
  return truncate(escapeUserText(truncate(text, max)), max);
}

/**
 * The set's time, step by step, from the record's state times: waiting (the bot's queue and
 * RunComfy's, until it ran), generating (until its images were ready), delivering (fetching and
 * posting them) and the total. RunComfy may skip "running" between two polls: then the first
 * two are not known apart, and show as not known.
 */
function timings(job: JobRecord): { queued: string; generation: string; delivery: string; total: string } {
  const times = job.stateTimes;
  const span = (from: number | undefined, to: number | undefined) =>
    from !== undefined && to !== undefined ? formatDuration(to - from) : NOT_KNOWN;
  const ended = times.delivered ?? times.failed ?? times.timed_out ?? times.cancelled ?? times.expired;
  return {
    queued: span(job.createdAt, times.running),
    generation: span(times.running, times.fetching),
    delivery: span(times.fetching, times.delivered),
    total: span(job.createdAt, ended),
  };
}

/** What RunComfy charged when it said, else the price the set was accepted at. */
function costText(job: JobRecord, locale: string): string {
  if (job.cost !== undefined) return t(locale, 'info.cost_charged', { usd: formatUsd(job.cost) });
  if (job.estimate) return t(locale, 'info.cost_estimate', { usd: formatUsd(job.estimate.usd) });
  return t(locale, 'info.cost_unknown');
}
