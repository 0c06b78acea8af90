/**
 * Info and Remix on a delivered set, with the real discord.js client against both emulators:
 * Info shows the seed RunComfy received, in every language; Remix's form changes the prompt and
 * count and keeps the model, aspect and quality (RunComfy's recorded input proves it); a
 * member's mistakes in the form are answered privately; both work after a restart.
 */

import type { APIEmbed } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration } from '../../src/discord/text.js';
import type { InteractionHandle } from '../../src/emulators/discord/index.js';
import { type BotHarness, createBotHarness } from '../helpers/bot-harness.js';
import { buttonIds, resultMessages, waitForCardTitle } from '../helpers/discord-waits.js';

const SEED_FIELD: Record<string, string> = { 'en-US': 'Seed', 'zh-TW': '種子', 'zh-CN': '种子' };

let h: BotHarness;

beforeAll(async () => {
  h = await createBotHarness();
});
afterAll(async () => {
  await h?.close();
});

async function finishedSet(username: string, prompt: string, options: Record<string, string | number> = {}) {
  const user = h.discord.createUser({ username });
  const channel = h.discord.channelByName('general');
  const handle = h.discord.runSlashCommand({ user, channel }, 'imagine', { prompt, count: 2, ...options });
  const card = await handle.waitForOriginal();
  await waitForCardTitle(h.discord, card.data.id, 'Done', 30_000);
  const results = resultMessages(h.discord, channel.data.id, handle.id);
  return { user, channel, handle, card, results, last: results.at(-1)! };
}

/** The input RunComfy recorded for a job of the bot. */
async function sentInput(jobId: string) {
  const record = await h.bot.engine.get(jobId);
  expect(record?.requestId).toBeDefined();
  return h.runcomfy.job(record!.requestId!)!.input;
}

async function privateAnswer(handle: InteractionHandle) {
  const response = await handle.waitForResponse();
  expect(response.type).toBe(4);
  expect((response.data?.['flags'] as number) & 64).toBe(64);
  return response.data!;
}

async function waitUntilAsync<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const fieldOf = (embed: APIEmbed, name: string) => embed.fields?.find((field) => field.name === name)?.value;

describe('Info', () => {
  it('sits on the result, next to Reroll, Remix and Delete', { timeout: 60_000 }, async () => {
    const { handle, last } = await finishedSet('row-reader', 'a row of buttons');
    expect(buttonIds(last)).toEqual([
      `sd1:reroll:${handle.id}`,
      `sd1:remix:${handle.id}`,
      `sd1:info:${handle.id}`,
      `sd1:delete:${handle.id}`,
      `sd1:vary:${handle.id}`,
    ]);
  });

  it.each(['en-US', 'zh-TW', 'zh-CN'])(
    'shows privately the seed RunComfy received, and the rest (%s)',
    {
      timeout: 60_000,
    },
    async (locale) => {
      // No seed given: the bot chose the one RunComfy received.
      const { handle, last } = await finishedSet(`info-${locale}`, 'a lighthouse in fog', { aspect: '16:9' });
      const input = await sentInput(handle.id);
      // The record says delivered just after the card says Done.
      const job = await waitUntilAsync(async () => {
        const record = await h.bot.engine.get(handle.id);
        return record?.state === 'delivered' ? record : undefined;
      }, 'the record to say delivered');
      const clicker = h.discord.createUser({ username: `info-reader-${locale}`, locale });
      const data = await privateAnswer(h.discord.clickButton(clicker, last, `sd1:info:${handle.id}`));
      const embed = (data['embeds'] as APIEmbed[])[0]!;
      expect(typeof input.seed).toBe('number');
      expect(fieldOf(embed, SEED_FIELD[locale]!)).toBe(String(input.seed));
      // The prompt as sent, with its count phrase, is what RunComfy received.
      expect(embed.description).toContain(input.text);
      expect(input.text).not.toBe('a lighthouse in fog');
      const text = JSON.stringify(embed);
      for (const part of [job.requestId!, job.id, job.model, '2560×1440', 'a lighthouse in fog']) {
        expect(text).toContain(part);
      }
      if (locale === 'en-US') {
        expect(fieldOf(embed, 'Images')).toBe('2 received of 2 asked for');
        expect(fieldOf(embed, 'Size')).toBe('2560×1440 · 16:9 landscape (widescreen)');
        // Each step from the record's state times; RunComfy may skip "running" between two polls.
        const times = job.stateTimes;
        const span = (from?: number, to?: number) =>
          from !== undefined && to !== undefined ? formatDuration(to - from) : '—';
        expect(fieldOf(embed, 'Timings')).toBe(
          `Waiting ${span(job.createdAt, times.running)} · generating ${span(times.running, times.fetching)} · delivering ${span(times.fetching, times.delivered)} · total ${span(job.createdAt, times.delivered)}`,
        );
        expect(fieldOf(embed, 'Timings')).toMatch(/ · delivering \d+s · total \d+s$/);
        expect(fieldOf(embed, 'Cost')).toMatch(/^US\$ [\d.]+ (charged|\(estimate\))/);
      } else {
        expect(text).toContain(locale === 'zh-TW' ? '實際送出的提示詞' : '实际发送的提示词');
      }
    },
  );

  it('is refused where the set was not shown, and for a deleted set', { timeout: 60_000 }, async () => {
    const { user, handle, last, channel } = await finishedSet('info-owner', 'a private sketch');
    const other = h.discord.createChannel(h.discord.defaultGuild, { name: 'info-elsewhere' });
    const bait = h.discord.sendUserMessage(user, other, 'hi');
    const elsewhere = await privateAnswer(
      h.discord.clickButton(user, bait, `sd1:info:${handle.id}`, { validate: false }),
    );
    expect(String(elsewhere['content'])).toContain('does not belong to a set shown here');
    expect(JSON.stringify(elsewhere)).not.toContain('private sketch');

    await h.discord.clickButton(user, last, `sd1:delete:${handle.id}`).waitForOriginal((m) => !m.loading);
    const baitHere = h.discord.sendUserMessage(user, channel, 'hi');
    const deleted = await privateAnswer(
      h.discord.clickButton(user, baitHere, `sd1:info:${handle.id}`, { validate: false }),
    );
    expect(String(deleted['content'])).toBe('This set was deleted, so its parameters are no longer shown.');
  });
});

