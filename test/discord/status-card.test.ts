import { describe, expect, it } from 'vitest';
import { renderStatusCard } from '../../src/discord/status-card.js';
import { progressBar } from '../../src/discord/text.js';
import type { JobRecord, JobState } from '../../src/engine/job.js';
import { jobFixture } from '../helpers/job-fixture.js';

const job = (state: JobState, patch: Partial<JobRecord> = {}): JobRecord =>
  jobFixture({
    state,
    prompt: '@everyone look at <@123> and **this**',
    input: { ...jobFixture().input, text: 'Generate 4 images: x' },
    stateTimes: { submitted: 0, queued: 1_000, running: 10_000 },
    queuePosition: 3,
    ...patch,
  });

const context = { locale: 'en-US', now: 20_000, eta: { meanMs: 40_000 } };

describe('status card', () => {
  it('has a Cancel button only while the job can still be cancelled', () => {
    const withButton = (['submitted', 'queued'] as const).map(
      (s) => renderStatusCard(job(s), context).components.length,
    );
    const without = (
      ['running', 'fetching', 'delivering', 'delivered', 'cancelled', 'failed', 'timed_out', 'expired'] as const
    ).map((s) => renderStatusCard(job(s), context).components.length);
    expect(withButton).toEqual([1, 1]);
    expect(without.every((n) => n === 0)).toBe(true);
    expect(renderStatusCard(job('queued'), context).components[0]!.components[0]!).toMatchObject({
      custom_id: 'sd1:cancel:1574899051944607744',
    });
  });

  it('says a job that waited out its deadline in the bot’s queue was never started, in every locale', () => {
    const timedOut = job('timed_out', {
      failure: { code: 'queue_timed_out', detail: 'x', params: { minutes: 30 } },
      stateTimes: { waiting: 0, timed_out: 1_800_000 },
    });
    const text = (locale: string) =>
      renderStatusCard(timedOut, { ...context, locale }).embeds[0]!.fields!.at(-1)!.value;
    expect(text('en-US')).toMatch(/30 min.*never started.*nothing was charged/);
    expect(text('zh-TW')).toContain('30 分鐘');
    expect(text('zh-CN')).toContain('30 分钟');
  });

  it('escapes the prompt so it can never ping or format', () => {
    const description = renderStatusCard(job('queued'), context).embeds[0]!.description!;
    expect(description).not.toMatch(/@everyone/);
    expect(description).not.toContain('<@123>');
    expect(description).toContain('\\*\\*this\\*\\*');
  });

  it('shows the queue position, and while running an ETA bar with live relative times', () => {
    const queued = JSON.stringify(renderStatusCard(job('queued'), context).embeds);
    expect(queued).toContain('3');
    const running = renderStatusCard(job('running'), context).embeds[0]!.fields!.at(-1)!.value;
    expect(running).toMatch(/▰+▱+/);
    expect(running).toContain('<t:10:R>'); // started
    expect(running).toContain('<t:50:R>'); // expected: start + learned 40 s
  });

  it('says k of N when fewer images came back, and why a job failed', () => {
    const partial = renderStatusCard(
      job('delivered', { imageUrls: ['a', 'b', 'c'], stateTimes: { delivered: 65_000 } }),
      context,
    ).embeds[0]!.fields!.at(-1)!.value;
    expect(partial).toMatch(/3 of the 4 images/);
    const failed = renderStatusCard(
      job('failed', { failure: { code: 'runcomfy_insufficient_balance', detail: 'x', params: {} } }),
      context,
    ).embeds[0]!.fields!.at(-1)!.value;
    expect(failed).toMatch(/credit/i);
    expect(failed).toMatch(/admin/i);
  });

  it('says "In the queue — position N"', () => {
    expect(renderStatusCard(job('queued'), context).embeds[0]!.fields!.at(-1)!.value).toBe(
      'In the queue — position 3.',
    );
  });

  it('after Delete no longer links to the deleted result, and says so in every locale', () => {
    const delivered = job('delivered', {
      imageUrls: ['a', 'b', 'c', 'd'],
      stateTimes: { fetching: 6_000, delivered: 7_400 },
      surface: { deleted: true },
    });
    const resultUrl = 'https://discord.com/channels/g/c/99';
    const status = (locale: string) =>
      renderStatusCard(delivered, { ...context, locale, resultUrl }).embeds[0]!.fields!.at(-1)!.value;
    expect(status('en-US')).toBe('Done in 6s: 4 image(s).\nThe images were deleted.');
    expect(status('zh-TW')).toContain('圖片已刪除');
    expect(status('zh-CN')).toContain('图片已删除');
    const kept = renderStatusCard({ ...delivered, surface: {} }, { ...context, resultUrl }).embeds[0]!.fields!.at(-1)!;
    expect(kept.value).toBe(`Done in 6s: 4 image(s).\n${resultUrl}`);
  });

  it('"Done in" is the time until the images were ready, the figure the result message shows', () => {
    const delivered = job('delivered', {
      imageUrls: ['a', 'b', 'c', 'd'],
      stateTimes: { fetching: 6_000, delivered: 7_400 },
    });
    expect(renderStatusCard(delivered, context).embeds[0]!.fields!.at(-1)!.value).toBe('Done in 6s: 4 image(s).');
  });

  it('renders in zh-CN', () => {
    const card = renderStatusCard(
      job('queued', { owner: { userId: '42', guildId: 'g', channelId: 'c', locale: 'zh-CN' } }),
      {
        ...context,
        locale: 'zh-CN',
      },
    );
    expect(card.embeds[0]!.title).toMatch(/\p{Script=Han}/u);
    expect(card.components[0]!.components[0]!).toMatchObject({ label: expect.stringMatching(/\p{Script=Han}/u) });
  });
});

describe('progress bar', () => {
  it('is full only when the work is: an ETA capped at 95 % shows 9 of 10 cells', () => {
    expect(progressBar(0.95)).toBe('▰▰▰▰▰▰▰▰▰▱');
    expect(progressBar(1)).toBe('▰▰▰▰▰▰▰▰▰▰');
    expect(progressBar(0.34)).toBe('▰▰▰▱▱▱▱▱▱▱');
    expect(progressBar(0)).toBe('▱▱▱▱▱▱▱▱▱▱');
  });
});
