/** The status card's spending parts: the bot's queue with its place and Cancel, the cost, in three languages. */
import { describe, expect, it } from 'vitest';
import { GuildMonthlyBudgetError, UserDailyQuotaError } from '../../src/accounting/quota.js';
import { jobStateText } from '../../src/discord/job-summary.js';
import { presentable, resetTime } from '../../src/discord/quota-text.js';
import { renderStatusCard } from '../../src/discord/status-card.js';
import { formatUsd } from '../../src/discord/text.js';
import type { JobRecord, JobState } from '../../src/engine/job.js';
import { errorMessage, SUPPORTED_LOCALES, t } from '../../src/i18n/index.js';
import { jobFixture } from '../helpers/job-fixture.js';

const job = (state: JobState, locale: string, patch: Partial<JobRecord> = {}): JobRecord =>
  jobFixture({
    id: 'abc123',
    state,
    owner: { userId: '42', guildId: 'g', channelId: 'c', locale },
    stateTimes: { waiting: 0 },
    queuePosition: 3,
    estimate: { usd: 0.12, perImageUsd: 0.03, source: 'runcomfy' },
    ...patch,
  });

describe.each(SUPPORTED_LOCALES)('spending on the card (%s)', (locale) => {
  const context = { locale, now: 1_000, eta: { meanMs: 30_000 } };

  it('a waiting job shows its place in the bot’s queue and can be cancelled', () => {
    const card = renderStatusCard(job('waiting', locale), context);
    const embed = card.embeds[0]!;
    expect(embed.title).toBe(t(locale, 'card.title.waiting'));
    expect(embed.fields!.at(-1)!.value).toBe(t(locale, 'spending.waiting_position', { position: 3 }));
    expect(card.components[0]!.components[0]).toMatchObject({
      custom_id: 'sd1:cancel:abc123',
      label: t(locale, 'buttons.cancel'),
    });
    expect(jobStateText(job('waiting', locale), locale)).toBe(t(locale, 'spending.waiting_short', { position: 3 }));
    if (locale !== 'en-US') expect(embed.title).toMatch(/\p{Script=Han}/u);
  });

  it('shows the estimated cost (images × price) and, once RunComfy says, what was charged', () => {
    const costField = (record: JobRecord) =>
      renderStatusCard(record, context).embeds[0]!.fields!.find((f) => f.name === t(locale, 'spending.cost_field'))
        ?.value;
    expect(costField(job('queued', locale))).toBe(
      t(locale, 'spending.cost_estimate', { usd: '0.12', count: 4, price: '0.03' }),
    );
    expect(costField(job('delivered', locale, { cost: 0.09, imageUrls: ['a', 'b', 'c', 'd'] }))).toBe(
      t(locale, 'spending.cost_charged', { usd: '0.09' }),
    );
    expect(costField(job('queued', locale, { estimate: undefined }))).toBeUndefined();
  });

  it('says when an exhausted quota resets, as a live Discord timestamp', () => {
    const resetsAt = Date.parse('2025-04-01T00:00:00Z');
    const daily = errorMessage(locale, presentable(new UserDailyQuotaError(10, 9, 4, resetsAt)));
    expect(daily.code).toBe('quota_user_daily');
    expect(daily.text).toContain('<t:1743465600:R>');
    expect(daily.text).toContain('10');
    const monthly = errorMessage(locale, presentable(new GuildMonthlyBudgetError(50, 49.97, 0.12, resetsAt)));
    expect(monthly.code).toBe('quota_guild_monthly');
    expect(monthly.text).toContain('49.97');
    expect(monthly.text).toContain('50.00');
    expect(monthly.text).toContain(resetTime(resetsAt));
  });
});

it('formats US$ with cents, and fractions of a cent when they matter', () => {
  expect([0, 0.03, 0.035, 0.1, 1.5, 12.345, 0.0001].map(formatUsd)).toEqual([
    '0.00',
    '0.03',
    '0.035',
    '0.10',
    '1.50',
    '12.35',
    '0.0001',
  ]);
});
