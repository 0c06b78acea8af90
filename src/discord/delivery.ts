/**
 * Posts a finished set into the requester's channel as image embeds backed by attachments,
 * numbered 1/N…, spilling over as many messages as Discord's limits need. Each message is one
 * durable delivery step with a stable nonce, so a crash never doubles or loses a part.
 */
import { type APIEmbed, ButtonStyle, ComponentType, type RawFile } from 'discord.js';
import { t } from '../i18n/index.js';
import { type Deliverer, type DeliverySteps, PermanentDeliveryError } from '../jobs/engine.js';
import type { SpooledImage } from '../jobs/image-spool.js';
import type { JobRecord } from '../jobs/job.js';
import type { Logger } from '../log.js';
import { findAspectRatioByImageSize } from '../seedream/aspect-ratios.js';
import { messageLink } from './card-updater.js';
import { CONTACT_SHEET_MIN_IMAGES, contactSheetImage } from './contact-sheet.js';
import { customId } from './custom-id.js';
import { DISCORD_ERRORS, type DiscordApi, discordErrorCode, type MessagePayload } from './discord-api.js';
import type { GalleryMirror } from './gallery-mirror.js';
import { DISCORD_LIMITS, type PackedPart, type PreparedImage, packParts, prepareImages } from './pack-images.js';
import { renderStatusCard } from './status-card.js';
import { escapeUserText, formatDuration, formatUsd, truncate } from './text.js';

const RESULT_COLOUR = 0x57f287;

export class DiscordDeliverer implements Deliverer {
  constructor(
    private readonly api: DiscordApi,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
    /** Mirrors each set into its server's gallery (absent: no galleries). */
    private readonly gallery?: GalleryMirror,
  ) {}

  async deliver(job: JobRecord, images: SpooledImage[], steps: DeliverySteps, signal?: AbortSignal): Promise<void> {
    const fileLimit =
      typeof job.surface.attachmentLimit === 'number' ? job.surface.attachmentLimit : DISCORD_LIMITS.defaultFileBytes;
    const prepared = await prepareImages(images, { fileLimitBytes: fileLimit, baseName: `seedream-${job.id}` });
    const files = await this.#withContactSheet(job, images, prepared, steps);
    const parts = packParts(files);
    const total = job.input.sequential_image_generation_options;
    for (const [index, part] of parts.entries()) {
      const last = index === parts.length - 1;
      await steps.once(`part:${index}`, (nonce) =>
        this.#post(job, renderPart(job, part, index, total, last), part, nonce),
      );
    }
    // After the result, before the card: the gallery post (its own steps; never fails the set).
    await this.gallery?.mirror(job, files, steps, signal ?? new AbortController().signal);
    // The card's final edit is a step too: a crash between the last post and "delivered"
    // cannot leave the card saying "posting…" forever.
    await steps.once('card', async () => {
      const delivered: JobRecord = {
        ...job,
        state: 'delivered',
        stateTimes: { ...job.stateTimes, delivered: this.clock() },
      };
      const first = steps.done()['part:0'];
      try {
        await this.api.editCard(
          delivered,
          renderStatusCard(delivered, {
            locale: job.owner.locale,
            now: this.clock(),
            eta: { meanMs: 0 },
            ...(first ? { resultUrl: messageLink(job, first) } : {}),
          }),
        );
        return 'edited';
      } catch (error) {
        // A deleted card or an expired route must not hold the set back: it is already posted.
        this.log.info({ jobId: job.id, code: discordErrorCode(error) }, 'final card edit failed');
        return 'skipped';
      }
    });
  }

