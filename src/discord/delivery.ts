/**
 * Posts a finished set into the requester's channel as Components V2 messages: a media gallery
 * of attachments numbered 1/N… (the prompt and parameters once, above the first), spilling over
 * as many messages as Discord's limits need, the actions under the last. Each message is one
 * durable delivery step with a stable nonce, so a crash never doubles or loses a part.
 */
import { type APIMessage, ButtonStyle, ComponentType } from 'discord.js';
import type { JobRecord } from '../engine/job.js';
import { type Deliverer, type DeliverySteps, PermanentDeliveryError } from '../engine/surface.js';
import { t } from '../i18n/index.js';
import type { Logger } from '../log.js';
import { setParameters } from '../models/registry.js';
import type { SpooledImage } from '../store/image-spool.js';
import { deleteCustomId } from './actions/delete.js';
import { infoCustomId } from './actions/info.js';
import { remixCustomId } from './actions/remix.js';
import { rerollCustomId } from './actions/reroll.js';
import { varyRow } from './actions/vary.js';
import {
  DISCORD_ERRORS,
  type DiscordApi,
  discordErrorCode,
  isTransientDiscordError,
  type MessagePayload,
} from './discord-api.js';
import { CONTACT_SHEET_MIN_IMAGES, contactSheetImage } from './gallery/contact-sheet.js';
import type { GalleryMirror } from './gallery/mirror.js';
import { setDurationMs } from './job-summary.js';
import { messageLink } from './links.js';
import type { UploadFile } from './multipart.js';
import { DISCORD_LIMITS, type PackedPart, type PreparedImage, packParts, prepareImages } from './pack-images.js';
import { renderResultGrid } from './result-grid.js';
import { renderStatusCard } from './status-card.js';
import { escapeUserText, formatDuration, formatUsd, plainUserText, truncate } from './text.js';

const RESULT_COLOUR = 0x57f287;

export class DiscordDeliverer implements Deliverer {
  constructor(
    private readonly api: DiscordApi,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
    /** Mirrors each set into its server's gallery (absent: no galleries). */
    private readonly gallery?: GalleryMirror,
    /** Makes a set's contact sheet (tests count the calls). */
    private readonly renderContactSheet: typeof contactSheetImage = contactSheetImage,
  ) {}

  async deliver(job: JobRecord, images: SpooledImage[], steps: DeliverySteps, signal?: AbortSignal): Promise<void> {
    const fileLimit =
      typeof job.surface.attachmentLimit === 'number' ? job.surface.attachmentLimit : DISCORD_LIMITS.defaultFileBytes;
    const baseName = `seedream-${job.id}`;
    const bigSet = images.length >= CONTACT_SHEET_MIN_IMAGES;
    const prepared = await prepareImages(images, { fileLimitBytes: fileLimit, baseName });
    // A set whose delivery began before the overview message existed opened with its sheet in
    // part 0; resumed, it keeps that packing so no part is posted twice or lost.
    const sheetFirst = steps.done()['sheet'] === 'included';
    // Made once, and only when a message still to be posted needs it: a resumed delivery whose
    // overview (and gallery post) is already up does not decode 15 frames again.
    let sheet: Promise<PreparedImage | undefined> | undefined;
    const sheetImage = () => {
      sheet ??= this.#renderSheet(job, images, baseName);
      return sheet;
    };
    const sheetFirstImage = sheetFirst ? await sheetImage() : undefined;
    const files = sheetFirstImage ? [sheetFirstImage, ...prepared] : prepared;
    const parts = packParts(files);
    const withOverview = bigSet && !sheetFirst && (await overviewNeeded(job, parts.length, steps));
    const total = setParameters(job).count;
    for (const [index, part] of parts.entries()) {
      const buttons = !withOverview && index === parts.length - 1;
      // A stopping engine parks the set between posts (and aborts a post under way): the steps
      // done are recorded, the rest is posted at the next start.
      signal?.throwIfAborted();
      const key = `part:${index}`;
      await steps.once(key, (nonce, attempt) =>
        this.#post(job, key, renderPart(job, part, index, total, buttons), part, nonce, attempt, signal),
      );
    }
    // The contact sheet is rendered once the images are up: decoding 15 frames takes a few
    // hundred ms of CPU that the images' upload would otherwise share.
    if (withOverview) {
      signal?.throwIfAborted();
      // The set's last message, where the channel is read: every image at a glance, and the buttons.
      await steps.once('overview', async (nonce, attempt) => {
        const sheet = await sheetImage();
        const part: PackedPart = { images: sheet ? [sheet] : [] };
        return this.#post(job, 'overview', renderOverview(job, sheet, prepared.length), part, nonce, attempt, signal);
      });
    }
    // After the result, before the card: the gallery post (its own steps; never fails the set).
    signal?.throwIfAborted();
    await this.gallery?.mirror(
      job,
      async () => {
        const sheet = bigSet ? await sheetImage() : undefined;
        return sheet ? [sheet, ...prepared] : prepared;
      },
      steps,
      signal ?? new AbortController().signal,
    );
    // The card's final edit is a step too: a crash between the last post and "delivered"
    // cannot leave the card saying "posting…" forever.
    signal?.throwIfAborted();
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

  /** The set's contact sheet, or undefined (logged) when it cannot be made: the set goes without. */
  async #renderSheet(job: JobRecord, images: SpooledImage[], baseName: string): Promise<PreparedImage | undefined> {
    try {
      return await this.renderContactSheet(images, baseName);
    } catch (error) {
      this.log.warn({ jobId: job.id, err: error instanceof Error ? error.message : error }, 'no contact sheet');
      return undefined;
    }
  }

