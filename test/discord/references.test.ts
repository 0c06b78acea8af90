/**
 * References on /imagine, Vary and Remix with the real discord.js client against both
 * emulators: the edit model receives the attachments' URLs and the count; Vary on an image makes
 * a set from that image's CURRENT URL (the Discord emulator's clock is moved past the CDN's URL
 * lifetime between the delivery and the choice, so a kept URL would be dead); Remix keeps the
 * reference; bad references are refused privately, named, in three languages, before anything
 * reaches RunComfy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InteractionHandle } from '../../src/emulators/discord/index.js';
import { t } from '../../src/i18n/index.js';
import { pngImage } from '../emulators/discord/helpers.js';
import { type BotHarness, createBotHarness } from '../helpers/bot-harness.js';
import { buttonIds, mediaGalleries, resultMessages, waitForCardTitle } from '../helpers/discord-waits.js';
import { createGalleryChannel, forumPosts, setUpGallery, waitForJobEnd } from '../helpers/gallery-waits.js';

const DAY_MS = 24 * 60 * 60 * 1000;
let offset = 0;
let h: BotHarness;

beforeAll(async () => {
  h = await createBotHarness({
    // Only the Discord emulator's time jumps (its CDN signatures); RunComfy's runs in real time.
    discord: { clock: () => Date.now() + offset },
    runcomfy: { allowLoopbackReferences: true },
  });
});
afterAll(async () => {
  await h?.close();
});

const pathOf = (url: string) => url.split('?')[0];
const expiryOf = (url: string) => Number.parseInt(new URL(url).searchParams.get('ex') ?? '0', 16) * 1000;

async function sentInput(jobId: string) {
  const record = await h.bot.engine.get(jobId);
  expect(record?.requestId).toBeDefined();
  return h.runcomfy.job(record!.requestId!)!.input as unknown as Record<string, unknown>;
}

async function privateAnswer(handle: InteractionHandle) {
  const response = await handle.waitForResponse();
  expect(response.type).toBe(4);
  expect((response.data?.['flags'] as number) & 64).toBe(64);
  return response.data!;
}

function resolvedUrls(handle: InteractionHandle): string[] {
  const data = handle.payload['data'] as { resolved?: { attachments?: Record<string, { url: string }> } };
  return Object.values(data.resolved?.attachments ?? {}).map((a) => a.url);
}

/** Words of the private refusal of a reference no longer on the CDN, per locale. */
const GONE: Record<string, string> = { 'en-US': 'no longer there', 'zh-TW': '已經不在了', 'zh-CN': '已经不在了' };

