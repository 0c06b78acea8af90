/** Gallery helpers for end-to-end tests: set up a gallery, make sets, read the posts back. */
import type { ChannelRecord, DiscordEmulator, StoredMessage } from '../../src/emulators/discord/index.js';
import type { JobRecord } from '../../src/engine/job.js';
import { waitUntil } from './discord-waits.js';

/** Permissions a gallery needs beyond what a bot role gets by default (see src/discord/gallery/permissions.ts). */
export const GALLERY_EXTRA_PERMISSIONS = ['ManageThreads', 'ManageChannels'] as const;

export function createGalleryChannel(
  discord: DiscordEmulator,
  name: string,
  type: 'text' | 'forum' | 'media',
  extra: { requireTag?: boolean; availableTags?: Array<{ name: string }> } = {},
): ChannelRecord {
  return discord.createChannel(discord.defaultGuild, {
    name,
    type,
    overwrites: [{ id: '@bot', allow: [...GALLERY_EXTRA_PERMISSIONS] }],
    ...extra,
  });
}

/** Runs `/gallery setup` as the server owner; answers the bot's (ephemeral) reply text. */
export async function setUpGallery(discord: DiscordEmulator, channel: ChannelRecord, user?: string): Promise<string> {
  const handle = discord.runSlashCommand(
    { user: user ?? discord.defaultGuild.ownerId, channel: discord.channelByName('general') },
    'gallery setup',
    { channel: channel.data.id },
  );
  const reply = await handle.waitForOriginal((m) => !m.loading, { timeoutMs: 15_000 });
  return reply.data.content ?? '';
}

/** Waits until a job's record is terminal and returns it. */
export async function waitForJobEnd(
  getJob: (id: string) => Promise<JobRecord | undefined>,
  jobId: string,
  timeoutMs = 90_000,
): Promise<JobRecord> {
  let last: JobRecord | undefined;
  const started = Date.now();
  for (;;) {
    last = await getJob(jobId);
    if (last && ['delivered', 'failed', 'cancelled', 'timed_out', 'expired'].includes(last.state)) return last;
    if (Date.now() - started > timeoutMs) throw new Error(`job ${jobId} still ${last?.state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The gallery posts of a forum or media channel: one thread each, with its starter message. */
export function forumPosts(discord: DiscordEmulator, forum: ChannelRecord) {
  return discord.threadsOf(forum).map((thread) => ({ thread, starter: discord.message(thread.data.id) }));
}

/** Gallery posts in a text channel: the bot's messages carrying a set's files. */
export function textPosts(discord: DiscordEmulator, channel: ChannelRecord): StoredMessage[] {
  return discord
    .channelMessages(channel)
    .filter((m) => (m.data.attachments ?? []).some((a) => a.filename.startsWith('seedream-')));
}

/** Every attachment of a post: its first message and the messages in its thread. */
export function postAttachments(discord: DiscordEmulator, first: StoredMessage | undefined, threadId: string) {
  const inThread = discord.state.channels.has(threadId)
    ? discord.channelMessages(threadId).filter((m) => m.id !== first?.id)
    : [];
  return [first, ...inThread].flatMap((m) => m?.data.attachments ?? []);
}

export { waitUntil };