  /**
   * Posts one message of the set. A step tried before may have landed with no record of it (a
   * crash between the post and its record): the nonce dedupes a retry within Discord's window
   * of minutes, and the bot's own message is looked for in the channel beyond it.
   */
  async #post(
    job: JobRecord,
    key: string,
    payload: MessagePayload,
    part: PackedPart,
    nonce: string,
    attempt: number,
    signal?: AbortSignal,
  ): Promise<string> {
    const files: UploadFile[] = part.images
      .filter((image) => image.data !== undefined)
      .map((image) => ({ name: image.filename, data: image.data!, contentType: image.contentType }));
    const startedAt = job.delivery[key]?.startedAt;
    if (attempt > 1 && startedAt !== undefined) {
      const earlier = await this.#findEarlierPost(job, startedAt, key, files);
      if (earlier) return earlier;
    }
    try {
      return await this.api.postMessage(job.owner.channelId, payload, files, nonce, signal);
    } catch (error) {
      const code = discordErrorCode(error);
      const noAccess = code === DISCORD_ERRORS.missingAccess || code === DISCORD_ERRORS.missingPermissions;
      if (noAccess && this.api.interactionTokenAlive(job)) {
        // The bot may not post in this channel, but the interaction's follow-up still may.
        this.log.warn(
          { jobId: job.id, code },
          'no access to the channel; delivering through the interaction follow-up',
        );
        return this.api.followUp(job, payload, files).catch((followUpError: unknown) => {
          throw permanentIfRefused(followUpError);
        });
      }
      if (noAccess || code === DISCORD_ERRORS.unknownChannel) {
        throw new PermanentDeliveryError('delivery_failed', `Discord refused the post (${code})`, { cause: error });
      }
      throw permanentIfRefused(error);
    }
  }

  /** The message an earlier attempt of this step posted, if it did (see #post). */
  async #findEarlierPost(
    job: JobRecord,
    startedAt: number,
    key: string,
    files: UploadFile[],
  ): Promise<string | undefined> {
    const first = files[0]?.name;
    // A message of this step carries its first file; an overview without a sheet, its buttons.
    const matches = (message: APIMessage) =>
      first !== undefined
        ? (message.attachments ?? []).some((a) => a.filename === first)
        : key === 'overview' && JSON.stringify(message.components ?? []).includes(`"${rerollCustomId(job.id)}"`);
    if (first === undefined && key !== 'overview') return undefined; // only the nonce can tell
    try {
      const found = await this.api.findOwnMessage(job.owner.channelId, startedAt - CLOCK_SKEW_MS, matches);
      if (found)
        this.log.info({ jobId: job.id, step: key, messageId: found.id }, 'found the post of an earlier attempt');
      return found?.id;
    } catch (error) {
      // The channel cannot be read (no Read Message History…): the nonce is all there is.
      this.log.warn({ jobId: job.id, step: key, code: discordErrorCode(error) }, 'could not look for an earlier post');
      return undefined;
    }
  }
}

/**
 * Whether a set of 5 or more images ends with the overview message (contact sheet and buttons).
 * One message's grid shows every image at a glance, so only a set spread over several messages
 * gets it. A delivery begun before the grid (parts posted, no `layout` record) always had it
 * and its parts no buttons: resumed, it keeps that plan. A fresh one-message set records its
 * plan first, so a crash after its post is not taken for such a delivery.
 */
async function overviewNeeded(job: JobRecord, messages: number, steps: DeliverySteps): Promise<boolean> {
  if (messages > 1) return true;
  const recorded = { ...job.delivery, ...steps.done() };
  const begunBeforeGrid =
    recorded[LAYOUT_STEP] === undefined && Object.keys(recorded).some((key) => key.startsWith('part:'));
  if (begunBeforeGrid) return true;
  await steps.once(LAYOUT_STEP, async () => 'grid');
  return false;
}

const LAYOUT_STEP = 'layout';

