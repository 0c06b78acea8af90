/**
 * Galleries end to end: the real bot against both emulators. Mirroring into a forum, a media
 * and a text channel (titles, tags, images, back-links); a lost permission (the result still
 * arrives, exactly one admin notice, setup names what is missing); Delete removes the post
 * and the index entry. Browsing is in gallery-browse.test.ts; kill -9 in gallery-crash.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelRecord } from '../../src/emulators/discord/index.js';
import { GalleryIndex, guildScope, userScope } from '../../src/guilds/gallery-index.js';
import { type BotHarness, createBotHarness } from '../helpers/bot-harness.js';
import { resultMessages, waitUntil } from '../helpers/discord-waits.js';
import {
  createGalleryChannel,
  forumPosts,
  postAttachments,
  setUpGallery,
  textPosts,
  waitForJobEnd,
} from '../helpers/gallery-waits.js';

let h: BotHarness;

beforeAll(async () => {
  h = await createBotHarness();
});
afterAll(async () => {
  await h?.close();
});

/** Five sets with different prompts, sizes and aspect ratios, made at once by different people. */
const SETS = [
  { prompt: 'a lighthouse at dusk', count: 1, aspect: '1:1' },
  { prompt: 'koi pond posters', count: 2, aspect: '16:9' },
  { prompt: '一座燈塔 在海邊', count: 5, aspect: '9:16' },
  { prompt: 'a paper boat on a rainy street', count: 3, aspect: '16:9' },
  { prompt: 'the four seasons of one tree', count: 12, aspect: '21:9' },
] as const;

async function makeSets(tag: string) {
  const channel = h.discord.channelByName('general');
  const handles = SETS.map((set, i) =>
    h.discord.runSlashCommand({ user: h.discord.createUser({ username: `${tag}-${i}` }), channel }, 'imagine', {
      prompt: set.prompt,
      count: set.count,
      aspect: set.aspect,
      seed: 100 + i,
    }),
  );
  const jobs = await Promise.all(handles.map((handle) => waitForJobEnd((id) => h.bot.engine.get(id), handle.id)));
  for (const job of jobs) expect(job.state).toBe('delivered');
  return { channel, handles, jobs };
}

const resultLink = (channel: ChannelRecord, messageId: string) =>
  `https://discord.com/channels/${h.discord.defaultGuild.id}/${channel.data.id}/${messageId}`;

