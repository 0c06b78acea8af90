/**
 * Gallery failure episodes: a permanent failure (channel gone, permission lost, post refused)
 * opens one in the guild settings and posts one notice to the server's admins about it; the
 * next post that goes through (or /gallery setup) ends it. Transient failures (5xx, network)
 * are the mirror's to retry and never open one.
 */
import { createHash } from 'node:crypto';
import type { JobRecord } from '../../engine/job.js';
import type { GalleryFailure, GallerySettings } from '../../guilds/gallery-settings.js';
import type { GuildSettingsStore } from '../../guilds/guild-settings.js';
import { t, tDynamic } from '../../i18n/index.js';
import type { Logger } from '../../log.js';
import { KeyedMutex } from '../../util/keyed-mutex.js';
import { DISCORD_ERRORS, type DiscordApi, discordErrorCode, type MessagePayload } from '../discord-api.js';
import { checkGalleryChannel, permissionList } from './permissions.js';

/** Why a gallery post could not be made, by a code under `errors.` in the catalogue. */
export class GalleryFailedError extends Error {
  constructor(
    readonly code: string,
    readonly discordCode: number | undefined,
  ) {
    super(`gallery failed: ${code} (${discordCode})`);
  }
}

/** Permanent failures by Discord's answer; undefined for ones worth retrying (5xx, network). */
export function classifyGalleryFailure(error: unknown): GalleryFailedError | undefined {
  if (error instanceof GalleryFailedError) return error;
  const code = discordErrorCode(error);
  const status = (error as { status?: unknown } | null)?.status;
  if (code === DISCORD_ERRORS.unknownChannel) return new GalleryFailedError('gallery_channel_missing', code);
  if (code === DISCORD_ERRORS.missingAccess || code === DISCORD_ERRORS.missingPermissions) {
    return new GalleryFailedError('gallery_permissions_missing', code);
  }
  if (code === 40_067) return new GalleryFailedError('gallery_tag_required', code);
  if (typeof status === 'number' && status >= 400 && status < 500 && status !== 429) {
    return new GalleryFailedError('gallery_post_refused', code);
  }
  return undefined;
}

export class GalleryFailures {
  readonly #noticeLocks = new KeyedMutex();

  constructor(
    private readonly api: DiscordApi,
    private readonly settings: GuildSettingsStore,
    private readonly log: Logger,
    private readonly clock: () => number,
  ) {}

  /** Opens an episode for `failure` (unless one is open) and sends its notice once. */
  async report(job: JobRecord, settings: GallerySettings, failure: GalleryFailedError): Promise<void> {
    const guildId = job.owner.guildId!;
    let missing: string[] = [];
    let code = failure.code;
    if (code === 'gallery_permissions_missing' || code === 'gallery_post_refused') {
      try {
        missing = (await checkGalleryChannel(this.api, settings.channelId)).missing;
        if (missing.length > 0) code = 'gallery_permissions_missing';
      } catch (error) {
        if (discordErrorCode(error) === DISCORD_ERRORS.unknownChannel) code = 'gallery_channel_missing';
        else if (discordErrorCode(error) === DISCORD_ERRORS.missingAccess) missing = ['ViewChannel'];
      }
    }
    await this.#noticeLocks.run(guildId, async () => {
      const now = this.clock();
      const updated = await this.settings.update(guildId, (current) => {
        const gallery = current.gallery;
        // Set up again (or turned off) meanwhile: not this episode's business any more.
        if (!gallery || gallery.channelId !== settings.channelId || gallery.failure) return current;
        const failureRecord: GalleryFailure = {
          code,
          missing,
          since: now,
          noticeChannelId: job.owner.channelId,
          noticeNonce: `gn${createHash('sha1').update(`${guildId}:${now}`).digest('hex').slice(0, 20)}`,
        };
        return { ...current, gallery: { ...gallery, failure: failureRecord } };
      });
      const episode = updated.gallery?.failure;
      if (!episode || episode.noticeMessageId || updated.gallery?.channelId !== settings.channelId) return;
      const messageId = await this.#sendNotice(guildId, updated.gallery, episode);
      await this.settings.update(guildId, (current) => {
        const gallery = current.gallery;
        if (gallery?.failure?.since !== episode.since) return current;
        return { ...current, gallery: { ...gallery, failure: { ...gallery.failure, noticeMessageId: messageId } } };
      });
      this.log.info({ guildId, code: episode.code, messageId }, 'gallery notice sent to admins');
    });
  }

  async #sendNotice(guildId: string, gallery: GallerySettings, episode: GalleryFailure): Promise<string> {
    const locale = gallery.locale;
    const reason =
      episode.code === 'gallery_permissions_missing' && episode.missing.length > 0
        ? t(locale, 'errors.gallery_permissions_missing', {
            channel: `<#${gallery.channelId}>`,
            permissions: permissionList(locale, episode.missing),
          })
        : (tDynamic(locale, `errors.${episode.code}`, { channel: `<#${gallery.channelId}>` }) ??
          `errors.${episode.code}`);
    const payload: MessagePayload = {
      embeds: [
        {
          title: t(locale, 'gallery.notice.title'),
          description: `${reason}\n\n${t(locale, 'gallery.notice.next')}`,
          color: 0xfee75c,
        },
      ],
    };
    try {
      return await this.api.postMessage(episode.noticeChannelId, payload, [], episode.noticeNonce);
    } catch (error) {
      // The channel of the job may refuse the bot too: the server's system channel is the fallback.
      const guild = await this.api.getGuild(guildId).catch(() => undefined);
      if (!guild?.system_channel_id || guild.system_channel_id === episode.noticeChannelId) throw error;
      return this.api.postMessage(guild.system_channel_id, payload, [], episode.noticeNonce);
    }
  }

  /** A post went through: whatever failed before is mended. */
  async end(guildId: string, channelId: string): Promise<void> {
    const current = (await this.settings.get(guildId)).gallery;
    if (!current?.failure || current.channelId !== channelId) return;
    await this.settings.update(guildId, (latest) => {
      if (!latest.gallery?.failure || latest.gallery.channelId !== channelId) return latest;
      const { failure: _ended, ...gallery } = latest.gallery;
      return { ...latest, gallery };
    });
    this.log.info({ guildId }, 'gallery works again; failure episode closed');
  }
}
