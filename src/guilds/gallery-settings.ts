/**
 * A server's gallery: where delivered sets are mirrored, and the state of a failure episode
 * (the channel deleted, a permission lost) so admins hear about it once, not once per job,
 * even across restarts. Part of the guild settings record (see guild-settings.ts).
 */
import { z } from 'zod';

export const GALLERY_KINDS = ['text', 'forum', 'media'] as const;
export type GalleryKind = (typeof GALLERY_KINDS)[number];

export const galleryFailureSchema = z.object({
  /** Catalogue code under `errors.` that explains it (gallery_channel_missing…). */
  code: z.string(),
  /** Discord permission names the bot lacked when it failed (for the notice). */
  missing: z.array(z.string()).default([]),
  since: z.number(),
  /** Where the one notice of this episode goes, and the nonce that keeps it one. */
  noticeChannelId: z.string(),
  noticeNonce: z.string(),
  noticeMessageId: z.string().optional(),
});
export type GalleryFailure = z.infer<typeof galleryFailureSchema>;

export const gallerySettingsSchema = z.object({
  channelId: z.string(),
  kind: z.enum(GALLERY_KINDS),
  /** The language of whoever set it up: notices to admins are written in it. */
  locale: z.string(),
  setBy: z.string(),
  setAt: z.number(),
  failure: galleryFailureSchema.optional(),
});
export type GallerySettings = z.infer<typeof gallerySettingsSchema>;