  /**
   * Sets of more than 4 open with their contact sheet. Whether this one does is recorded as a
   * step before the first part, so a resumed delivery packs the parts exactly as the first run did.
   */
  async #withContactSheet(
    job: JobRecord,
    images: SpooledImage[],
    prepared: PreparedImage[],
    steps: DeliverySteps,
  ): Promise<PreparedImage[]> {
    if (images.length < CONTACT_SHEET_MIN_IMAGES) return prepared;
    let sheet: PreparedImage | undefined;
    const decided = await steps.once('sheet', async () => {
      try {
        sheet = await contactSheetImage(images, `seedream-${job.id}`);
        return 'included';
      } catch (error) {
        this.log.warn({ jobId: job.id, err: error instanceof Error ? error.message : error }, 'no contact sheet');
        return 'none';
      }
    });
    if (decided !== 'included') return prepared;
    sheet ??= await contactSheetImage(images, `seedream-${job.id}`);
    return [sheet, ...prepared];
  }

  async #post(job: JobRecord, payload: MessagePayload, part: PackedPart, nonce: string): Promise<string> {
    const files: RawFile[] = part.images
      .filter((image) => image.data !== undefined)
      .map((image) => ({ name: image.filename, data: image.data!, contentType: image.contentType }));
    try {
      return await this.api.postMessage(job.owner.channelId, payload, files, nonce);
    } catch (error) {
      const code = discordErrorCode(error);
      const noAccess = code === DISCORD_ERRORS.missingAccess || code === DISCORD_ERRORS.missingPermissions;
      if (noAccess && this.api.interactionTokenAlive(job)) {
        // The bot may not post in this channel, but the interaction's follow-up still may.
        this.log.warn(
          { jobId: job.id, code },
          'no access to the channel; delivering through the interaction follow-up',
        );
        return this.api.followUp(job, payload, files);
      }
      if (noAccess || code === DISCORD_ERRORS.unknownChannel) {
        throw new PermanentDeliveryError('delivery_failed', `Discord refused the post (${code})`, { cause: error });
      }
      throw error;
    }
  }
}

function renderPart(job: JobRecord, part: PackedPart, partIndex: number, total: number, last: boolean): MessagePayload {
  const locale = job.owner.locale;
  const attachments = part.images
    .filter((image) => image.data !== undefined)
    .map((image, id) => ({ id, filename: image.filename, description: truncate(job.prompt, 1_000) }));
  const embeds: APIEmbed[] = part.images.map((image) => {
    const embed: APIEmbed = {
      title:
        image.index < 0
          ? t(locale, 'gallery.sheet_title', { total })
          : t(locale, 'result.image_title', { number: image.number, total }),
      color: RESULT_COLOUR,
    };
    if (image.data !== undefined) embed.image = { url: `attachment://${image.filename}` };
    else embed.description = t(locale, 'result.linked', { url: job.imageUrls[image.index] ?? '' });
    return embed;
  });
  if (partIndex === 0 && embeds[0]) embeds[0].description = summary(job, total);
  const payload: MessagePayload = { embeds, attachments };
  if (last) {
    payload.components = [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.Button,
            style: ButtonStyle.Secondary,
            label: t(locale, 'buttons.reroll'),
            custom_id: customId('reroll', job.id),
          },
          {
            type: ComponentType.Button,
            style: ButtonStyle.Danger,
            label: t(locale, 'buttons.delete'),
            custom_id: customId('delete', job.id),
          },
        ],
      },
    ];
  }
  return payload;
}

function summary(job: JobRecord, requested: number): string {
  const locale = job.owner.locale;
  const received = job.imageUrls.length - job.missingImages.length;
  const aspect = findAspectRatioByImageSize(job.input.image_size);
  const lines = [
    `>>> ${escapeUserText(truncate(job.prompt, 1_500))}`,
    t(locale, 'result.details', {
      requester: `<@${job.owner.userId}>`,
      seed: job.input.seed ?? t(locale, 'card.seed_random'),
      size: aspect ? `${aspect.width}×${aspect.height}` : job.input.image_size,
      quality: t(locale, `card.quality.${job.input.optimize_prompt_options}`),
      duration: formatDuration((job.stateTimes.fetching ?? job.updatedAt) - job.createdAt),
    }),
  ];
  if (received < requested) lines.push(t(locale, 'result.partial', { received, requested }));
  // What RunComfy says it charged (include_cost), when it says.
  if (job.cost !== undefined) lines.push(t(locale, 'spending.result_charged', { usd: formatUsd(job.cost) }));
  return lines.join('\n');
}