describe('mirroring', () => {
  it.each(['forum', 'media'] as const)(
    'a %s gallery: one post per set, titled by the prompt, tagged by aspect, all images, a link back',
    { timeout: 180_000 },
    async (type) => {
      const gallery = createGalleryChannel(h.discord, `art-${type}`, type);
      expect(await setUpGallery(h.discord, gallery)).toContain('Done');
      const { channel, handles, jobs } = await makeSets(type);

      const posts = forumPosts(h.discord, gallery);
      expect(posts).toHaveLength(SETS.length);
      const tags = new Map(
        (h.discord.state.channels.get(gallery.data.id)!.data.available_tags ?? []).map((t) => [t.id, t.name]),
      );
      // Each aspect tag was created once, however many sets used it.
      expect([...tags.values()].sort()).toEqual(['1:1', '16:9', '21:9', '9:16'].sort());
      for (const [i, set] of SETS.entries()) {
        const job = jobs[i]!;
        const post = posts.find((p) => p.starter?.data.embeds?.[0]?.footer?.text === `Job ${job.id}`);
        expect(post, `post of set ${i}`).toBeDefined();
        expect(post!.thread.data.name).toBe(set.prompt);
        expect((post!.thread.data.applied_tags ?? []).map((id) => tags.get(id))).toEqual([set.aspect]);
        const embed = post!.starter!.data.embeds![0]!;
        const first = resultMessages(h.discord, channel.data.id, handles[i]!.id)[0]!;
        expect(embed.url).toBe(resultLink(channel, first.id));
        expect(JSON.stringify(embed.fields)).toContain(`<@${job.owner.userId}>`);
        expect(JSON.stringify(embed.fields)).toContain(String(100 + i)); // the seed
        const files = postAttachments(h.discord, post!.starter, post!.thread.data.id).map((a) => a.filename);
        const sheet = set.count > 4 ? [`seedream-${job.id}-sheet.jpg`] : [];
        expect(files).toEqual([
          ...sheet,
          ...Array.from({ length: set.count }, (_, n) =>
            expect.stringMatching(new RegExp(`^seedream-${job.id}-${n + 1}\\.`)),
          ),
        ]);
        // The preview is the contact sheet for big sets, else the first image.
        expect(embed.image?.url).toContain(set.count > 4 ? 'sheet.jpg' : `${job.id}-1.`);
      }
      // The result carries the sheet too, in its last message, when it spans several messages
      // (N+1 attachments when N > 10); the gallery post has it from 5 images.
      const big = resultMessages(h.discord, channel.data.id, handles[4]!.id).flatMap((m) => m.data.attachments ?? []);
      expect(big).toHaveLength(13);
      expect(big.at(-1)!.filename).toBe(`seedream-${jobs[4]!.id}-sheet.jpg`);
    },
  );

  it('a text gallery: one message per set with a thread holding what does not fit', { timeout: 180_000 }, async () => {
    const gallery = createGalleryChannel(h.discord, 'art-text', 'text');
    expect(await setUpGallery(h.discord, gallery)).toContain('Done');
    const { channel, handles, jobs } = await makeSets('text');
    const posts = textPosts(h.discord, gallery);
    expect(posts).toHaveLength(SETS.length);
    for (const [i, set] of SETS.entries()) {
      const job = jobs[i]!;
      const post = posts.find((m) => m.data.embeds?.[0]?.footer?.text === `Job ${job.id}`)!;
      expect(post.data.embeds![0]!.title).toBe(set.prompt);
      const first = resultMessages(h.discord, channel.data.id, handles[i]!.id)[0]!;
      expect(post.data.embeds![0]!.url).toBe(resultLink(channel, first.id));
      const files = postAttachments(h.discord, post, post.id).map((a) => a.filename);
      expect(files).toHaveLength(set.count + (set.count > 4 ? 1 : 0));
      // 12 images + sheet = 13 files: 10 in the message, 3 in its thread.
      if (set.count === 12) {
        expect(h.discord.state.channels.get(post.id)?.data.name).toBe(set.prompt);
        expect(h.discord.channelMessages(post.id).flatMap((m) => m.data.attachments ?? [])).toHaveLength(3);
      }
    }
    // Every gallery message pinged nobody.
    expect(posts.every((m) => m.pinged.users.length === 0 && !m.pinged.everyone)).toBe(true);
  });
});

