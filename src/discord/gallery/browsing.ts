/**
 * The gallery browser as its users see it: /gallery browse and /history open one, its ◀ ▶
 * buttons (actions/gallery-page.ts) turn its pages. The browser itself (browser.ts) draws
 * those buttons, so the actions reach it through this interface rather than its class.
 */
import type { APIEmbed, ChatInputCommandInteraction } from 'discord.js';
import { z } from 'zod';
import type { GalleryFilter, GalleryScope } from '../../guilds/gallery-index.js';

/** What the store keeps about one open browser, under its short id. */
export const browserSessionSchema = z.object({
  v: z.literal(1),
  /** Only the person who opened it may turn its pages. */
  userId: z.string(),
  scope: z.string(),
  kind: z.enum(['guild', 'history']),
  filter: z.object({ userId: z.string().optional(), search: z.string().optional() }),
  /** For a filtered browser, the matching job ids (newest first) as they were when it opened. */
  matches: z.array(z.string()).nullable(),
  createdAt: z.number(),
});
export type BrowserSession = z.infer<typeof browserSessionSchema>;

export interface BrowserPage {
  embeds: APIEmbed[];
  components: unknown[];
  content?: string;
}

export interface BrowseRequest {
  scope: GalleryScope;
  kind: BrowserSession['kind'];
  filter: GalleryFilter;
}

export interface GalleryBrowsing {
  /** Opens a browser for `interaction`'s user and answers with its first page (ephemeral). */
  open(
    interaction: ChatInputCommandInteraction,
    context: { clock: () => number },
    request: BrowseRequest,
  ): Promise<void>;
  /** A browser's state, or undefined once it was forgotten (a person keeps their last few). */
  session(id: string): Promise<BrowserSession | undefined>;
  /** Page `requested` (clamped) of a browser. */
  render(id: string, session: BrowserSession, requested: number, locale: string): Promise<BrowserPage>;
}
