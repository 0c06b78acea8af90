/**
 * Mirrors a delivered set into its server's gallery channel, as durable delivery steps after
 * the result's own parts, so a restart neither skips nor doubles a post:
 *
 * - `gallery`: the post. Text channels: a message sent with Discord's nonce + enforce_nonce.
 *   Forum/media channels: a thread with its starter message, which Discord cannot dedupe (no
 *   nonce on thread creation). So when the step is found already started (a previous run may
 *   have created the post and died before recording it), it first looks for that post: the
 *   guild's active threads under the gallery, created by the bot since the step started, whose
 *   starter message carries this job's files (`seedream-<job>-…`). Text posts are looked up
 *   the same way in the channel's messages since then (the nonce only holds for minutes).
 * - `gallery:thread` (text): the thread on the message; "already has a thread" means done.
 * - `gallery:part:<n>`: further images in the thread, each with its nonce (and the same look-up).
 * - `gallery:end`: the outcome, so a permanent failure is not retried after a restart.
 * - `gallery:index`: the set enters the browse index (idempotent by job id).
 *
 * A gallery failure never hurts the user's result: nothing here throws but an abort. A
 * permanent failure (channel gone, permission lost) opens a failure episode in the guild
 * settings and posts one notice for it (failures.ts); a later success (or /gallery setup) ends
 * the episode.
 */
import { type APIMessage, SnowflakeUtil } from 'discord.js';
import type { JobRecord } from '../../engine/job.js';
import type { DeliverySteps } from '../../engine/surface.js';
import { describeError, isAbortError } from '../../errors.js';
import type { GalleryIndex } from '../../guilds/gallery-index.js';
import type { GallerySettings } from '../../guilds/gallery-settings.js';
import type { GuildSettingsStore } from '../../guilds/guild-settings.js';
import type { Logger } from '../../log.js';
import { setParameters } from '../../models/registry.js';
import { KeyedMutex } from '../../util/keyed-mutex.js';
import { sleep } from '../../util/sleep.js';
import { DISCORD_ERRORS, type DiscordApi, discordErrorCode, type MessagePayload } from '../discord-api.js';
import { messageLink } from '../links.js';
import type { UploadFile } from '../multipart.js';
import { type PreparedImage, packParts } from '../pack-images.js';
import { lineageOf } from '../set-lineage.js';
import { classifyGalleryFailure, GalleryFailures } from './failures.js';
import { aspectTagName } from './permissions.js';
import {
  formatPostRef,
  type GalleryPostRef,
  galleryTitle,
  parsePostRef,
  postLink,
  renderGalleryPart,
  renderGalleryPost,
} from './post.js';

/** Discord's "this message already has a thread". */
const THREAD_ALREADY_EXISTS = 160_004;
const TRANSIENT_ATTEMPTS = 3;
/** How far before a step's start a post it made may be dated (clock skew between us and Discord). */
const LOOKBACK_MS = 60_000;
const FORUM_TAG_LIMIT = 20;

export interface GalleryMirrorOptions {
  clock?: () => number;
  /** Pause between attempts after a transient failure (5xx, network). */
  retryDelayMs?: number;
}

export class GalleryMirror {
  readonly #tagLocks = new KeyedMutex();
  readonly #clock: () => number;
  readonly #retryDelayMs: number;
  readonly #failures: GalleryFailures;

  constructor(
    private readonly api: DiscordApi,
    private readonly settings: GuildSettingsStore,
    readonly index: GalleryIndex,
    private readonly log: Logger,
    options: GalleryMirrorOptions = {},
  ) {
    this.#clock = options.clock ?? Date.now;
    this.#retryDelayMs = options.retryDelayMs ?? 2_000;
    this.#failures = new GalleryFailures(api, settings, log, this.#clock);
  }

  /**
   * The gallery steps of one delivery. `files` gives the set's files (the contact sheet first, when there is one); it is called
   * only if a gallery post is still to be made.
   */
  async mirror(
    job: JobRecord,
    files: () => Promise<PreparedImage[]>,
    steps: DeliverySteps,
    signal: AbortSignal,
  ): Promise<void> {
    const outcome = job.delivery['gallery:end'];
    if (outcome?.state !== 'done') {
      const result = await this.#mirrorWithRetries(job, files, steps, signal);
      // "off" costs nothing to find out again; an outcome is recorded so it is not redone.
      if (result !== 'off') await steps.once('gallery:end', async () => result);
    }
    await steps.once('gallery:index', async () => {
      try {
        await this.#index(job, steps);
        return 'indexed';
      } catch (error) {
        // The index is a convenience: a store hiccup must not hold the set back.
        this.log.warn({ jobId: job.id, err: describeError(error) }, 'could not index the set');
        return 'skipped';
      }
    });
  }