describe('failures', () => {
  it('a lost permission: results still arrive, exactly one admin notice, setup names the permission', {
    timeout: 180_000,
  }, async () => {
    const gallery = createGalleryChannel(h.discord, 'fragile-gallery', 'forum');
    expect(await setUpGallery(h.discord, gallery)).toContain('Done');
    // An admin takes Attach Files away from the bot there.
    h.discord.setChannelOverwrites(gallery, [
      { id: '@bot', allow: ['ManageThreads', 'ManageChannels'], deny: ['AttachFiles'] },
    ]);
    const channel = h.discord.channelByName('general');
    const before = h.discord.channelMessages(channel).length;
    const { handles } = await makeSets('fragile');
    for (const [i, handle] of handles.entries()) {
      const attachments = resultMessages(h.discord, channel.data.id, handle.id).flatMap(
        (m) => m.data.attachments ?? [],
      );
      // The contact sheet rides with a set over more than one message (over 10 images) only.
      expect(attachments).toHaveLength(SETS[i]!.count + (SETS[i]!.count > 10 ? 1 : 0));
    }
    expect(forumPosts(h.discord, gallery)).toHaveLength(0);
    const notices = h.discord
      .channelMessages(channel)
      .slice(before)
      .filter((m) => m.data.embeds?.[0]?.title === 'The gallery is paused');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.data.embeds![0]!.description).toContain('Attach Files');
    expect(notices[0]!.pinged.users).toEqual([]);

    // A restart does not repeat it: the episode is in the guild settings.
    await h.bot.stop();
    await h.restart();
    const more = h.discord.runSlashCommand(
      { user: h.discord.createUser({ username: 'fragile-late' }), channel },
      'imagine',
      { prompt: 'one more after the restart', count: 1 },
    );
    expect((await waitForJobEnd((id) => h.bot.engine.get(id), more.id)).state).toBe('delivered');
    expect(
      h.discord.channelMessages(channel).filter((m) => m.data.embeds?.[0]?.title === 'The gallery is paused'),
    ).toHaveLength(1);

    // Setup says exactly which permission is missing, and keeps the gallery paused.
    const reply = await setUpGallery(h.discord, gallery);
    expect(reply).toContain('Attach Files');
    expect(reply).not.toContain('Embed Links');
    // Fixed and set up again: mirroring works and a later failure is news again.
    h.discord.setChannelOverwrites(gallery, [{ id: '@bot', allow: ['ManageThreads', 'ManageChannels'] }]);
    expect(await setUpGallery(h.discord, gallery)).toContain('Done');
    const fixed = h.discord.runSlashCommand(
      { user: h.discord.createUser({ username: 'fragile-fixed' }), channel },
      'imagine',
      { prompt: 'after the fix', count: 1 },
    );
    await waitForJobEnd((id) => h.bot.engine.get(id), fixed.id);
    expect(forumPosts(h.discord, gallery)).toHaveLength(1);

    h.discord.deleteChannel(gallery);
    const orphan = h.discord.runSlashCommand(
      { user: h.discord.createUser({ username: 'fragile-orphan' }), channel },
      'imagine',
      { prompt: 'after the channel was deleted', count: 2 },
    );
    expect((await waitForJobEnd((id) => h.bot.engine.get(id), orphan.id)).state).toBe('delivered');
    const all = h.discord.channelMessages(channel).filter((m) => m.data.embeds?.[0]?.title === 'The gallery is paused');
    expect(all).toHaveLength(2);
    expect(all[1]!.data.embeds![0]!.description).toContain('no longer exists');
  });

  it('setup refuses members without Manage Server and channels that cannot hold a gallery', {
    timeout: 60_000,
  }, async () => {
    const gallery = createGalleryChannel(h.discord, 'not-for-you', 'forum');
    const member = h.discord.createUser({ username: 'plain-member' });
    expect(await setUpGallery(h.discord, gallery, member.id)).toContain('Manage Server');
    const voice = h.discord.createChannel(h.discord.defaultGuild, { name: 'voice', type: 'voice' });
    const handle = h.discord.runSlashCommand(
      { user: h.discord.defaultGuild.ownerId, channel: h.discord.channelByName('general') },
      'gallery setup',
      { channel: voice.data.id },
      { validate: false },
    );
    expect((await handle.waitForOriginal((m) => !m.loading, { timeoutMs: 15_000 })).data.content).toContain(
      'cannot hold a gallery',
    );
  });
});

describe('delete', () => {
  it('Delete on a result removes its gallery post and its index entries', { timeout: 120_000 }, async () => {
    const gallery = createGalleryChannel(h.discord, 'deletable', 'forum');
    expect(await setUpGallery(h.discord, gallery)).toContain('Done');
    const channel = h.discord.channelByName('general');
    const user = h.discord.createUser({ username: 'deleter-g' });
    const handle = h.discord.runSlashCommand({ user, channel }, 'imagine', { prompt: 'soon gone', count: 5 });
    const job = await waitForJobEnd((id) => h.bot.engine.get(id), handle.id);
    const index = new GalleryIndex(h.bot.engine.jobs.store);
    await waitUntil(() => forumPosts(h.discord, gallery).length === 1, 'the post');
    expect(await index.get(job.id)).toBeDefined();
    const userCount = await index.count(userScope(user.id));
    const guildCount = await index.count(guildScope(h.discord.defaultGuild.id));

    const results = resultMessages(h.discord, channel.data.id, handle.id);
    const click = h.discord.clickButton(user, results.at(-1)!, `sd1:delete:${handle.id}`);
    const reply = await click.waitForOriginal((m) => !m.loading, { timeoutMs: 15_000 });
    expect(reply.data.content).toContain('gallery post was removed');
    expect(forumPosts(h.discord, gallery)).toHaveLength(0);
    expect(await index.get(job.id)).toBeUndefined();
    expect(await index.count(userScope(user.id))).toBe(userCount - 1);
    expect(await index.count(guildScope(h.discord.defaultGuild.id))).toBe(guildCount - 1);
  });
});