describe('references, Vary and Remix', () => {
  it.each(['en-US', 'zh-TW', 'zh-CN'])(
    'runs the edit model with both references, varies image 3 from its current URL, and Remix keeps it (%s)',
    { timeout: 90_000 },
    async (locale) => {
      const done = t(locale, 'card.title.delivered');
      const user = h.discord.createUser({ username: `ref-maker-${locale}`, locale });
      const channel = h.discord.channelByName('general');
      const handle = h.discord.runSlashCommand({ user, channel }, 'imagine', {
        prompt: 'four posters of this fox',
        count: 4,
        reference1: { filename: 'fox.png', data: await pngImage(40, 30, 1) },
        reference2: { filename: 'fox-side.png', data: await pngImage(30, 40, 5) },
      });
      const given = resolvedUrls(handle);
      expect(given).toHaveLength(2);
      const card = await handle.waitForOriginal();
      await waitForCardTitle(h.discord, card.data.id, done, 30_000);
      const job = (await h.bot.engine.get(handle.id))!;
      expect(job.model).toBe('bytedance/seedream-4-0/edit-sequential');
      const sent = await sentInput(handle.id);
      expect(sent['images']).toEqual(given);
      expect(sent['sequential_image_generation_options']).toBe(4);
      const results = resultMessages(h.discord, channel.data.id, handle.id);
      const files = results.flatMap((m) => m.data.attachments ?? []).filter((a) => /-\d+\.\w+$/.test(a.filename));
      expect(files).toHaveLength(4);
      // Shown as a grid: one media gallery of the 4 images.
      expect(results.flatMap((m) => mediaGalleries(m)).map((gallery) => gallery.length)).toEqual([4]);
      const last = results.at(-1)!;
      expect(buttonIds(last)).toContain(`sd1:vary:${handle.id}`);
      const imageThreeThen = files.find((a) => a.filename.startsWith(`seedream-${handle.id}-3.`))!.url;

      // Remix the same day keeps both references (the member's attachments, still valid).
      const remixer = h.discord.createUser({ username: `ref-remixer-${locale}`, locale });
      const sameDay = h.discord.clickButton(remixer, last, `sd1:remix:${handle.id}`);
      await sameDay.waitForResponse();
      const sameDaySubmit = h.discord.submitModal(remixer, sameDay, { prompt: 'two posters of this fox', count: '2' });
      await waitForCardTitle(h.discord, (await sameDaySubmit.waitForOriginal()).data.id, done, 30_000);
      const sameDayInput = await sentInput(sameDaySubmit.id);
      expect(sameDayInput['images']).toEqual(given);
      expect(sameDayInput['sequential_image_generation_options']).toBe(2);

      // A day and more later: every URL handed out at delivery is dead on the CDN.
      offset += DAY_MS + 60 * 60 * 1000;
      expect(expiryOf(imageThreeThen)).toBeLessThan(Date.now() + offset);
      const varier = h.discord.createUser({ username: `ref-varier-${locale}`, locale });
      const vary = h.discord.selectMenu(varier, last, `sd1:vary:${handle.id}`, ['3']);
      const varyCard = await vary.waitForOriginal();
      await waitForCardTitle(h.discord, varyCard.data.id, done, 30_000);
      const varied = (await h.bot.engine.get(vary.id))!;
      expect(varied.owner.userId).toBe(varier.id);
      expect(varied.parent).toEqual({ jobId: handle.id, image: 2 });
      expect(varied.prompt).toBe(job.prompt);
      const variedInput = await sentInput(vary.id);
      const [reference] = variedInput['images'] as string[];
      expect(pathOf(reference!)).toBe(pathOf(imageThreeThen));
      expect(expiryOf(reference!)).toBeGreaterThan(Date.now() + offset);
      expect(variedInput['sequential_image_generation_options']).toBe(4);
      expect(variedInput['seed']).not.toBe(sent['seed']);
      expect(variedInput['image_size']).toBe(sent['image_size']);
      // RunComfy fetched the reference (a stale URL would have failed the job).
      const fetched = await h.runcomfy.referencesFetched(varied.requestId!);
      expect(fetched!.references!.map((r) => r.ok)).toEqual([true]);

      // The member's own attachments cannot be read again: Remix of that set is refused privately.
      const late = h.discord.clickButton(remixer, last, `sd1:remix:${handle.id}`);
      await late.waitForResponse();
      const before = h.runcomfy.jobs().length;
      const refused = JSON.stringify(
        await privateAnswer(h.discord.submitModal(remixer, late, { prompt: 'two posters of this fox', count: '2' })),
      );
      expect(refused).toContain(GONE[locale]!);
      expect(h.runcomfy.jobs().length).toBe(before);

      // Remix of the variation, another day later: the reference again at its current URL.
      offset += DAY_MS + 60 * 60 * 1000;
      const variedLast = resultMessages(h.discord, channel.data.id, vary.id).at(-1)!;
      const click = h.discord.clickButton(varier, variedLast, `sd1:remix:${vary.id}`);
      expect((await click.waitForResponse()).type).toBe(9);
      const submit = h.discord.submitModal(varier, click, { prompt: 'two posters of this fox', count: '2' });
      const remixCard = await submit.waitForOriginal();
      await waitForCardTitle(h.discord, remixCard.data.id, done, 30_000);
      const remixInput = await sentInput(submit.id);
      const [kept] = remixInput['images'] as string[];
      expect(pathOf(kept!)).toBe(pathOf(imageThreeThen));
      expect(expiryOf(kept!)).toBeGreaterThan(Date.now() + offset);
      expect(remixInput['sequential_image_generation_options']).toBe(2);
      expect((await h.bot.engine.get(submit.id))!.parent).toEqual({ jobId: handle.id, image: 2 });
    },
  );

  const NAMES: Record<string, { notImage: string; tooLarge: string; over: string; gone: string }> = {
    'en-US': {
      notImage: 'not a PNG, JPEG or WebP',
      tooLarge: 'the limit is 50 MB',
      over: 'at most 11 images',
      gone: 'no longer there',
    },
    'zh-TW': {
      notImage: '不是 PNG、JPEG 或 WebP',
      tooLarge: '上限是 50 MB',
      over: '最多只能要求 11 張',
      gone: '已經不在了',
    },
    'zh-CN': {
      notImage: '不是 PNG、JPEG 或 WebP',
      tooLarge: '上限是 50 MB',
      over: '最多只能要求 11 张',
      gone: '已经不在了',
    },
  };

  it.each(['en-US', 'zh-TW', 'zh-CN'])(
    'refuses bad references privately, before RunComfy hears of them (%s)',
    {
      timeout: 60_000,
    },
    async (locale) => {
      const user = h.discord.createUser({ username: `ref-refused-${locale}`, locale });
      const channel = h.discord.channelByName('general');
      const before = h.runcomfy.jobs().length;
      const png = await pngImage(20, 20, 2);
      const run = (options: Record<string, unknown>) =>
        h.discord.runSlashCommand({ user, channel }, 'imagine', { prompt: 'a fox', ...options } as never);
      const text = async (handle: InteractionHandle) => JSON.stringify(await privateAnswer(handle));

      const renamed = await text(run({ reference1: { filename: 'notes.png', data: 'just some text, not a picture' } }));
      expect(renamed).toContain('notes.png');
      expect(renamed).toContain(NAMES[locale]!.notImage);

      // 60 MB declared: refused by its size, its bytes are never read.
      const huge = Buffer.concat([png, Buffer.alloc(60 * 1024 * 1024 - png.length)]);
      const large = await text(run({ reference1: { filename: 'huge.png', data: huge } }));
      expect(large).toContain('huge.png');
      expect(large).toContain(NAMES[locale]!.tooLarge);

      const four = Object.fromEntries([1, 2, 3, 4].map((n) => [`reference${n}`, { filename: `r${n}.png`, data: png }]));
      const over = await text(run({ prompt: '12 images of a fox', count: 12, ...four }));
      expect(over).toContain(NAMES[locale]!.over);

      // A reference whose URL answers 404: the upload is gone from the CDN before the bot reads it.
      const goneHandle = run({ reference1: { filename: 'gone.png', data: png } });
      const goneId = (goneHandle.payload['data'] as { resolved: { attachments: Record<string, { id: string }> } })
        .resolved.attachments;
      for (const attachment of Object.values(goneId)) h.discord.state.uploads.delete(attachment.id);
      const gone = await text(goneHandle);
      expect(gone).toContain('gone.png');
      expect(gone).toContain(NAMES[locale]!.gone);

      expect(h.runcomfy.jobs().length).toBe(before);
    },
  );
});

