/**
 * The bot's few raw REST calls, on discord.js's REST client (so its rate-limit handling,
 * retries on 429 and global bucket apply). Cards are edited through the interaction's
 * webhook while its token lives (15 min) and through the channel route afterwards; results
 * are posted with a nonce and `enforce_nonce`, so a post repeated after a crash is answered
 * with the first message instead of a second one.
 */
import { type RawFile, type REST, Routes } from 'discord.js';
import { AppError } from '../errors.js';
import type { JobRecord } from '../jobs/job.js';
import type { CardMessage } from './status-card.js';
import { NO_MENTIONS } from './text.js';

/** Interaction tokens live 15 minutes; stop using them a little before. */
export const INTERACTION_TOKEN_TTL_MS = 14 * 60_000;

export interface MessagePayload {
  content?: string;
  embeds?: unknown[];
  components?: unknown[];
  attachments?: Array<{ id: number; filename: string; description?: string }>;
}

export class DiscordApi {
  constructor(
    readonly rest: REST,
    readonly applicationId: string,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Edits the job's status card by whichever route still works. */
  async editCard(job: JobRecord, card: CardMessage): Promise<void> {
    const body = { ...card, allowed_mentions: NO_MENTIONS };
    const token = job.surface.interactionToken;
    const issuedAt = job.surface.interactionAt;
    if (
      typeof token === 'string' &&
      typeof issuedAt === 'number' &&
      this.clock() - issuedAt < INTERACTION_TOKEN_TTL_MS
    ) {
      await this.rest.patch(Routes.webhookMessage(this.applicationId, token, '@original'), { body, auth: false });
      return;
    }
    const messageId = job.surface.cardMessageId;
    if (typeof messageId !== 'string') throw new AppError('card_unknown', 'The status card message id is not known');
    await this.rest.patch(Routes.channelMessage(job.owner.channelId, messageId), { body });
  }

  /** Posts a message in a channel; `nonce` makes a repeated post return the first message. */
  async postMessage(channelId: string, payload: MessagePayload, files: RawFile[], nonce: string): Promise<string> {
    const message = (await this.rest.post(Routes.channelMessages(channelId), {
      body: { ...payload, nonce, enforce_nonce: true, allowed_mentions: NO_MENTIONS },
      files,
    })) as { id: string };
    return message.id;
  }

  /** Posts through the interaction's follow-up webhook (where the bot may not post in the channel). */
  async followUp(job: JobRecord, payload: MessagePayload, files: RawFile[]): Promise<string> {
    const token = job.surface.interactionToken;
    if (typeof token !== 'string') throw new AppError('interaction_expired', 'No interaction token');
    const message = (await this.rest.post(Routes.webhook(this.applicationId, token), {
      body: { ...payload, allowed_mentions: NO_MENTIONS },
      files,
      query: new URLSearchParams({ wait: 'true' }),
      auth: false,
    })) as { id: string };
    return message.id;
  }

  interactionTokenAlive(job: JobRecord): boolean {
    const issuedAt = job.surface.interactionAt;
    return (
      typeof job.surface.interactionToken === 'string' &&
      typeof issuedAt === 'number' &&
      this.clock() - issuedAt < INTERACTION_TOKEN_TTL_MS
    );
  }

  async deleteMessage(channelId: string, messageId: string): Promise<void> {
    await this.rest.delete(Routes.channelMessage(channelId, messageId));
  }
}

/** Discord's JSON error code of a failed REST call (10008 unknown message, 50013 missing permissions…). */
export function discordErrorCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export const DISCORD_ERRORS = {
  unknownMessage: 10008,
  unknownChannel: 10003,
  missingAccess: 50001,
  missingPermissions: 50013,
  unknownInteraction: 10062,
  alreadyAcknowledged: 40060,
  requestTooLarge: 40005,
} as const;
