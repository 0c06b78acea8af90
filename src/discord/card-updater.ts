/**
 * Keeps every status card in step with its job: subscribes to the engine's events and edits
 * the card, at most about once per 5 s per message (a state change may go after 1 s, so the
 * Cancel button disappears promptly once RunComfy starts the job; so does the first queue
 * position, which a short queue would otherwise never show). Relative timestamps make the
 * elapsed time and the ETA tick in the client; the ETA bar is text, so while a job runs the
 * card is edited again every tenth of the ETA (at most every 5 s) until the bar is full.
 */

import type { JobEngine } from '../engine/engine.js';
import { isTerminal, type JobRecord } from '../engine/job.js';
import type { Logger } from '../log.js';
import { DISCORD_ERRORS, type DiscordApi, discordErrorCode } from './discord-api.js';
import { messageLink } from './links.js';
import { renderStatusCard } from './status-card.js';

export interface CardUpdaterOptions {
  /** Spacing of ordinary edits (queue position…). */
  minIntervalMs?: number;
  /** Spacing before an edit that shows a new state. */
  stateIntervalMs?: number;
  clock?: () => number;
}

interface CardTimer {
  lastSentAt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  urgent: boolean;
  sending: Promise<void> | undefined;
  /** The queue position the card shows (null: none yet). */
  shownPosition: number | null;
}

/** The ETA bar has 10 cells: one edit per cell. */
const BAR_CELLS = 10;
/** The running bar stops at 95 % (status-card.ts): no edit after that changes it. */
const BAR_MAX_FRACTION = 0.95;

const newCard = (): CardTimer => ({
  lastSentAt: 0,
  timer: undefined,
  urgent: false,
  sending: undefined,
  shownPosition: null,
});

export class CardUpdater {
  readonly #cards = new Map<string, CardTimer>();
  readonly #minInterval: number;
  readonly #stateInterval: number;
  readonly #clock: () => number;
  #stopped = false;

  constructor(
    private readonly engine: JobEngine,
    private readonly api: DiscordApi,
    private readonly log: Logger,
    options: CardUpdaterOptions = {},
  ) {
    this.#minInterval = options.minIntervalMs ?? 5_000;
    this.#stateInterval = options.stateIntervalMs ?? 1_000;
    this.#clock = options.clock ?? Date.now;
    engine.on('state', (job) => this.request(job, true));
    engine.on('queue', (job) => {
      const shown = this.#cards.get(job.id)?.shownPosition ?? null;
      this.request(job, shown === null && job.queuePosition !== null);
    });
  }

  /** Asks for the card of `job` to be brought up to date (coalesced and throttled). */
  request(job: Pick<JobRecord, 'id' | 'surface'>, urgent: boolean): void {
    if (this.#stopped || job.surface.cardGone === true || job.surface.cardMessageId === undefined) return;
    const card = this.#cards.get(job.id) ?? newCard();
    this.#cards.set(job.id, card);
    card.urgent ||= urgent;
    if (card.timer) {
      if (!urgent) return;
      clearTimeout(card.timer); // an urgent change may go sooner than the pending one
    }
    const spacing = card.urgent ? this.#stateInterval : this.#minInterval;
    const wait = Math.max(0, card.lastSentAt + spacing - this.#clock());
    card.timer = setTimeout(() => {
      card.timer = undefined;
      card.urgent = false;
      card.sending = this.#send(job.id, card);
    }, wait);
  }

  /** Brings a card up to date now (e.g. after a button press), waiting for its edit. */
  async refresh(jobId: string): Promise<void> {
    const card = this.#cards.get(jobId) ?? newCard();
    this.#cards.set(jobId, card);
    if (card.timer) clearTimeout(card.timer);
    card.timer = undefined;
    await card.sending;
    await this.#send(jobId, card);
  }

  stop(): void {
    this.#stopped = true;
    for (const card of this.#cards.values()) if (card.timer) clearTimeout(card.timer);
    this.#cards.clear();
  }

  async #send(jobId: string, card: CardTimer): Promise<void> {
    const job = await this.engine.get(jobId);
    if (!job || job.surface.cardGone === true) return;
    card.lastSentAt = this.#clock();
    const eta = this.engine.estimate(job);
    try {
      const firstResult = job.delivery['part:0']?.result;
      await this.api.editCard(
        job,
        renderStatusCard(job, {
          locale: job.owner.locale,
          now: card.lastSentAt,
          eta,
          ...(firstResult ? { resultUrl: messageLink(job, firstResult) } : {}),
        }),
      );
      card.shownPosition = job.queuePosition;
      this.#nextBarEdit(job, card, eta.meanMs);
    } catch (error) {
      const code = discordErrorCode(error);
      if (code === DISCORD_ERRORS.unknownMessage || code === DISCORD_ERRORS.unknownChannel) {
        // Someone deleted the card: stop editing it; the results still arrive.
        this.log.info({ jobId }, 'status card is gone; no more edits');
        await this.engine.setSurface(jobId, { cardGone: true }).catch(() => undefined);
      } else {
        this.log.warn(
          { jobId, code, err: error instanceof Error ? error.message : String(error) },
          'status card edit failed',
        );
      }
    }
    if (isTerminal(job.state) && !card.timer) this.#cards.delete(jobId);
  }

  /** While running, the next edit moves the bar by one cell (and never sooner than the throttle). */
  #nextBarEdit(job: JobRecord, card: CardTimer, etaMs: number): void {
    const started = job.stateTimes.running;
    if (this.#stopped || job.state !== 'running' || started === undefined || card.timer || etaMs <= 0) return;
    const full = started + BAR_MAX_FRACTION * etaMs;
    const now = this.#clock();
    if (now >= full) return;
    card.timer = setTimeout(
      () => {
        card.timer = undefined;
        card.sending = this.#send(job.id, card);
      },
      Math.max(this.#minInterval, etaMs / BAR_CELLS),
    );
  }
}