describe('Remix', () => {
  it('opens a form with the prompt and count, and makes a new set with the new prompt and the same settings', {
    timeout: 60_000,
  }, async () => {
    const { handle, last } = await finishedSet('remix-owner', 'a windmill in spring', {
      aspect: '9:16',
      quality: 'fast',
      seed: 7,
    });
    const original = await sentInput(handle.id);
    const clicker = h.discord.createUser({ username: 'remixer' });
    const click = h.discord.clickButton(clicker, last, `sd1:remix:${handle.id}`);
    const shown = await click.waitForResponse();
    expect(shown.type).toBe(9);
    const form = JSON.stringify(shown.data);
    expect(form).toContain('"value":"a windmill in spring"');
    expect(form).toContain('"value":"2"');

    const submit = h.discord.submitModal(clicker, click, { prompt: 'a windmill in autumn', count: '3' });
    const response = await submit.waitForResponse();
    expect(response.type).toBe(4); // the new set's public card, at once
    expect((Number(response.data?.['flags'] ?? 0) & 64) === 64).toBe(false);
    const card = await submit.waitForOriginal();
    await waitForCardTitle(h.discord, card.data.id, 'Done', 30_000);

    const remixed = (await h.bot.engine.get(submit.id))!;
    expect(remixed.owner.userId).toBe(clicker.id);
    expect(remixed.prompt).toBe('a windmill in autumn');
    expect(remixed.model).toBe((await h.bot.engine.get(handle.id))!.model);
    const sent = await sentInput(submit.id);
    expect(sent.text).toContain('a windmill in autumn');
    expect(sent.sequential_image_generation_options).toBe(3);
    expect(sent.image_size).toBe(original.image_size);
    expect(sent.image_size).toBe('1440:2560 (9:16)');
    expect(sent.optimize_prompt_options).toBe(original.optimize_prompt_options);
    expect(sent.optimize_prompt_options).toBe('fast');
    expect(typeof sent.seed).toBe('number');
    expect(sent.seed).not.toBe(7);
    expect(resultMessages(h.discord, card.channelId, submit.id).flatMap((m) => m.data.attachments ?? [])).toHaveLength(
      3,
    );
  });

  it.each([
    ['en-US', { count: 'ab' }, '“ab” is not a number of images. Please write a whole number from 1 to 15.'],
    ['en-US', { count: '16' }, 'You asked for 16 images; please choose a number from 1 to 15.'],
    ['en-US', { count: '0' }, 'You asked for 0 images; please choose a number from 1 to 15.'],
    ['en-US', { prompt: '   ' }, 'Your prompt is empty.'],
    ['zh-TW', { count: '三' }, '「三」不是張數。請填寫 1 到 15 之間的整數。'],
    ['zh-CN', { prompt: ' ' }, '提示词为空。'],
  ] as const)(
    'refuses privately, before anything is sent (%s, %j)',
    { timeout: 60_000 },
    async (locale, values, text) => {
      const { handle, last } = await finishedSet(`remix-mistake-${Object.keys(values)[0]}-${locale}`, 'a tin robot');
      const clicker = h.discord.createUser({ username: `remix-mistaken-${locale}`, locale });
      const click = h.discord.clickButton(clicker, last, `sd1:remix:${handle.id}`);
      await click.waitForResponse();
      const submitted = h.runcomfy.jobs().length;
      const data = await privateAnswer(h.discord.submitModal(clicker, click, values));
      expect((data['embeds'] as APIEmbed[])[0]?.description).toContain(text);
      expect(h.runcomfy.jobs().length).toBe(submitted);
    },
  );

  it('takes full-width digits as a Chinese IME types them', { timeout: 60_000 }, async () => {
    const { handle, last } = await finishedSet('remix-fullwidth', 'a paper lantern');
    const clicker = h.discord.createUser({ username: 'remix-ime', locale: 'zh-TW' });
    const click = h.discord.clickButton(clicker, last, `sd1:remix:${handle.id}`);
    await click.waitForResponse();
    const submit = h.discord.submitModal(clicker, click, { prompt: '一盞紙燈籠', count: '１' });
    const card = await submit.waitForOriginal();
    await waitForCardTitle(h.discord, card.data.id, '完成', 30_000);
    expect((await sentInput(submit.id)).sequential_image_generation_options).toBe(1);
  });

  it('is refused where the set was not shown, and for a set deleted while the form was open', {
    timeout: 60_000,
  }, async () => {
    const { user, handle, last } = await finishedSet('remix-guarded', 'a guarded gate');
    const other = h.discord.createChannel(h.discord.defaultGuild, { name: 'remix-elsewhere' });
    const bait = h.discord.sendUserMessage(user, other, 'hi');
    const forged = await privateAnswer(
      h.discord.clickButton(user, bait, `sd1:remix:${handle.id}`, { validate: false }),
    );
    expect(String(forged['content'])).toContain('does not belong to a set shown here');

    const click = h.discord.clickButton(user, last, `sd1:remix:${handle.id}`);
    expect((await click.waitForResponse()).type).toBe(9);
    await h.discord.clickButton(user, last, `sd1:delete:${handle.id}`).waitForOriginal((m) => !m.loading);
    const submitted = h.runcomfy.jobs().length;
    const refused = await privateAnswer(h.discord.submitModal(user, click, { prompt: 'a gate, again' }));
    expect(String(refused['content'])).toBe('This set was deleted, so it cannot be remixed.');
    expect(h.runcomfy.jobs().length).toBe(submitted);
  });
});

