/**
 * ◀ and ▶ of the gallery browser (`sd1:gprev:<browser id>-<page>`, `sd1:gnext:…`): the page
 * next to the one the button was drawn on. Only the person who opened the browser turns its
 * pages; a browser they have since forgotten answers that the button no longer works. Turning
 * pages takes no turn of the cooldown: it only changes the member's own private view.
 */
import { resolveLocale } from '../../i18n/index.js';
import type { BrowserSession } from '../gallery/browsing.js';
import { NO_MENTIONS } from '../text.js';
import { CUSTOM_ID_VERSION, defineAction } from './action.js';

type Direction = 'gprev' | 'gnext';
const STEP: Record<Direction, -1 | 1> = { gprev: -1, gnext: 1 };
const BROWSER_PAGE = /^([a-f0-9]{10})-(\d{1,6})$/;

export const galleryPageId = (direction: Direction, browserId: string, page: number) =>
  `${CUSTOM_ID_VERSION}:${direction}:${browserId}-${page}`;

/** A page of a browser, as a button names it; and once checked, with the browser's state. */
type Page = { browserId: string; page: number };
type Turn = Page & { session: BrowserSession };

function pager(direction: Direction) {
  return defineAction<Page, Turn>({
    name: direction,
    cooldown: false,

    parse(customId) {
      const parts = customId.split(':');
      if (parts.length !== 3 || parts[0] !== CUSTOM_ID_VERSION || parts[1] !== direction) return undefined;
      const match = BROWSER_PAGE.exec(parts[2]!);
      return match ? { browserId: match[1]!, page: Number(match[2]) } : undefined;
    },

    async check(interaction, context, { browserId, page }) {
      const session = await context.gallery.browser.session(browserId);
      if (!session) return { refused: 'replies.button_expired' };
      if (session.userId !== interaction.user.id) return { refused: 'gallery.browser.not_yours' };
      return { allowed: { browserId, page, session } };
    },

    async run(interaction, context, { browserId, page, session }) {
      const locale = resolveLocale(interaction.locale, interaction.guildLocale);
      const next = await context.gallery.browser.render(browserId, session, page + STEP[direction], locale);
      await interaction.update({ ...next, allowedMentions: NO_MENTIONS } as Parameters<typeof interaction.update>[0]);
    },
  });
}

export const galleryPreviousAction = pager('gprev');
export const galleryNextAction = pager('gnext');