/** How far before a step's recorded start its message is looked for (clocks of two hosts). */
const CLOCK_SKEW_MS = 60_000;

/**
 * A post Discord refused for what it is (a 4xx other than 429: 50035 Invalid Form Body, a
 * payload too large…) ends the delivery at once: the same post would be refused again, and the
 * member would watch "Posting the images…" through every retry.
 */
function permanentIfRefused(error: unknown): unknown {
  if (isTransientDiscordError(error)) return error;
  const code = discordErrorCode(error);
  const status = (error as { status?: unknown }).status;
  return new PermanentDeliveryError('delivery_refused', `Discord refused the post (${status} / ${code})`, {
    cause: error,
    params: { code: code ?? String(status) },
  });
}

function renderPart(
  job: JobRecord,
  part: PackedPart,
  partIndex: number,
  total: number,
  buttons: boolean,
): MessagePayload {
  const locale = job.owner.locale;
  return renderResultGrid({
    // The prompt and parameters once, on the set's first message.
    ...(partIndex === 0 ? { text: summary(job, total) } : {}),
    images: part.images,
    label: (image) =>
      image.index < 0
        ? t(locale, 'gallery.sheet_title', { total })
        : t(locale, 'result.image_title', { number: image.number, total }),
    linked: part.images
      .filter((image) => image.data === undefined)
      .map(
        (image) =>
          `${t(locale, 'result.image_title', { number: image.number, total })}: ${t(locale, 'result.linked', { url: job.imageUrls[image.index] ?? '' })}`,
      ),
    fileDescription: truncate(plainUserText(job.prompt), 1_000),
    accentColour: RESULT_COLOUR,
    ...(buttons ? { actions: resultButtons(job) } : {}),
  });
}

/** The message after a set spread over several messages: its contact sheet (when it could be made) and the buttons. */
function renderOverview(job: JobRecord, sheet: PreparedImage | undefined, received: number): MessagePayload {
  const locale = job.owner.locale;
  const title = t(locale, 'gallery.sheet_title', { total: received });
  const text = t(locale, sheet ? 'result.overview' : 'result.overview_unavailable', { total: received });
  return renderResultGrid({
    text: `### ${title}\n${text}`,
    images: sheet ? [sheet] : [],
    label: () => title,
    linked: [],
    fileDescription: truncate(plainUserText(job.prompt), 1_000),
    accentColour: RESULT_COLOUR,
    actions: resultButtons(job),
  });
}

/**
 * The actions under the set's last message, one row (Discord: 5 buttons a row, 5 rows): Reroll,
 * Remix, Info, then Delete apart at the end. A button more goes into `RESULT_ACTIONS`.
 */
const RESULT_ACTIONS = [
  { labelKey: 'buttons.reroll', style: ButtonStyle.Secondary, customId: rerollCustomId },
  { labelKey: 'buttons.remix', style: ButtonStyle.Secondary, customId: remixCustomId },
  { labelKey: 'buttons.info', style: ButtonStyle.Secondary, customId: infoCustomId },
  { labelKey: 'buttons.delete', style: ButtonStyle.Danger, customId: deleteCustomId },
] as const;

function resultButtons(job: JobRecord): NonNullable<MessagePayload['components']> {
  const locale = job.owner.locale;
  return [
    {
      type: ComponentType.ActionRow,
      components: RESULT_ACTIONS.map((action) => ({
        type: ComponentType.Button as const,
        style: action.style,
        label: t(locale, action.labelKey),
        custom_id: action.customId(job.id),
      })),
    },
    ...varyRow(job),
  ];
}

function summary(job: JobRecord, requested: number): string {
  const locale = job.owner.locale;
  const received = job.imageUrls.length - job.missingImages.length;
  const set = setParameters(job);
  const lines = [
    `>>> ${escapeUserText(truncate(job.prompt, 1_500))}`,
    t(locale, 'result.details', {
      requester: `<@${job.owner.userId}>`,
      seed: set.seed ?? t(locale, 'card.seed_random'),
      size: `${set.width}×${set.height}`,
      quality: t(locale, `card.quality.${set.quality}`),
      duration: formatDuration(setDurationMs(job, job.updatedAt)),
    }),
  ];
  // Fewer listed than asked is the model's doing; a listed image we could not use is said apart.
  const returned = job.imageUrls.length;
  if (returned < requested) lines.push(t(locale, 'result.partial', { received: returned, requested }));
  if (received < returned) {
    const numbers = job.missingImages.map((index) => index + 1).join(', ');
    lines.push(t(locale, 'result.unusable', { numbers, count: job.missingImages.length }));
  }
  // What RunComfy says it charged (include_cost), when it says.
  if (job.cost !== undefined) lines.push(t(locale, 'spending.result_charged', { usd: formatUsd(job.cost) }));
  return lines.join('\n');
}
