/** Lines about a job: for /jobs and /cancel's autocomplete, and the time a set took. */

import type { JobRecord } from '../engine/job.js';
import { t } from '../i18n/index.js';
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

/**
 * How long a set took to make: from the request until its images were ready. The result message
 * (posted before the job is "delivered") and the final card both show this one figure.
 */
export function setDurationMs(job: Pick<JobRecord, 'createdAt' | 'stateTimes'>, now: number): number {
  const ready = job.stateTimes.fetching ?? job.stateTimes.delivering ?? job.stateTimes.delivered ?? now;
  return ready - job.createdAt;
}
