/** One line about a job, for /jobs and /cancel's autocomplete. */
import { t } from '../i18n/index.js';
import type { JobRecord } from '../jobs/job.js';
import { plainUserText, truncate } from './text.js';

export function jobStateText(job: JobRecord, locale: string): string {
  if (job.state === 'waiting' && job.queuePosition !== null) {
    return t(locale, 'spending.waiting_short', { position: job.queuePosition });
  }
  if (job.state === 'queued' && job.queuePosition !== null) {
    return t(locale, 'card.status.queued_position', { position: job.queuePosition });
  }
  return t(locale, `card.title.${job.state}`);
}

/** Plain text (autocomplete choices show no markdown), at most `max` characters. */
export function jobChoiceName(job: JobRecord, locale: string, now: number, max = 100): string {
  const elapsed = Math.round((now - job.createdAt) / 1000);
  const suffix = ` · ${jobStateText(job, locale)} · ${elapsed}s`;
  return `${truncate(plainUserText(job.prompt).replace(/\s+/g, ' '), Math.max(10, max - suffix.length))}${suffix}`.slice(
    0,
    max,
  );
}
