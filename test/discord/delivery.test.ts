/**
 * The deliverer on its own, over real HTTP against the Discord emulator: the layout of a set as
 * Components V2 media galleries (one message when it fits, with the buttons; a set over several
 * messages ends with the overview message: contact sheet and buttons), and a delivery resumed
 * from the layout of an earlier version (sheet first; overview after one message) keeps it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REST } from 'discord.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordDeliverer } from '../../src/discord/delivery.js';
import { DiscordApi } from '../../src/discord/discord-api.js';
import { contactSheetImage } from '../../src/discord/gallery/contact-sheet.js';
import { createManualClock, type DiscordEmulator, startDiscordEmulator } from '../../src/emulators/discord/index.js';
import type { JobRecord } from '../../src/engine/job.js';
import type { DeliverySteps } from '../../src/engine/surface.js';
import { createLogger } from '../../src/log.js';
import type { SpooledImage } from '../../src/store/image-spool.js';
import { actionRows, displayedText, isComponentsV2, mediaGalleries } from '../helpers/discord-waits.js';
import { jobFixture } from '../helpers/job-fixture.js';

let discord: DiscordEmulator;
let deliverer: DiscordDeliverer;
/** A set of 15; most tests take its first 6. */
let fifteen: SpooledImage[];
let images: SpooledImage[];
/** Contact sheets made so far (the deliverer's renderer, counted). */
let sheetsMade = 0;

beforeAll(async () => {
  discord = await startDiscordEmulator();
  const rest = new REST({ api: discord.apiUrl, retries: 0 }).setToken(discord.botToken);
  deliverer = new DiscordDeliverer(
    new DiscordApi(rest, discord.applicationId),
    createLogger({ level: 'silent' }),
    Date.now,
    undefined,
    (...args) => {
      sheetsMade++;
      return contactSheetImage(...args);
    },
  );
  const dir = mkdtempSync(join(tmpdir(), 'delivery-'));
  fifteen = await Promise.all(
    Array.from({ length: 15 }, async (_, index) => {
      const data = await sharp({
        create: { width: 320, height: 180, channels: 3, background: { r: 17 * index, g: 90, b: 160 } },
      })
        .jpeg()
        .toBuffer();
      const path = join(dir, `${index}.jpeg`);
      writeFileSync(path, data);
      return { index, path, format: 'jpeg' as const, bytes: data.length };
    }),
  );
  images = fifteen.slice(0, 6);
});

afterAll(async () => {
  await discord?.close();
});

function jobIn(channelId: string, id: string, count = 6): JobRecord {
  return jobFixture({
    id,
    state: 'delivering',
    owner: { userId: '42', guildId: discord.defaultGuild.id, channelId, locale: 'en-US' },
    prompt: 'six boats',
    input: { ...jobFixture().input, text: 'six boats', sequential_image_generation_options: count },
    imageUrls: Array.from({ length: count }, (_, i) => `https://cdn.example/${i}.jpeg`),
  });
}

/** Steps kept in memory, optionally with some already done (a resumed delivery). */
function memorySteps(done: Record<string, string> = {}): DeliverySteps & { ran: string[] } {
  const results = { ...done };
  const ran: string[] = [];
  return {
    ran,
    async once(key, post) {
      if (results[key] !== undefined) return results[key]!;
      ran.push(key);
      results[key] = await post(`nonce-${key}`, 1);
      return results[key]!;
    },
    done: () => ({ ...results }),
  };
}

const filenames = (messages: ReturnType<DiscordEmulator['channelMessages']>) =>
  messages.map((m) => (m.data.attachments ?? []).map((a) => a.filename.replace(/^seedream-\d+-/, '')));
/** Each message's action rows: the set's last one has two (the buttons, then the Vary select). */
const buttonsOf = (messages: ReturnType<DiscordEmulator['channelMessages']>) =>
  messages.map((m) => actionRows(m).length);
/** Each message's galleries, as the items' labels. */
const galleriesOf = (messages: ReturnType<DiscordEmulator['channelMessages']>) =>
  messages.map((m) => mediaGalleries(m).map((gallery) => gallery.map((item) => item.description)));

