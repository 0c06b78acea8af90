/**
 * What RunComfy serves is checked before it is used: a pixel bomb is an image that could not
 * be used (the set is still delivered), and an image of another size than asked for is still
 * delivered but logged with the job id and counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/i18n/index.js';
import { type BotHarness, createBotHarness } from '../helpers/bot-harness.js';
import { resultMessages, waitForCardTitle } from '../helpers/discord-waits.js';

let h: BotHarness;

beforeAll(async () => {
  h = await createBotHarness();
});
afterAll(async () => {
  await h?.close();
});

async function deliveredSet(username: string, prompt: string, count: number) {
  const user = h.discord.createUser({ username });
  const channel = h.discord.channelByName('general');
  const handle = h.discord.runSlashCommand({ user, channel }, 'imagine', { prompt, count, aspect: '16:9' });
  const card = await handle.waitForOriginal();
  await waitForCardTitle(h.discord, card.data.id, 'Done', 30_000);
  return { handle, results: resultMessages(h.discord, channel.data.id, handle.id) };
}

describe('images RunComfy serves', () => {
  it('a 16,000×16,000 PNG is an image that could not be used, not a crash', { timeout: 60_000 }, async () => {
    h.runcomfy.inject({ kind: 'pixel-bomb', index: 1 });
    const started = Date.now();
    const { handle, results } = await deliveredSet('bombed', 'three lighthouses', 3);
    expect(Date.now() - started).toBeLessThan(15_000);
    let job = await h.bot.engine.get(handle.id);
    // The card says Done a moment before the record does.
    for (let i = 0; i < 200 && job?.state !== 'delivered'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      job = await h.bot.engine.get(handle.id);
    }
    expect(job?.state).toBe('delivered');
    expect(job?.missingImages).toEqual([1]);
    const files = results.flatMap((m) => m.data.attachments ?? []).map((a) => a.filename);
    expect(files).toEqual([`seedream-${handle.id}-1.jpg`, `seedream-${handle.id}-3.jpg`]);
    expect(JSON.stringify(results.map((m) => m.data))).toContain('Image(s) 2 could not be used');
    const logged = h.logs.map((line) => JSON.parse(line)).find((e) => e.msg === 'some images could not be downloaded');
    expect(JSON.stringify(logged?.missing)).toContain('image_too_many_pixels');
  });

  it('a set whose only image is a pixel bomb ends saying so, not "expired"', { timeout: 60_000 }, async () => {
    h.runcomfy.inject({ kind: 'pixel-bomb', index: 0 });
    const user = h.discord.createUser({ username: 'allbombed' });
    const channel = h.discord.channelByName('general');
    const handle = h.discord.runSlashCommand({ user, channel, locale: 'zh-TW' }, 'imagine', {
      prompt: 'one lighthouse',
      count: 1,
    });
    const card = await handle.waitForOriginal();
    const failed = await waitForCardTitle(h.discord, card.data.id, t('zh-TW', 'card.title.failed'), 30_000);
    expect((await h.bot.engine.get(handle.id))?.failure?.code).toBe('image_too_many_pixels');
    expect(JSON.stringify(failed.data.embeds)).toContain(t('zh-TW', 'errors.image_too_many_pixels'));
  });

  it('a square image for a 16:9 request is delivered, warned about with the job id, and counted', {
    timeout: 60_000,
  }, async () => {
    const before = h.bot.engine.imageSizes.mismatches;
    const seen: unknown[] = [];
    h.bot.engine.imageSizes.on('mismatch', (m) => seen.push(m));
    h.runcomfy.inject({ kind: 'wrong-size', index: 0, width: 1024, height: 1024 });
    const { handle, results } = await deliveredSet('squared', 'two wide fields', 2);
    expect(results.flatMap((m) => m.data.attachments ?? [])).toHaveLength(2);
    expect(h.bot.engine.imageSizes.mismatches).toBe(before + 1);
    // …and on /metrics.
    const metric = await h.bot.metrics.registry.getSingleMetric('seedream_image_size_mismatches_total')?.get();
    expect(metric?.values[0]?.value).toBe(before + 1);
    expect(seen).toEqual([
      { jobId: handle.id, index: 0, expected: { width: 2560, height: 1440 }, actual: { width: 1024, height: 1024 } },
    ]);
    const warning = h.logs
      .map((line) => JSON.parse(line))
      .find((e) => e.msg === 'image is not the size asked for' && e.jobId === handle.id);
    expect(warning).toMatchObject({ level: 'warn', image: 1, requested: '2560×1440', actual: '1024×1024' });
  });
});
