/**
 * What the bot needs in a gallery channel, and the check that names exactly what is missing.
 * Used at /gallery setup (so admins fix it before anything fails) and when a mirror fails
 * (so the one notice says why).
 */
import { type APIChannel, ChannelType, PermissionFlagsBits } from 'discord.js';
import type { GalleryKind } from '../../guilds/gallery-settings.js';
import { t, tDynamic } from '../../i18n/index.js';
import { ASPECT_RATIOS } from '../../models/seedream-sequential/aspect-ratios.js';
import type { DiscordApi } from '../discord-api.js';

export type PermissionName = keyof typeof PermissionFlagsBits;

const COMMON: PermissionName[] = [
  'ViewChannel',
  'SendMessages',
  'SendMessagesInThreads',
  'EmbedLinks',
  'AttachFiles',
  'ReadMessageHistory',
  // Delete on a result removes its gallery post, which is a thread.
  'ManageThreads',
];

export const GALLERY_PERMISSIONS: Readonly<Record<GalleryKind, readonly PermissionName[]>> = {
  text: [...COMMON, 'CreatePublicThreads'],
  forum: COMMON,
  media: COMMON,
};

/** The gallery kind a channel can be, or undefined when it cannot hold a gallery. */
export function galleryKindOf(type: ChannelType): GalleryKind | undefined {
  switch (type) {
    case ChannelType.GuildText:
    case ChannelType.GuildAnnouncement:
      return 'text';
    case ChannelType.GuildForum:
      return 'forum';
    case ChannelType.GuildMedia:
      return 'media';
    default:
      return undefined;
  }
}

/** The forum tag a set carries: its aspect ratio ("16:9"), language-neutral and short. */
export function aspectTagName(aspectKey: string): string {
  return aspectKey.slice(0, 20);
}

export interface GalleryChannelCheck {
  channel: APIChannel;
  kind: GalleryKind | undefined;
  /** Required permissions the bot lacks there, in a stable order. */
  missing: PermissionName[];
}

export async function checkGalleryChannel(api: DiscordApi, channelId: string): Promise<GalleryChannelCheck> {
  const { channel, permissions } = await api.botPermissionsIn(channelId);
  const kind = galleryKindOf(channel.type);
  if (!kind) return { channel, kind, missing: [] };
  const needed = [...GALLERY_PERMISSIONS[kind]];
  if (kind !== 'text') {
    // Tags are created on first use; that takes Manage Channels unless they all exist already.
    const existing = new Set(
      ('available_tags' in channel ? (channel.available_tags ?? []) : []).map((tag) => tag.name.toLowerCase()),
    );
    if (ASPECT_RATIOS.some((aspect) => !existing.has(aspectTagName(aspect.key).toLowerCase()))) {
      needed.push('ManageChannels');
    }
  }
  return { channel, kind, missing: needed.filter((name) => !hasPermission(permissions, name)) };
}

export function hasPermission(bits: bigint, name: PermissionName): boolean {
  return (bits & PermissionFlagsBits.Administrator) !== 0n || (bits & PermissionFlagsBits[name]) !== 0n;
}

/** "Attach Files, Embed Links" in the reader's language (the names Discord's own settings show). */
export function permissionList(locale: string, names: readonly string[]): string {
  const separator = t(locale, 'gallery.list_separator');
  return names.map((name) => tDynamic(locale, `gallery.permission.${name}`) ?? name).join(separator);
}