// Last: it restarts the bot the tests above share.
describe('after a restart', () => {
  it('Info and Remix on a set delivered before it still work (they read the store)', {
    timeout: 90_000,
  }, async () => {
    const { user, handle, last } = await finishedSet('before-restart', 'a clock tower', { aspect: '4:3' });
    const seed = (await sentInput(handle.id)).seed;
    // The form is opened before the restart and submitted after it.
    const click = h.discord.clickButton(user, last, `sd1:remix:${handle.id}`);
    expect((await click.waitForResponse()).type).toBe(9);
    await h.bot.stop();
    await h.restart();

    const info = await privateAnswer(h.discord.clickButton(user, last, `sd1:info:${handle.id}`));
    expect(fieldOf((info['embeds'] as APIEmbed[])[0]!, 'Seed')).toBe(String(seed));

    const submit = h.discord.submitModal(user, click, { prompt: 'a clock tower at midnight', count: '1' });
    const card = await submit.waitForOriginal();
    await waitForCardTitle(h.discord, card.data.id, 'Done', 30_000);
    const sent = await sentInput(submit.id);
    expect(sent.text).toContain('a clock tower at midnight');
    expect(sent.image_size).toBe('2304:1728 (4:3)');

    // And a Remix opened after the restart.
    const again = h.discord.clickButton(user, last, `sd1:remix:${handle.id}`);
    expect((await again.waitForResponse()).type).toBe(9);
    const second = h.discord.submitModal(user, again, { prompt: 'a clock tower at dawn', count: '1' });
    await waitForCardTitle(h.discord, (await second.waitForOriginal()).data.id, 'Done', 30_000);
    expect((await sentInput(second.id)).text).toContain('a clock tower at dawn');
  });
});
