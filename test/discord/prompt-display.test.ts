/**
 * A prompt is the member's text in the bot's own message: it must not become a masked link
 * (phishing under the bot's name) or be reordered by bidi controls, wherever it is shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeUserText, plainUserText } from '../../src/discord/text.js';
import { type BotHarness, createBotHarness } from '../helpers/bot-harness.js';
import { displayedText, mediaGalleries, resultMessages, waitForCardTitle } from '../helpers/discord-waits.js';

/** What Discord would render as a masked link: an unescaped `[label](` followed by a URL. */
const MASKED_LINK = /(?<!\\)\[(?:\\.|[^\]\\])*(?<!\\)\]\(\s*<?\s*https?:/i;
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

const HOSTILE = [
  '[free nitro](https://evil.example/login)',
  'see [a](https://one.example) and [b](https://two.example)',
  'label [over\ntwo lines](https://evil.example)',
  '[x](<https://evil.example>)',
  '[[nested]](https://evil.example)',
  'a \\[x](https://evil.example)',
  'file \u202Egnp.exe',
  '\u2067isolated\u2069 \u200Fmarks\u200E',
];

describe('prompt text', () => {
  it.each(HOSTILE)('escapeUserText leaves no masked link and no bidi control: %j', (prompt) => {
    const shown = escapeUserText(prompt);
    expect(shown).not.toMatch(MASKED_LINK);
    expect(shown).not.toMatch(BIDI);
    expect(plainUserText(prompt)).not.toMatch(BIDI);
  });
});

describe('prompt shown in the public card and result', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await createBotHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('the card and the result show the text, not a link, and no bidi override', { timeout: 60_000 }, async () => {
    const user = h.discord.createUser({ username: 'phisher' });
    const channel = h.discord.channelByName('general');
    const prompt =
      'a cat [claim your prize](https://evil.example/login) and [more](https://evil.example/2) \u202Egnp.exe';
    const handle = h.discord.runSlashCommand({ user, channel }, 'imagine', { prompt, count: 1 });
    const card = await handle.waitForOriginal();
    await waitForCardTitle(h.discord, card.data.id, 'Done', 30_000);
    const shown = [h.discord.message(card.data.id)!, ...resultMessages(h.discord, channel.data.id, handle.id)];
    expect(shown.length).toBeGreaterThan(1);
    for (const message of shown) {
      const text = JSON.stringify(message.data);
      expect(text).toContain('claim your prize');
      for (const embed of message.data.embeds ?? []) {
        for (const part of [embed.title, embed.description, ...(embed.fields ?? []).map((f) => f.value)]) {
          if (part === undefined) continue;
          expect(part).not.toMatch(MASKED_LINK);
          expect(part).not.toMatch(BIDI);
        }
      }
      // A Components V2 result: its text displays and gallery items' labels.
      const v2Parts = [
        displayedText(message),
        ...mediaGalleries(message)
          .flat()
          .map((item) => item.description ?? ''),
      ];
      for (const part of v2Parts) {
        expect(part).not.toMatch(MASKED_LINK);
        expect(part).not.toMatch(BIDI);
      }
      expect(message.data.content ?? '').not.toMatch(MASKED_LINK);
      for (const attachment of message.data.attachments ?? []) expect(attachment.description ?? '').not.toMatch(BIDI);
    }
  });
});
