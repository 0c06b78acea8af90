/**
 * Components V2 (flag IS_COMPONENTS_V2, 1 << 15) held to the contract at its strictest reading
 * (discord-api-spec and Discord's documentation): no content, embeds, poll or stickers with
 * it; which component may sit where; gallery, count and text limits; a message made V2 by an
 * edit carries none of the legacy fields either. Each refusal is 400 / 50035 with the field.
 */
import { type Client, MessageFlags, type TextChannel } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordEmulator, startDiscordEmulator } from '../../../src/emulators/discord/index.js';
import { contractRefusalOf, loginClient, pngImage } from './helpers.js';

type Json = Record<string, unknown>;
const V2 = MessageFlags.IsComponentsV2;

const text = (content = 'hello'): Json => ({ type: 10, content });
const button = (customId: string): Json => ({ type: 2, style: 1, label: 'Go', custom_id: customId });
const thumbnail: Json = { type: 11, media: { url: 'https://example.com/t.png' } };
const gallery = (n: number): Json => ({
  type: 12,
  items: Array.from({ length: n }, (_, i) => ({ media: { url: `https://example.com/${i}.png` } })),
});

describe('Components V2 rules', () => {
  let emulator: DiscordEmulator;
  let client: Client<true>;

  beforeAll(async () => {
    emulator = await startDiscordEmulator();
    client = await loginClient(emulator);
  });

  afterAll(async () => {
    await client?.destroy();
    await emulator?.close();
  });

  const channel = () => client.channels.cache.get(emulator.channelByName('general').data.id) as TextChannel;
  const post = (body: Json) => client.rest.post(`/channels/${channel().id}/messages`, { body });

  /** The `_errors` Discord's 50035 lists at `path` of its `errors` tree. */
  function errorsAt(error: { rawError?: unknown }, path: Array<string | number>): unknown {
    let node = (error.rawError as { errors?: Json }).errors as Json | undefined;
    for (const key of path) node = node?.[String(key)] as Json | undefined;
    return node?.['_errors'];
  }

  async function refusedAt(body: Json, path: Array<string | number>): Promise<void> {
    const error = await contractRefusalOf(() => post(body));
    expect(error.status, JSON.stringify(body)).toBe(400);
    expect(error.code).toBe(50035);
    expect(errorsAt(error, path), `${JSON.stringify(body)} → ${JSON.stringify(error.rawError)}`).toBeDefined();
  }

  it('takes a gallery of 1–10 items, text, separators, sections and containers with the flag', async () => {
    const sent = await post({
      flags: V2,
      components: [
        text('**a fox** · 4 images'),
        gallery(10),
        { type: 14, divider: true, spacing: 1 },
        { type: 9, components: [text('seed 42')], accessory: button('sd1:info') },
        { type: 9, components: [text('ref 1')], accessory: thumbnail },
        { type: 17, components: [text('inside'), gallery(1), { type: 1, components: [button('sd1:vary')] }] },
        { type: 1, components: [{ type: 3, custom_id: 'sd1:pick', options: [{ label: 'Image 1', value: '1' }] }] },
      ],
    });
    expect((sent as { flags: number }).flags & V2).toBe(V2);
  });

  it('refuses content, embeds, a poll or stickers with the flag', async () => {
    await refusedAt({ flags: V2, content: 'no', components: [text()] }, ['content']);
    await refusedAt({ flags: V2, embeds: [{ title: 'no' }], components: [text()] }, ['embeds']);
    await refusedAt(
      {
        flags: V2,
        components: [text()],
        poll: { question: { text: 'which?' }, answers: [{ poll_media: { text: 'a' } }] },
      },
      ['poll'],
    );
    await refusedAt({ flags: V2, components: [text()], sticker_ids: ['100000000000000001'] }, ['sticker_ids']);
  });

  it('refuses V2 components without the flag, and a thumbnail or a bare button at the top level', async () => {
    await refusedAt({ components: [text()] }, ['components', 0, 'type']);
    await refusedAt({ flags: V2, components: [thumbnail] }, ['components', 0, 'type']);
    await refusedAt({ flags: V2, components: [button('sd1:x')] }, ['components', 0, 'type']);
  });

  it('holds media galleries to 1–10 items, and every message to 40 components in all', async () => {
    await refusedAt({ flags: V2, components: [gallery(0)] }, ['components', 0, 'items']);
    await refusedAt({ flags: V2, components: [gallery(11)] }, ['components', 0, 'items']);
    // 41: one container holding 40 text displays.
    const many = Array.from({ length: 40 }, (_, i) => text(`line ${i}`));
    await refusedAt({ flags: V2, components: [{ type: 17, components: many }] }, ['components']);
    await post({ flags: V2, components: [{ type: 17, components: many.slice(0, 39) }] });
  });

  it('holds text displays to 4,000 characters in all', async () => {
    await refusedAt({ flags: V2, components: [text('x'.repeat(2_000)), text('y'.repeat(2_001))] }, ['components']);
  });

  it('lets a section hold only 1–3 text displays beside a button or thumbnail', async () => {
    await refusedAt({ flags: V2, components: [{ type: 9, components: [gallery(1)], accessory: thumbnail }] }, [
      'components',
      0,
      'components',
      0,
      'type',
    ]);
    await refusedAt(
      { flags: V2, components: [{ type: 9, components: [text(), text(), text(), text()], accessory: thumbnail }] },
      ['components', 0, 'components'],
    );
    await refusedAt({ flags: V2, components: [{ type: 9, components: [text()], accessory: gallery(1) }] }, [
      'components',
      0,
      'accessory',
      'type',
    ]);
  });

  it('lets a container hold rows, text, sections, galleries, separators and files, not another container', async () => {
    await refusedAt({ flags: V2, components: [{ type: 17, components: [{ type: 17, components: [text()] }] }] }, [
      'components',
      0,
      'components',
      0,
      'type',
    ]);
    await refusedAt({ flags: V2, components: [{ type: 17, components: [thumbnail] }] }, [
      'components',
      0,
      'components',
      0,
      'type',
    ]);
  });

  it('refuses an edit that makes a message V2 while it still has content or embeds', async () => {
    const plain = await channel().send({ content: 'old text', embeds: [{ title: 'old' }] });
    const edit = (body: Json) => client.rest.patch(`/channels/${channel().id}/messages/${plain.id}`, { body });
    const keptContent = await contractRefusalOf(() => edit({ flags: V2, components: [text()], embeds: [] }));
    expect(keptContent.code).toBe(50035);
    expect(errorsAt(keptContent, ['content'])).toBeDefined();
    const keptEmbeds = await contractRefusalOf(() => edit({ flags: V2, components: [text()], content: '' }));
    expect(errorsAt(keptEmbeds, ['embeds'])).toBeDefined();
    // Clearing both is how a message becomes V2.
    await edit({ flags: V2, components: [text('now V2')], content: '', embeds: [] });
    expect(emulator.message(plain.id)?.data.flags).toBe(V2);
    // Once V2, content cannot come back.
    const back = await contractRefusalOf(() => edit({ content: 'again' }));
    expect(errorsAt(back, ['content'])).toBeDefined();
  });

  it('names the file of an attachment:// gallery item, and shows the gallery on the terminal', async () => {
    const image = await pngImage(20, 10, 1);
    const sent = await channel().send({
      flags: V2,
      files: [{ attachment: image, name: 'set-1.png' }],
      components: [
        { type: 10, content: 'a fox' },
        { type: 12, items: [{ media: { url: 'attachment://set-1.png' }, description: 'image 1' }] },
        { type: 14 },
        { type: 1, components: [{ type: 2, style: 2, label: 'Vary 1', custom_id: 'sd1:vary:1' }] },
      ],
    } as never);
    const stored = emulator.message(sent.id)!;
    const items = (stored.data.components[1] as unknown as { items: Array<{ media: { url: string } }> }).items;
    expect(items[0]!.media.url).toBe(stored.data.attachments[0]!.url);
  });
});
