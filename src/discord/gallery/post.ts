/**
 * What a set looks like in the gallery: a title from the prompt, one embed with the author,
 * prompt, seed and parameters, a link back to the original result and the preview (the
 * contact sheet, or the first image) as its picture; the other images ride along as plain
 * attachments. Pure rendering; gallery-mirror.ts posts it.
 */
import type { APIEmbed } from 'discord.js';
import type { JobRecord } from '../../engine/job.js';
import { t } from '../../i18n/index.js';
import type { MessagePayload } from '../discord-api.js';
import type { PreparedImage } from '../pack-images.js';
import { setParameterFields } from '../set-fields.js';
import { lineageFields, lineageOf } from '../set-lineage.js';
import { escapeUserText, plainUserText, truncate } from '../text.js';

const GALLERY_COLOUR = 0x5865f2;

/** A thread or embed title from the prompt: one line, no runs of spaces, at most `max` characters. */
export function galleryTitle(prompt: string, max: number): string {
  const line = plainUserText(prompt).replace(/\s+/g, ' ').trim();
  return truncate(line === '' ? 'Seedream' : line, max);
}

/** The post's first message: the details embed, the preview in it, the rest of this part as attachments. */
export function renderGalleryPost(
  job: JobRecord,
  images: readonly PreparedImage[],
  context: { locale: string; resultUrl: string | undefined; delivered: number },
): MessagePayload {
  const { locale } = context;
  const preview = images[0];
  const fields = [
    { name: t(locale, 'card.field.requester'), value: `<@${job.owner.userId}>`, inline: true },
    { name: t(locale, 'card.field.count'), value: String(context.delivered), inline: true },
    ...setParameterFields(job, locale),
  ];
  fields.push(...lineageFields(lineageOf(job), locale));
  if (context.resultUrl) {
    fields.push({
      name: t(locale, 'gallery.post.original'),
      value: `[${t(locale, 'gallery.post.jump')}](${context.resultUrl})`,
      inline: false,
    });
  }
  const embed: APIEmbed = {
    title: galleryTitle(job.prompt, 256),
    description: `>>> ${escapeUserText(truncate(job.prompt, 3_500))}`,
    color: GALLERY_COLOUR,
    fields,
    footer: { text: t(locale, 'card.footer', { reference: job.id }) },
    timestamp: new Date(job.stateTimes.delivering ?? job.updatedAt).toISOString(),
  };
  if (context.resultUrl) embed.url = context.resultUrl;
  if (preview?.data) embed.image = { url: `attachment://${preview.filename}` };
  return { embeds: [embed], attachments: attachmentsOf(job, images) };
}

/** A further message of the post (in its thread): just the images. */
export function renderGalleryPart(job: JobRecord, images: readonly PreparedImage[]): MessagePayload {
  return { attachments: attachmentsOf(job, images) };
}

function attachmentsOf(job: JobRecord, images: readonly PreparedImage[]) {
  return images
    .filter((image) => image.data !== undefined)
    .map((image, id) => ({ id, filename: image.filename, description: truncate(plainUserText(job.prompt), 1_000) }));
}

/** Where a set's post lives, as the delivery record keeps it: `<kind>:<channelId>:<messageId>`. */
export interface GalleryPostRef {
  kind: 'text' | 'forum';
  /** The gallery channel (text) or the forum/media channel. */
  channelId: string;
  /** The post's message (a forum post's starter message has the thread's id). */
  messageId: string;
  /** The thread the rest of the set goes in (text: made from the message, so the same id). */
  threadId: string;
}

export function formatPostRef(ref: Pick<GalleryPostRef, 'kind' | 'channelId' | 'messageId'>): string {
  return `${ref.kind}:${ref.channelId}:${ref.messageId}`;
}

export function parsePostRef(raw: string | undefined): GalleryPostRef | undefined {
  const match = /^(text|forum):(\d+):(\d+)$/.exec(raw ?? '');
  if (!match) return undefined;
  const [, kind, channelId, messageId] = match as unknown as [string, 'text' | 'forum', string, string];
  return { kind, channelId, messageId, threadId: messageId };
}

export function postLink(guildId: string, ref: GalleryPostRef): string {
  return ref.kind === 'forum'
    ? `https://discord.com/channels/${guildId}/${ref.threadId}`
    : `https://discord.com/channels/${guildId}/${ref.channelId}/${ref.messageId}`;
}