describe('galleries and /history', () => {
  it('show a set’s references and link a variation to its parent', { timeout: 90_000 }, async () => {
    const forum = createGalleryChannel(h.discord, 'refs-gallery', 'forum');
    expect(await setUpGallery(h.discord, forum)).toContain('Done');
    const user = h.discord.createUser({ username: 'ref-gallery' });
    const channel = h.discord.channelByName('general');
    const handle = h.discord.runSlashCommand({ user, channel }, 'imagine', {
      prompt: 'a teapot',
      count: 1,
      reference1: { filename: 'teapot.png', data: await pngImage(24, 24, 3) },
    });
    await waitForCardTitle(h.discord, (await handle.waitForOriginal()).data.id, 'Done', 30_000);
    // The gallery post and its index entry are steps of the delivery, before the record ends.
    const indexed = async (id: string) =>
      expect((await waitForJobEnd((jobId) => h.bot.engine.get(jobId), id)).delivery['gallery:index']?.state).toBe(
        'done',
      );
    await indexed(handle.id);
    const last = resultMessages(h.discord, channel.data.id, handle.id).at(-1)!;
    const vary = h.discord.selectMenu(user, last, `sd1:vary:${handle.id}`, ['1']);
    await waitForCardTitle(h.discord, (await vary.waitForOriginal()).data.id, 'Done', 30_000);
    await indexed(vary.id);

    const parentLink = `https://discord.com/channels/${h.discord.defaultGuild.id}/${channel.data.id}/${last.id}`;
    const fieldsOf = (embed: { fields?: Array<{ name: string; value: string }> } | undefined) =>
      Object.fromEntries((embed?.fields ?? []).map((f) => [f.name, f.value]));
    const postOf = (id: string) =>
      forumPosts(h.discord, forum)
        .map((post) => post.starter?.data.embeds?.[0])
        .find((embed) => JSON.stringify(embed?.footer ?? '').includes(id));
    expect(fieldsOf(postOf(handle.id))['References']).toBe('1 reference image(s)');
    const variation = fieldsOf(postOf(vary.id));
    expect(variation['References']).toBe('1 reference image(s)');
    expect(variation['Variation of']).toBe(`[image 1 of set ${handle.id}](${parentLink})`);

    // /history: newest first, the variation, then its parent.
    const history = h.discord.runSlashCommand({ user, channel }, 'history', {});
    const page = await history.waitForOriginal((m) => !m.loading, { timeoutMs: 15_000 });
    const shown = fieldsOf(page.data.embeds?.[0]);
    expect(shown['Variation of']).toBe(`[image 1 of set ${handle.id}](${parentLink})`);
    expect(shown['References']).toBe('1 reference image(s)');
  });
});