describe('DiscordDeliverer', () => {
  it('posts a set that fits one message as one media gallery, the prompt above and the buttons below; no overview', async () => {
    const channel = discord.createChannel(discord.defaultGuild, { name: 'results-new' });
    const steps = memorySteps();
    sheetsMade = 0;
    await deliverer.deliver(jobIn(channel.data.id, '1000'), images, steps, new AbortController().signal);
    const messages = discord.channelMessages(channel);
    expect(messages.every(isComponentsV2)).toBe(true);
    expect(filenames(messages)).toEqual([['1.jpg', '2.jpg', '3.jpg', '4.jpg', '5.jpg', '6.jpg']]);
    expect(galleriesOf(messages)).toEqual([[['1/6', '2/6', '3/6', '4/6', '5/6', '6/6']]]);
    const urls = mediaGalleries(messages[0]).flatMap((gallery) => gallery.map((item) => item.url));
    // Discord resolves `attachment://<filename>` to the uploaded file, in order.
    expect(urls).toEqual(messages[0]!.data.attachments!.map((a) => a.url));
    expect(displayedText(messages[0])).toContain('six boats');
    expect(buttonsOf(messages)).toEqual([2]);
    // The grid shows every image at a glance: no overview message, and no sheet made for it.
    expect(steps.ran).toEqual(['layout', 'part:0', 'card']);
    expect(sheetsMade).toBe(0);
  });

  it('a 15-image set: two galleries (10 + 5) in two messages, each image once in order, then the overview', async () => {
    const channel = discord.createChannel(discord.defaultGuild, { name: 'results-fifteen' });
    const steps = memorySteps();
    await deliverer.deliver(jobIn(channel.data.id, '1004', 15), fifteen, steps, new AbortController().signal);
    const messages = discord.channelMessages(channel);
    // Each message passed the emulator's Components V2 rules (a refused one throws above).
    expect(messages.every(isComponentsV2)).toBe(true);
    const numbers = Array.from({ length: 15 }, (_, i) => `${i + 1}/15`);
    expect(galleriesOf(messages)).toEqual([[numbers.slice(0, 10)], [numbers.slice(10)], [['Overview of 15']]]);
    expect(filenames(messages)).toEqual([
      Array.from({ length: 10 }, (_, i) => `${i + 1}.jpg`),
      Array.from({ length: 5 }, (_, i) => `${i + 11}.jpg`),
      ['sheet.jpg'],
    ]);
    // The prompt and parameters once, on the first message; the buttons on the last only.
    expect(messages.map((m) => displayedText(m).includes('six boats'))).toEqual([true, false, false]);
    expect(buttonsOf(messages)).toEqual([0, 0, 2]);
    expect(steps.ran).toEqual(['part:0', 'part:1', 'overview', 'card']);
  });

  it('makes the contact sheet once for a set over two messages, and not at all when a resumed one has its overview up', async () => {
    const channel = discord.createChannel(discord.defaultGuild, { name: 'results-sheets' });
    sheetsMade = 0;
    const twelve = fifteen.slice(0, 12);
    await deliverer.deliver(jobIn(channel.data.id, '1002', 12), twelve, memorySteps(), new AbortController().signal);
    expect(sheetsMade).toBe(1);
    // Resumed after the overview was posted, before the card's final edit.
    const steps = memorySteps({ 'part:0': '1', 'part:1': '2', overview: '3' });
    await deliverer.deliver(jobIn(channel.data.id, '1003', 12), twelve, steps, new AbortController().signal);
    expect(steps.ran).toEqual(['card']);
    expect(sheetsMade).toBe(1);
  });

  it('resumes a one-message set begun before the grid (its part posted without buttons) with its overview', async () => {
    const channel = discord.createChannel(discord.defaultGuild, { name: 'results-pre-grid' });
    // An earlier version posted part 0 (no buttons: its overview was to follow) and crashed.
    const steps = memorySteps({ 'part:0': '1' });
    await deliverer.deliver(jobIn(channel.data.id, '1005'), images, steps, new AbortController().signal);
    const messages = discord.channelMessages(channel);
    expect(filenames(messages)).toEqual([['sheet.jpg']]);
    expect(buttonsOf(messages)).toEqual([2]);
    expect(steps.ran).toEqual(['overview', 'card']);
  });

  it('an image that cannot be made to fit is linked under the gallery, numbered; the others stay in it, in order', async () => {
    const channel = discord.createChannel(discord.defaultGuild, { name: 'results-linked' });
    const dir = mkdtempSync(join(tmpdir(), 'delivery-linked-'));
    const tiny = await Promise.all(
      [0, 2].map(async (index) => {
        const data = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#3366cc' } })
          .jpeg()
          .toBuffer();
        const path = join(dir, `${index}.jpeg`);
        writeFileSync(path, data);
        return { index, path, format: 'jpeg' as const, bytes: data.length };
      }),
    );
    // Over the per-file limit and not an image: neither uploaded nor re-encoded.
    const garbagePath = join(dir, '1.png');
    writeFileSync(garbagePath, Buffer.alloc(4_000, 7));
    const set = [tiny[0]!, { index: 1, path: garbagePath, format: 'png' as const, bytes: 4_000 }, tiny[1]!];
    const job = { ...jobIn(channel.data.id, '1006', 3), surface: { attachmentLimit: 2_000 } };
    await deliverer.deliver(job, set, memorySteps(), new AbortController().signal);
    const messages = discord.channelMessages(channel);
    expect(messages.every(isComponentsV2)).toBe(true);
    expect(filenames(messages)).toEqual([['1.jpg', '3.jpg']]);
    expect(galleriesOf(messages)).toEqual([[['1/3', '3/3']]]);
    expect(displayedText(messages[0])).toContain('2/3: This image was too large to attach: https://cdn.example/1.jpeg');
    expect(buttonsOf(messages)).toEqual([2]);
  });

  it('resumes a delivery begun with the sheet first in that layout: nothing posted twice, nothing lost', async () => {
    const channel = discord.createChannel(discord.defaultGuild, { name: 'results-resumed' });
    // An earlier version recorded "sheet included" and crashed before posting part 0.
    const steps = memorySteps({ sheet: 'included' });
    await deliverer.deliver(jobIn(channel.data.id, '1001'), images, steps, new AbortController().signal);
    const messages = discord.channelMessages(channel);
    expect(filenames(messages)).toEqual([['sheet.jpg', '1.jpg', '2.jpg', '3.jpg', '4.jpg', '5.jpg', '6.jpg']]);
    expect(buttonsOf(messages)).toEqual([2]);
    expect(steps.ran).toEqual(['part:0', 'card']);
  });
});

