import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../src/emulators/discord/index.js';
import { type BotHarness, createBotHarness } from '../helpers/bot-harness.js';
import { actionRows, buttonIds, displayedText, isComponentsV2, mediaGalleries } from '../helpers/discord-waits.js';

let h: BotHarness;

beforeAll(async () => {
  h = await createBotHarness();
});
afterAll(async () => {
  await h?.close();
});

const resultsOf = (jobId: string) => (m: StoredMessage) =>
  (m.data.attachments ?? []).some((a) => a.filename.startsWith(`seedream-${jobId}-`));

async function waitForCard(messageId: string, title: string, timeoutMs = 20_000): Promise<StoredMessage> {
  const started = Date.now();
  for (;;) {
    const card = h.discord.message(messageId);
    if (card?.data.embeds?.[0]?.title === title) return card;
    if (Date.now() - started > timeoutMs) {
      throw new Error(`card ${messageId} still says "${card?.data.embeds?.[0]?.title}" (wanted "${title}")`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('/imagine end to end', () => {
  it.each([
    [1, '1:1', 2048, 2048],
    [4, '16:9', 2560, 1440],
    [10, '9:16', 1440, 2560],
    [15, '21:9', 3024, 1296],
  ])(
    '%i image(s) at %s: every image posted within Discord limits, card final',
    { timeout: 60_000 },
    async (count, aspect, width, height) => {
      const channel = h.discord.channelByName('general');
      const user = h.discord.createUser({ username: `user${count}` });
      const handle = h.discord.runSlashCommand({ user, channel }, 'imagine', {
        prompt: 'a lighthouse at dusk',
        count,
        aspect,
      });
      const first = await handle.waitForResponse();
      expect(handle.responseTimeMs).toBeLessThan(3_000);
      expect(first.type).toBe(4); // the card itself, at once
      const card = await handle.waitForOriginal();
      const final = await waitForCard(card.data.id, 'Done', 50_000);
      expect(final.data.components ?? []).toEqual([]); // no Cancel once done

      const results = h.discord.channelMessages(channel).filter(resultsOf(handle.id));
      const attachments = results.flatMap((m) => m.data.attachments ?? []);
      // A set over more than one message (more than 10 images: Discord's 10 attachments a
      // message) ends with one last message with the contact sheet (issue 6), posted after them
      // so it never delays them, where the channel is read; one message's grid needs none.
      const sheet = count > 10 ? 1 : 0;
      expect(attachments).toHaveLength(count + sheet);
      if (sheet) {
        expect(attachments.at(-1)!.filename).toBe(`seedream-${handle.id}-sheet.jpg`);
        expect(results.at(-1)!.data.attachments).toHaveLength(1);
      }
      for (const message of results) {
        expect(message.data.attachments!.length).toBeLessThanOrEqual(10);
        // Components V2: no content or embeds, galleries of 1–10 items.
        expect(isComponentsV2(message)).toBe(true);
        for (const gallery of mediaGalleries(message)) expect(gallery.length).toBeGreaterThanOrEqual(1);
        for (const gallery of mediaGalleries(message)) expect(gallery.length).toBeLessThanOrEqual(10);
        expect(message.allowedMentions).toEqual({ parse: [] });
      }
      expect(attachments.slice(0, count).every((a) => a.width === width && a.height === height)).toBe(true);
      // Each image once, in order, as a gallery item showing its attachment.
      const items = results.flatMap((m) => mediaGalleries(m).flat());
      expect(items.map((item) => item.description)).toEqual([
        ...Array.from({ length: count }, (_, i) => `${i + 1}/${count}`),
        ...(sheet ? [`Overview of ${count}`] : []),
      ]);
      expect(items.map((item) => item.url)).toEqual(attachments.map((a) => a.url));
      // The prompt and parameters once, on the first message.
      expect(results.map((m) => displayedText(m).includes('a lighthouse at dusk'))).toEqual(
        results.map((_, i) => i === 0),
      );
      // Only the last message carries buttons.
      expect(results.slice(0, -1).every((m) => actionRows(m).length === 0)).toBe(true);
      // Reroll, Remix, Info and Delete on the last message, and the Vary select under them.
      const buttons = buttonIds(results.at(-1));
      expect(buttons).toEqual([
        `sd1:reroll:${handle.id}`,
        `sd1:remix:${handle.id}`,
        `sd1:info:${handle.id}`,
        `sd1:delete:${handle.id}`,
        `sd1:vary:${handle.id}`,
      ]);
    },
  );
});
