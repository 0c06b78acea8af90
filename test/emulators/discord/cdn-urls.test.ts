/**
 * Files a member attaches to a command, and the CDN's signed URLs: `?ex=&is=&hm=` that expire
 * as Discord's do (404 "This content is no longer available."), renewed whenever the message is
 * read again. The clock is the emulator's, moved by hand.
 */
import { AttachmentBuilder, type Client, type TextChannel } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createManualClock,
  type DiscordEmulator,
  type ManualClock,
  startDiscordEmulator,
} from '../../../src/emulators/discord/index.js';
import { loginClient, pngImage } from './helpers.js';

const LIFETIME_MS = 10 * 60_000;

describe('CDN URLs and attachment options', () => {
  let emulator: DiscordEmulator;
  let client: Client<true>;
  let clock: ManualClock;

  beforeAll(async () => {
    clock = createManualClock();
    emulator = await startDiscordEmulator({ clock, cdnUrlLifetimeMs: LIFETIME_MS });
    client = await loginClient(emulator);
  });

  afterAll(async () => {
    await client?.destroy();
    await emulator?.close();
  });

  const general = () => client.channels.cache.get(emulator.channelByName('general').data.id) as TextChannel;

  it('signs every attachment URL with ex/is/hm; a changed or missing signature is refused like an expired one', async () => {
    const image = await pngImage(32, 24, 1);
    const sent = await general().send({ files: [new AttachmentBuilder(image, { name: 'set.png' })] });
    const url = new URL(sent.attachments.first()!.url);
    const now = clock.now();
    expect(url.searchParams.get('is')).toBe(Math.floor(now / 1000).toString(16));
    expect(url.searchParams.get('ex')).toBe(Math.floor((now + LIFETIME_MS) / 1000).toString(16));
    expect(url.searchParams.get('hm')).toMatch(/^[0-9a-f]{64}$/);
    expect(sent.attachments.first()!.proxyURL).toBe(url.href);

    const served = await fetch(url);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(image)).toBe(true);

    const unsigned = await fetch(`${url.origin}${url.pathname}`);
    expect(unsigned.status).toBe(404);
    expect(await unsigned.text()).toBe('This content is no longer available.');
    // Pushing `ex` later without the key to sign it does not work.
    const forged = new URL(url);
    forged.searchParams.set('ex', (Number.parseInt(url.searchParams.get('ex')!, 16) + 86_400).toString(16));
    expect((await fetch(forged)).status).toBe(404);
  });

  it('expires a URL past its ex; reading the message again gives a fresh one that works', async () => {
    const image = await pngImage(40, 30, 2);
    const sent = await general().send({
      files: [new AttachmentBuilder(image, { name: 'old.png' })],
      embeds: [{ title: 'set', image: { url: 'attachment://old.png' } }],
    });
    const stale = sent.attachments.first()!.url;
    clock.advance(LIFETIME_MS - 1_000);
    expect((await fetch(stale)).status).toBe(200);
    clock.advance(1_000);
    const expired = await fetch(stale);
    expect(expired.status).toBe(404);
    expect(await expired.text()).toBe('This content is no longer available.');

    const reread = await general().messages.fetch({ message: sent.id, force: true });
    const fresh = reread.attachments.first()!.url;
    expect(fresh).not.toBe(stale);
    expect(fresh.split('?')[0]).toBe(stale.split('?')[0]);
    // The embed's image is the same file, signed the same way in the same answer.
    expect(reread.embeds[0]!.image?.url).toBe(fresh);
    const served = await fetch(fresh);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(image)).toBe(true);
    // The channel's history renews them too.
    const history = await general().messages.fetch({ limit: 5 });
    expect((await fetch(history.get(sent.id)!.attachments.first()!.url)).status).toBe(200);
  });

  it("passes a command's attachment options in resolved.attachments, with image sizes, on the signed CDN", async () => {
    await client.application.commands.set([
      {
        name: 'imagine',
        description: 'Generate images',
        options: [
          { type: 3, name: 'prompt', description: 'What to draw', required: true },
          { type: 11, name: 'reference1', description: 'A reference image' },
          { type: 11, name: 'reference2', description: 'A reference image' },
        ],
      },
    ]);
    const image = await pngImage(64, 48, 3);
    const seen = new Promise<Record<string, unknown>>((resolve) => {
      client.once('interactionCreate', (interaction) => {
        if (!interaction.isChatInputCommand()) return;
        const first = interaction.options.getAttachment('reference1')!;
        const second = interaction.options.getAttachment('reference2')!;
        resolve({
          first: {
            name: first.name,
            contentType: first.contentType,
            size: first.size,
            width: first.width,
            height: first.height,
            url: first.url,
            proxyURL: first.proxyURL,
          },
          second: { name: second.name, contentType: second.contentType, width: second.width, url: second.url },
        });
      });
    });
    const handle = emulator.runSlashCommand(
      { user: 'alice', channel: emulator.channelByName('general').data.id },
      'imagine',
      {
        prompt: 'a fox',
        reference1: { filename: 'fox.png', data: image, contentType: 'image/png' },
        reference2: { filename: 'notes.txt', data: 'plain words', contentType: 'text/plain' },
      },
    );
    const got = (await seen) as { first: Record<string, unknown>; second: Record<string, unknown> };
    expect(got.first).toMatchObject({
      name: 'fox.png',
      contentType: 'image/png',
      size: image.length,
      width: 64,
      height: 48,
    });
    expect(got.first['proxyURL']).toBe(got.first['url']);
    expect(new URL(String(got.first['url'])).searchParams.get('hm')).toMatch(/^[0-9a-f]{64}$/);
    expect(got.second).toMatchObject({ name: 'notes.txt', contentType: 'text/plain', width: null });
    const served = await fetch(String(got.first['url']));
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer()).equals(image)).toBe(true);

    const resolved = (handle.payload['data'] as { resolved: { attachments: Record<string, Record<string, unknown>> } })
      .resolved.attachments;
    expect(Object.values(resolved).map((a) => a['filename'])).toEqual(['fox.png', 'notes.txt']);

    // A day later the option's URL is dead, as a member's upload link is on Discord.
    clock.advance(LIFETIME_MS);
    expect((await fetch(String(got.first['url']))).status).toBe(404);
  });
});
