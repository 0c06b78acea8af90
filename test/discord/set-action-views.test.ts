/**
 * Remix's form and Info's answer stay within Discord's limits in every language, read strictly
 * (modal title and labels ≤ 45, label descriptions ≤ 100, a text input's value within its own
 * min/max length and ≤ 4,000; embed fields ≤ 1,024, description ≤ 4,096, all ≤ 6,000), whatever
 * the member's prompt; and Remix builds its set through the model seam with the set's settings.
 */
import type { APIEmbed } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { infoEmbed } from '../../src/discord/actions/info.js';
import { parseCount, remixedSet, remixForm } from '../../src/discord/actions/remix.js';
import { SUPPORTED_LOCALES } from '../../src/i18n/index.js';
import { setParameters } from '../../src/models/registry.js';
import { MAX_PROMPT_LENGTH } from '../../src/models/seedream-sequential/input.js';
import { jobFixture } from '../helpers/job-fixture.js';

type Json = Record<string, unknown>;

/** Every text input of a modal, with the label (component 18) it sits in. */
function inputsOf(modal: Json): Array<{ label: Json; input: Json }> {
  return (modal['components'] as Json[]).map((label) => ({ label, input: label['component'] as Json }));
}

function embedLength(embed: APIEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.fields ?? []).reduce((sum, field) => sum + field.name.length + field.value.length, 0)
  );
}

// A prompt at the model's limit made of characters markdown escaping doubles.
const WORST_PROMPT = '*_'.repeat(MAX_PROMPT_LENGTH / 2);

describe.each(SUPPORTED_LOCALES)('within Discord’s limits (%s)', (locale) => {
  it('Remix’s form', () => {
    for (const prompt of ['a lighthouse', WORST_PROMPT, 'x'.repeat(5_000)]) {
      const modal = remixForm(jobFixture({ prompt }), locale) as unknown as Json;
      expect(String(modal['custom_id']).length).toBeLessThanOrEqual(100);
      expect(String(modal['title']).length).toBeGreaterThan(0);
      expect(String(modal['title']).length).toBeLessThanOrEqual(45);
      const inputs = inputsOf(modal);
      expect(inputs.length).toBeGreaterThan(0);
      expect(inputs.length).toBeLessThanOrEqual(5);
      for (const { label, input } of inputs) {
        expect(label['type']).toBe(18);
        expect(String(label['label']).length).toBeLessThanOrEqual(45);
        if (label['description'] !== undefined) expect(String(label['description']).length).toBeLessThanOrEqual(100);
        expect(input['type']).toBe(4);
        expect(input['label']).toBeUndefined(); // inside a label component a text input has none
        const value = String(input['value']);
        expect(Number(input['max_length'])).toBeLessThanOrEqual(4_000);
        expect(value.length).toBeLessThanOrEqual(Number(input['max_length']));
        expect(value.length).toBeGreaterThanOrEqual(Number(input['min_length']));
      }
    }
  });

  it('Info’s answer', () => {
    const job = jobFixture({
      state: 'delivered',
      prompt: WORST_PROMPT,
      input: { ...jobFixture().input, text: `Generate 4 images: ${WORST_PROMPT}`.slice(0, MAX_PROMPT_LENGTH) },
      requestId: 'r'.repeat(64),
      imageUrls: ['a', 'b', 'c', 'd'],
      stateTimes: { submitted: 0, running: 3_000, fetching: 30_000, delivered: 41_000 },
      cost: 0.12,
    });
    const embed = infoEmbed(job, locale);
    expect(embed.title!.length).toBeLessThanOrEqual(256);
    expect(embed.description!.length).toBeLessThanOrEqual(4_096);
    expect(embed.fields!.length).toBeLessThanOrEqual(25);
    for (const field of embed.fields!) {
      expect(field.name.length).toBeLessThanOrEqual(256);
      expect(field.value.length).toBeGreaterThan(0);
      expect(field.value.length).toBeLessThanOrEqual(1_024);
    }
    expect(embedLength(embed)).toBeLessThanOrEqual(6_000);
  });
});

describe('Info’s figures', () => {
  it('times each step and names the charged cost, else the estimate', () => {
    const job = jobFixture({
      state: 'delivered',
      createdAt: 1_000,
      imageUrls: ['a', 'b', 'c', 'd'],
      missingImages: [3],
      stateTimes: { submitted: 1_000, queued: 2_000, running: 4_000, fetching: 34_000, delivered: 45_000 },
      estimate: { usd: 0.12, perImageUsd: 0.03, source: 'config' },
    });
    const value = (embed: APIEmbed, name: string) => embed.fields?.find((field) => field.name === name)?.value;
    const estimated = infoEmbed(job, 'en-US');
    expect(value(estimated, 'Timings')).toBe('Waiting 3s · generating 30s · delivering 11s · total 44s');
    expect(value(estimated, 'Images')).toBe('3 received of 4 asked for');
    expect(value(estimated, 'Cost')).toBe('about US$ 0.12 (estimate)');
    expect(value(estimated, 'Size')).toBe('2560×1440 · 16:9 landscape (widescreen)');
    expect(value(estimated, 'RunComfy request')).toBe('not sent to RunComfy');
    expect(value(infoEmbed({ ...job, cost: 0.09 }, 'en-US'), 'Cost')).toBe('US$ 0.09 charged');
    // RunComfy went from queued to done between two polls: waiting and generating are not known apart.
    const skipped = infoEmbed({ ...job, stateTimes: { ...job.stateTimes, running: undefined } }, 'zh-TW');
    expect(value(skipped, '耗時')).toBe('等候 — · 生成 — · 發送 11s · 總計 44s');
  });
});

describe('Remix’s set', () => {
  it('keeps the model, aspect and quality, takes the new prompt and count, and draws another seed', () => {
    const job = jobFixture({ input: { ...jobFixture().input, seed: 7, optimize_prompt_options: 'standard' } });
    for (let i = 0; i < 20; i++) {
      const set = remixedSet(job, 'a lighthouse at dawn', 2, 'en-US');
      expect(set.model).toBe(job.model);
      expect(set.prompt).toBe('a lighthouse at dawn');
      const made = setParameters(set);
      expect(made).toMatchObject({ count: 2, aspect: '16:9', quality: 'standard' });
      expect(made.prompt).toContain('a lighthouse at dawn');
      expect(made.seed).not.toBe(7);
    }
  });

  it.each([
    ['3', 3],
    [' 12 ', 12],
    ['１５', 15],
    ['99', 99], // a number: its range is the model's to refuse (count_out_of_range)
  ])('reads the count %j as %d', (raw, count) => {
    expect(parseCount(raw, 15)).toBe(count);
  });

  it.each(['', 'abc', '三', '1.5', '-1', '1e1', '0x3'])('refuses %j as not a number', (raw) => {
    expect(() => parseCount(raw, 15)).toThrow(expect.objectContaining({ code: 'count_not_number' }));
  });
});