describe('DiscordDeliverer after Discord’s nonce window', () => {
  it('finds the message an earlier attempt posted instead of posting the step again', async () => {
    const clock = createManualClock(Date.now());
    const emulator = await startDiscordEmulator({ clock });
    try {
      const rest = new REST({ api: emulator.apiUrl, retries: 0 }).setToken(emulator.botToken);
      const late = new DiscordDeliverer(
        new DiscordApi(rest, emulator.applicationId),
        createLogger({ level: 'silent' }),
      );
      const channel = emulator.createChannel(emulator.defaultGuild, { name: 'results-late' });
      // Busy channel: more than a page of other messages after the lost post.
      const job = { ...jobIn(channel.data.id, '1010'), imageUrls: images.slice(0, 2).map((_, i) => `https://x/${i}`) };
      job.input = { ...job.input, sequential_image_generation_options: 2 };
      const startedAt = clock.now();
      await late.deliver(job, images.slice(0, 2), memorySteps(), new AbortController().signal);
      const posted = emulator.channelMessages(channel).map((m) => m.data.id);
      expect(posted).toHaveLength(1);
      for (let i = 0; i < 120; i++) emulator.sendUserMessage('chatty', channel, `message ${i}`);

      // The bot died after the post, before its "done" record; it comes back 10 minutes later,
      // when Discord no longer dedupes the nonce.
      clock.advance(10 * 60_000);
      const resumed = {
        ...job,
        delivery: { 'part:0': { nonce: 'n-part0', state: 'started' as const, startedAt, attempts: 1 } },
      };
      const results: Record<string, string> = {};
      const steps: DeliverySteps = {
        async once(key, post) {
          results[key] ??= await post(key === 'part:0' ? 'n-part0' : `n-${key}`, key === 'part:0' ? 2 : 1);
          return results[key]!;
        },
        done: () => ({ ...results }),
      };
      await late.deliver(resumed, images.slice(0, 2), steps, new AbortController().signal);
      const botMessages = emulator.channelMessages(channel).filter((m) => m.data.author.id === emulator.botUser.id);
      expect(botMessages.map((m) => m.data.id)).toEqual(posted);
      expect(results['part:0']).toBe(posted[0]);
    } finally {
      await emulator.close();
    }
  });
});
