/**
 * Quota refusals for Discord: the engine says when a quota resets as an epoch and money as
 * numbers; members read "resets in 3 hours" as a live Discord timestamp (in their own time
 * zone and language) and amounts as US$ with cents.
 */

import { GuildMonthlyBudgetError, QuotaExceededError } from '../accounting/quota.js';
import { AppError } from '../errors.js';
import { formatUsd } from './text.js';

/** A Discord timestamp of a reset: relative ("in 3 hours") and the date in full. */
export function resetTime(epochMs: number): string {
  const seconds = Math.round(epochMs / 1000);
  return `<t:${seconds}:R> (<t:${seconds}:f>)`;
}

/** The same error, with params a member can read; any other error is returned as it is. */
export function presentable(error: unknown): unknown {
  if (!(error instanceof QuotaExceededError)) return error;
  const params: Record<string, string | number> = { ...error.params, resets: resetTime(error.resetsAt) };
  if (error instanceof GuildMonthlyBudgetError) {
    for (const name of ['limit', 'used', 'estimate', 'left'] as const) {
      const value = error.params[name];
      if (typeof value === 'number') params[name] = formatUsd(value);
    }
  }
  return new AppError(error.code, error.message, { params, cause: error });
}
