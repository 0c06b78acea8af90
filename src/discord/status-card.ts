/**
 * The status card: what the requester (and the channel) sees while a set is being made.
 * Pure rendering from the job record; the Cancel button exists only while the job is
 * queued, because RunComfy cannot cancel a running job.
 */
import {
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
  ButtonStyle,
  ComponentType,
} from 'discord.js';
import type { JobRecord } from '../engine/job.js';
import { t, tDynamic } from '../i18n/index.js';
import { setParameters } from '../models/registry.js';
import { cancelCustomId } from './actions/cancel.js';
import { setDurationMs } from './job-summary.js';
import { setParameterFields } from './set-fields.js';
import { escapeUserText, formatDuration, formatUsd, progressBar, relativeTime, truncate } from './text.js';

export interface CardMessage {
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
}

const COLOURS: Record<JobRecord['state'], number> = {
  waiting: 0x95a5a6,
  submitted: 0x95a5a6,
  queued: 0x95a5a6,
  running: 0x5865f2,
  fetching: 0x5865f2,
  delivering: 0x5865f2,
  delivered: 0x57f287,
  cancelled: 0x747f8d,
  failed: 0xed4245,
  timed_out: 0xed4245,
  expired: 0xed4245,
};

export interface CardContext {
  locale: string;
  now: number;
  /** The learned running time for this kind of job. */
  eta: { meanMs: number };
  /** Link to the first result message, once delivered. */
  resultUrl?: string;
}

export function renderStatusCard(job: JobRecord, context: CardContext): CardMessage {
  const { locale } = context;
  const fields = [
    { name: t(locale, 'card.field.count'), value: String(setParameters(job).count), inline: true },
    ...setParameterFields(job, locale),
    { name: t(locale, 'card.field.requester'), value: `<@${job.owner.userId}>`, inline: true },
  ];
  const cost = costText(job, locale);
  if (cost) fields.push({ name: t(locale, 'spending.cost_field'), value: cost, inline: true });
  const embed: APIEmbed = {
    title: t(locale, `card.title.${job.state}`),
    description: `>>> ${escapeUserText(truncate(job.prompt, 3_500))}`,
    color: COLOURS[job.state],
    fields: [...fields, { name: t(locale, 'card.field.status'), value: statusLine(job, context) }],
    footer: { text: t(locale, 'card.footer', { reference: job.id }) },
  };
  const components: CardMessage['components'] = [];
  if (job.state === 'waiting' || job.state === 'queued' || job.state === 'submitted') {
    components.push({
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.Button,
          style: ButtonStyle.Danger,
          label: t(locale, 'buttons.cancel'),
          custom_id: cancelCustomId(job.id),
        },
      ],
    });
  }
  return { embeds: [embed], components };
}

function statusLine(job: JobRecord, { locale, now, eta, resultUrl }: CardContext): string {
  switch (job.state) {
    case 'waiting':
      return job.queuePosition === null
        ? t(locale, 'spending.waiting')
        : t(locale, 'spending.waiting_position', { position: job.queuePosition });
    case 'submitted':
      return t(locale, 'card.status.submitted');
    case 'queued':
      return job.queuePosition === null
        ? t(locale, 'card.status.queued')
        : t(locale, 'card.status.queued_position', { position: job.queuePosition });
    case 'running': {
      const started = job.stateTimes.running ?? now;
      const elapsed = now - started;
      const fraction = Math.min(0.95, elapsed / Math.max(1, eta.meanMs));
      return t(locale, 'card.status.running', {
        bar: progressBar(fraction),
        started: relativeTime(started),
        eta: relativeTime(Math.max(now, started + eta.meanMs)),
      });
    }
    case 'fetching':
      return t(locale, 'card.status.fetching');
    case 'delivering':
      return t(locale, 'card.status.delivering');
    case 'delivered': {
      const requested = setParameters(job).count;
      const received = job.imageUrls.length - job.missingImages.length;
      // The same figure as the result message's (see setDurationMs).
      const took = formatDuration(setDurationMs(job, now));
      const summary =
        received < requested
          ? t(locale, 'card.status.delivered_partial', { received, requested, duration: took })
          : t(locale, 'card.status.delivered', { received, duration: took });
      // After Delete the link would lead nowhere.
      if (job.surface['deleted'] === true) return `${summary}\n${t(locale, 'card.status.result_deleted')}`;
      return resultUrl ? `${summary}\n${resultUrl}` : summary;
    }
    case 'cancelled':
      return t(locale, 'card.status.cancelled');
    case 'failed':
    case 'timed_out':
    case 'expired':
      return t(locale, 'card.status.ended', { reason: failureText(job, locale) });
  }
}

/** What the set costs: what RunComfy charged once it says, else the estimate (images × price). */
export function costText(job: JobRecord, locale: string): string | undefined {
  if (job.cost !== undefined) return t(locale, 'spending.cost_charged', { usd: formatUsd(job.cost) });
  if (!job.estimate) return undefined;
  return t(locale, 'spending.cost_estimate', {
    usd: formatUsd(job.estimate.usd),
    count: setParameters(job).count,
    price: formatUsd(job.estimate.perImageUsd),
  });
}

/** The failure in words (from the catalogue by its code), with its reference. */
export function failureText(job: JobRecord, locale: string): string {
  const code = job.failure?.code;
  return (code ? tDynamic(locale, `errors.${code}`, job.failure?.params) : undefined) ?? t(locale, 'errors.unknown');
}
