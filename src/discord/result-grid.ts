/**
 * A result message as Discord's Components V2: a container holding the set's text (the prompt
 * and parameters, on the first message only) and a media gallery of the message's images, the
 * actions in rows below it. With the flag Discord refuses `content` and `embeds`; each gallery
 * holds 1–10 items, each an uploaded attachment (`attachment://<filename>`).
 */
import { ComponentType, MessageFlags } from 'discord.js';
import type { MessagePayload } from './discord-api.js';
import type { PreparedImage } from './pack-images.js';

/** Discord: a media gallery holds 1–10 items. */
export const MEDIA_GALLERY_MAX_ITEMS = 10;

export interface ResultGrid {
  /** Text above the images (markdown), if any. */
  text?: string;
  /** The message's images, in order; those without bytes are listed in `linked` instead. */
  images: PreparedImage[];
  /** How each image is labelled (its alt text in the gallery), e.g. "3/15". */
  label: (image: PreparedImage) => string;
  /** Lines for images that could not be uploaded (a link each). */
  linked: string[];
  /** Alt text of the uploaded files. */
  fileDescription: string;
  accentColour: number;
  /** Action rows under the container (the set's last message only). */
  actions?: unknown[];
}

export function renderResultGrid(grid: ResultGrid): MessagePayload {
  const uploaded = grid.images.filter((image) => image.data !== undefined);
  const inside: unknown[] = [];
  if (grid.text) inside.push({ type: ComponentType.TextDisplay, content: grid.text });
  for (let start = 0; start < uploaded.length; start += MEDIA_GALLERY_MAX_ITEMS) {
    inside.push({
      type: ComponentType.MediaGallery,
      items: uploaded.slice(start, start + MEDIA_GALLERY_MAX_ITEMS).map((image) => ({
        media: { url: `attachment://${image.filename}` },
        description: grid.label(image),
      })),
    });
  }
  if (grid.linked.length > 0) inside.push({ type: ComponentType.TextDisplay, content: grid.linked.join('\n') });
  return {
    flags: MessageFlags.IsComponentsV2,
    components: [
      { type: ComponentType.Container, accent_color: grid.accentColour, components: inside },
      ...(grid.actions ?? []),
    ],
    attachments: uploaded.map((image, id) => ({ id, filename: image.filename, description: grid.fileDescription })),
  };
}