  /** Delete on a result: its gallery post and its index entries go too. */
  async removeSet(job: JobRecord): Promise<{ postRemoved: boolean }> {
    let postRemoved = false;
    const ref = parsePostRef(job.delivery.gallery?.result);
    if (ref) {
      try {
        if (ref.kind === 'text') {
          await ignoreGone(this.api.deleteMessage(ref.channelId, ref.messageId));
          if (job.delivery['gallery:thread']?.state === 'done') await ignoreGone(this.api.deleteChannel(ref.threadId));
        } else {
          await ignoreGone(this.api.deleteChannel(ref.threadId));
        }
        postRemoved = true;
      } catch (error) {
        this.log.warn({ jobId: job.id, code: discordErrorCode(error) }, 'could not remove the gallery post');
      }
    }
    await this.index.remove(job.id);
    return { postRemoved };
  }

  async #mirrorWithRetries(
    job: JobRecord,
    filesOf: () => Promise<PreparedImage[]>,
    steps: DeliverySteps,
    signal: AbortSignal,
  ): Promise<string> {
    const guildId = job.owner.guildId;
    if (!guildId) return 'off';
    // A post already made keeps its channel even if the settings changed since (see #post).
    const settings = (await this.settings.get(guildId)).gallery;
    if (!settings) return 'off';
    const files = await filesOf();
    for (let attempt = 1; ; attempt++) {
      try {
        const ref = await this.#post(job, settings, files, steps);
        await this.#failures.end(guildId, settings.channelId);
        return formatPostRef(ref);
      } catch (error) {
        if (isAbortError(error) || signal.aborted) throw error;
        const failure = classifyGalleryFailure(error);
        if (failure) {
          this.log.warn({ jobId: job.id, code: failure.code, discordCode: failure.discordCode }, 'gallery post failed');
          await this.#failures
            .report(job, settings, failure)
            .catch((noticeError: unknown) =>
              this.log.warn({ jobId: job.id, err: describeError(noticeError) }, 'could not send the gallery notice'),
            );
          return `failed:${failure.code}`;
        }
        this.log.warn({ jobId: job.id, attempt, err: describeError(error) }, 'gallery post failed; may retry');
        if (attempt >= TRANSIENT_ATTEMPTS) return 'skipped';
        await sleep(this.#retryDelayMs * attempt, signal);
      }
    }
  }

  async #post(
    job: JobRecord,
    settings: GallerySettings,
    files: PreparedImage[],
    steps: DeliverySteps,
  ): Promise<GalleryPostRef> {
    const guildId = job.owner.guildId!;
    const parts = packParts(files.filter((file) => file.data !== undefined));
    const first = parts[0]?.images ?? [];
    const firstResult = job.delivery['part:0']?.result ?? steps.done()['part:0'];
    const payload = renderGalleryPost(job, first, {
      locale: settings.locale,
      resultUrl: firstResult ? messageLink(job, firstResult) : undefined,
      delivered: files.filter((file) => file.index >= 0).length,
    });
    const raw = await steps.once('gallery', (nonce, attempt) =>
      settings.kind === 'text'
        ? this.#postText(job, settings.channelId, payload, first, nonce, attempt)
        : this.#postForum(job, guildId, settings.channelId, payload, first, attempt),
    );
    const ref = parsePostRef(raw);
    if (!ref) throw new Error(`unreadable gallery post reference: ${raw}`);
    if (parts.length > 1 && ref.kind === 'text') {
      await steps.once('gallery:thread', async () => {
        try {
          return await this.api.startThreadFromMessage(ref.channelId, ref.messageId, galleryTitle(job.prompt, 100));
        } catch (error) {
          if (discordErrorCode(error) === THREAD_ALREADY_EXISTS) return ref.messageId;
          throw error;
        }
      });
    }
    for (const [index, part] of parts.entries()) {
      if (index === 0) continue;
      await steps.once(`gallery:part:${index}`, (nonce, attempt) =>
        this.#postOnce(job, ref.threadId, renderGalleryPart(job, part.images), part.images, nonce, attempt),
      );
    }
    return ref;
  }

  async #postText(
    job: JobRecord,
    channelId: string,
    payload: MessagePayload,
    images: readonly PreparedImage[],
    nonce: string,
    attempt: number,
  ): Promise<string> {
    const messageId = await this.#postOnce(job, channelId, payload, images, nonce, attempt);
    return formatPostRef({ kind: 'text', channelId, messageId });
  }

  /** A message posted at most once: nonce for the quick retry, a look-up for a late one. */
  async #postOnce(
    job: JobRecord,
    channelId: string,
    payload: MessagePayload,
    images: readonly PreparedImage[],
    nonce: string,
    attempt: number,
  ): Promise<string> {
    if (attempt > 1) {
      const found = await this.#findMessage(job, channelId, images[0]?.filename);
      if (found) return found.id;
    }
    const message = await this.api.postMessageReturning(channelId, payload, rawFiles(images), nonce);
    return message.id;
  }

  async #postForum(
    job: JobRecord,
    guildId: string,
    channelId: string,
    payload: MessagePayload,
    images: readonly PreparedImage[],
    attempt: number,
  ): Promise<string> {
    if (attempt > 1) {
      const found = await this.#findForumPost(job, guildId, channelId);
      if (found) return formatPostRef({ kind: 'forum', channelId, messageId: found });
    }
    const tags = await this.#tagsFor(channelId, aspectTagName(setParameters(job).aspect));
    const post = await this.api.createForumPost(
      channelId,
      { name: galleryTitle(job.prompt, 100), appliedTags: tags, message: payload },
      rawFiles(images),
    );
    return formatPostRef({ kind: 'forum', channelId, messageId: post.id });
  }

  /** A post this job made in an earlier run that died before recording it. */
  async #findForumPost(job: JobRecord, guildId: string, channelId: string): Promise<string | undefined> {
    const since = (job.delivery.gallery?.startedAt ?? this.#clock()) - LOOKBACK_MS;
    const botId = await this.api.botUserId();
    const threads = (await this.api.activeThreads(guildId)).filter(
      (thread) =>
        thread.parent_id === channelId &&
        thread.owner_id === botId &&
        Number(SnowflakeUtil.timestampFrom(thread.id)) >= since,
    );
    for (const thread of threads) {
      const starter = await this.api.getMessage(thread.id, thread.id).catch(() => undefined);
      if (starter && carriesJob(starter, job.id)) {
        this.log.info({ jobId: job.id, threadId: thread.id }, 'found the gallery post of an interrupted run');
        return thread.id;
      }
    }
    return undefined;
  }

  #findMessage(job: JobRecord, channelId: string, filename: string | undefined): Promise<APIMessage | undefined> {
    const since = (job.delivery.gallery?.startedAt ?? this.#clock()) - LOOKBACK_MS;
    return this.api.findOwnMessage(channelId, since, (message) =>
      (message.attachments ?? []).some((a) =>
        filename ? a.filename === filename : a.filename.startsWith(`seedream-${job.id}-`),
      ),
    );
  }

  /** The id of the forum's tag named `name`, created once if absent (empty: untagged). */
  async #tagsFor(channelId: string, name: string): Promise<string[]> {
    return this.#tagLocks.run(channelId, async () => {
      const channel = await this.api.getChannel(channelId);
      const tags = 'available_tags' in channel ? (channel.available_tags ?? []) : [];
      const existing = tags.find((tag) => tag.name.toLowerCase() === name.toLowerCase());
      if (existing) return [existing.id];
      if (tags.length >= FORUM_TAG_LIMIT) return [];
      try {
        const updated = await this.api.setForumTags(channelId, [...tags, { name }]);
        const created = ('available_tags' in updated ? (updated.available_tags ?? []) : []).find(
          (tag) => tag.name.toLowerCase() === name.toLowerCase(),
        );
        return created ? [created.id] : [];
      } catch (error) {
        const code = discordErrorCode(error);
        if (code === DISCORD_ERRORS.missingPermissions || code === DISCORD_ERRORS.missingAccess) {
          // Untagged beats nothing; a forum that requires tags then fails with 40067 and says so.
          this.log.info({ channelId, tag: name }, 'cannot create the forum tag; posting untagged');
          return [];
        }
        throw error;
      }
    });
  }

  async #index(job: JobRecord, steps: DeliverySteps): Promise<void> {
    const done = { ...steps.done() };
    for (const [key, step] of Object.entries(job.delivery)) if (step.result) done[key] ??= step.result;
    const resultId = done['part:0'];
    if (!resultId) return;
    const ref = parsePostRef(done.gallery);
    const guildId = job.owner.guildId;
    // The preview as posted: the gallery post's first file, else the result's (sheet or image 1).
    const fromPost = ref
      ? await this.#firstAttachmentUrl(ref.kind === 'forum' ? ref.threadId : ref.channelId, ref.messageId)
      : undefined;
    const previewUrl = fromPost ?? (await this.#firstAttachmentUrl(job.owner.channelId, resultId));
    const set = setParameters(job);
    await this.index.add({
      jobId: job.id,
      userId: job.owner.userId,
      guildId,
      channelId: job.owner.channelId,
      prompt: job.prompt,
      seed: set.seed ?? null,
      aspect: set.aspect,
      count: job.imageUrls.length - job.missingImages.length,
      quality: set.quality,
      createdAt: job.createdAt,
      resultUrl: messageLink(job, resultId),
      ...(ref && guildId ? { postUrl: postLink(guildId, ref) } : {}),
      ...(previewUrl ? { previewUrl } : {}),
      ...lineageOf(job),
    });
  }

  async #firstAttachmentUrl(channelId: string, messageId: string): Promise<string | undefined> {
    try {
      const message = await this.api.getMessage(channelId, messageId);
      return message.attachments?.[0]?.url;
    } catch {
      return undefined;
    }
  }
}

function carriesJob(message: APIMessage, jobId: string): boolean {
  return (message.attachments ?? []).some((a) => a.filename.startsWith(`seedream-${jobId}-`));
}

function rawFiles(images: readonly PreparedImage[]): UploadFile[] {
  return images
    .filter((image) => image.data !== undefined)
    .map((image) => ({ name: image.filename, data: image.data!, contentType: image.contentType }));
}

async function ignoreGone(deletion: Promise<void>): Promise<void> {
  try {
    await deletion;
  } catch (error) {
    const code = discordErrorCode(error);
    if (code !== DISCORD_ERRORS.unknownMessage && code !== DISCORD_ERRORS.unknownChannel) throw error;
  }
}
