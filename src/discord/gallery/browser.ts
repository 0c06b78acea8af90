/**
 * The ephemeral browser of past sets behind /gallery browse and /history: one set a page
 * (its contact sheet, prompt, details, a link to its post), newest first, ◀ ▶ buttons and
 * "page k of n". Pages come from the gallery index in the store, never from Discord's
 * history. A browser's state (scope, filter, and for a search the matching ids, fixed when
 * it opened) is kept in the store under a short id; a button carries only that id and the
 * page it was drawn on (`sd1:gnext:<id>-<page>`, see actions/gallery-page.ts), so it keeps
 * working across restarts.
 */
import { randomBytes } from 'node:crypto';
import { type APIEmbed, ButtonStyle, type ChatInputCommandInteraction, ComponentType, MessageFlags } from 'discord.js';
import { z } from 'zod';
import type { GalleryEntry, GalleryIndex, GalleryScope } from '../../guilds/gallery-index.js';
import { resolveLocale, t } from '../../i18n/index.js';
import { ASPECT_RATIOS, aspectRatioLabel } from '../../models/seedream-sequential/aspect-ratios.js';
import type { Store } from '../../store/store.js';
import { galleryPageId } from '../actions/gallery-page.js';
import { lineageFields } from '../set-lineage.js';
import { escapeUserText, NO_MENTIONS, relativeTime, truncate } from '../text.js';
import {
  type BrowseRequest,
  type BrowserPage,
  type BrowserSession,
  browserSessionSchema,
  type GalleryBrowsing,
} from './browsing.js';
import { galleryTitle } from './post.js';

const BROWSER_COLOUR = 0x5865f2;
/** Browsers one person keeps; opening another forgets the oldest. */
const SESSIONS_PER_USER = 5;

const recentSessionsSchema = z.array(z.string());

export class GalleryBrowser implements GalleryBrowsing {
  constructor(
    private readonly store: Store,
    private readonly index: GalleryIndex,
  ) {}

  async open(
    interaction: ChatInputCommandInteraction,
    context: { clock: () => number },
    request: BrowseRequest,
  ): Promise<void> {
    const locale = resolveLocale(interaction.locale, interaction.guildLocale);
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const filtered = request.filter.userId !== undefined || (request.filter.search ?? '').trim() !== '';
    const session: BrowserSession = {
      v: 1,
      userId: interaction.user.id,
      scope: request.scope,
      kind: request.kind,
      filter: request.filter,
      matches: filtered ? await this.index.search(request.scope, request.filter) : null,
      createdAt: context.clock(),
    };
    const id = await this.#save(session);
    const page = await this.render(id, session, 0, locale);
    await interaction.editReply({ ...page, allowedMentions: NO_MENTIONS } as Parameters<
      typeof interaction.editReply
    >[0]);
  }

  async session(id: string): Promise<BrowserSession | undefined> {
    return this.store.get('galleries', sessionKey(id), browserSessionSchema);
  }

  async render(id: string, session: BrowserSession, requested: number, locale: string): Promise<BrowserPage> {
    const scope = session.scope as GalleryScope;
    let total: number;
    let entry: GalleryEntry | undefined;
    let page: number;
    if (session.matches) {
      total = session.matches.length;
      page = clamp(requested, total);
      entry = total > 0 ? await this.index.get(session.matches[page]!) : undefined;
    } else {
      total = await this.index.count(scope);
      page = clamp(requested, total);
      const found = await this.index.at(scope, page);
      entry = found.entry;
      total = found.total;
      page = clamp(page, total);
    }
    if (total === 0) {
      const key = session.matches ? 'gallery.browser.no_matches' : (`gallery.browser.empty_${session.kind}` as const);
      return { content: t(locale, key), embeds: [], components: [] };
    }
    const footer = t(locale, 'gallery.browser.page', { page: page + 1, total });
    const embed: APIEmbed = entry
      ? entryEmbed(entry, locale, session.kind)
      : { description: t(locale, 'gallery.browser.removed'), color: BROWSER_COLOUR };
    embed.footer = { text: footer };
    const buttons: unknown[] = [
      {
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        label: '◀',
        custom_id: galleryPageId('gprev', id, page),
        disabled: page === 0,
      },
      {
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        label: '▶',
        custom_id: galleryPageId('gnext', id, page),
        disabled: page >= total - 1,
      },
    ];
    const link = entry?.postUrl ?? entry?.resultUrl;
    if (link) {
      buttons.push({
        type: ComponentType.Button,
        style: ButtonStyle.Link,
        label: t(locale, entry?.postUrl ? 'gallery.browser.open_post' : 'gallery.browser.open_result'),
        url: link,
      });
    }
    return { embeds: [embed], components: [{ type: ComponentType.ActionRow, components: buttons }] };
  }

  async #save(session: BrowserSession): Promise<string> {
    const id = randomBytes(5).toString('hex');
    await this.store.set('galleries', sessionKey(id), session);
    // Keep a person's last few browsers; older ones answer "this button no longer works".
    let evicted: string[] = [];
    await this.store.update('galleries', `browse-user:${session.userId}`, recentSessionsSchema, (recent) => {
      const next = [id, ...(recent ?? [])];
      evicted = next.slice(SESSIONS_PER_USER);
      return next.slice(0, SESSIONS_PER_USER);
    });
    for (const old of evicted) await this.store.delete('galleries', sessionKey(old));
    return id;
  }
}

function entryEmbed(entry: GalleryEntry, locale: string, kind: BrowserSession['kind']): APIEmbed {
  const aspect = ASPECT_RATIOS.find((a) => a.key === entry.aspect);
  const fields = [
    { name: t(locale, 'card.field.requester'), value: `<@${entry.userId}>`, inline: true },
    { name: t(locale, 'card.field.count'), value: String(entry.count), inline: true },
    {
      name: t(locale, 'card.field.aspect'),
      value: aspect ? aspectRatioLabel(aspect, locale) : entry.aspect,
      inline: true,
    },
    {
      name: t(locale, 'card.field.seed'),
      value: entry.seed === null ? t(locale, 'card.seed_random') : String(entry.seed),
      inline: true,
    },
    { name: t(locale, 'gallery.browser.made'), value: relativeTime(entry.createdAt), inline: true },
  ];
  fields.push(...lineageFields(entry, locale));
  if (kind === 'history' && entry.guildId === null) {
    fields.push({ name: t(locale, 'gallery.browser.where'), value: t(locale, 'gallery.browser.in_dm'), inline: true });
  }
  const embed: APIEmbed = {
    title: galleryTitle(entry.prompt, 256),
    url: entry.postUrl ?? entry.resultUrl,
    description: `>>> ${escapeUserText(truncate(entry.prompt, 1_500))}`,
    color: BROWSER_COLOUR,
    fields,
  };
  if (entry.previewUrl) embed.image = { url: entry.previewUrl };
  return embed;
}

const sessionKey = (id: string) => `browse:${id}`;
const clamp = (page: number, total: number) => Math.max(0, Math.min(page, Math.max(0, total - 1)));
