/**
 * What a set costs: RunComfy's own price from the model info (`base_price_usd`,
 * `price_unit`) when it answers with a unit we understand, else PRICE_PER_IMAGE_USD.
 * The quote is refreshed now and then; an estimate is images × price per image.
 */

import type { CostEstimate } from '../engine/job.js';
import { type Logger, silentLogger } from '../log.js';
import type { ModelInfo } from '../runcomfy/schemas.js';

export interface PriceQuote {
  /** US$ per `unit`. */
  priceUsd: number;
  /** Per image (the model bills the count asked for) or per request (a flat price). */
  unit: 'image' | 'request';
  source: 'runcomfy' | 'config';
  fetchedAt: number | null;
}

export interface PriceBookOptions {
  /** PRICE_PER_IMAGE_USD: used until, and whenever, RunComfy's own price is unknown. */
  fallbackPerImageUsd: number;
  /** Reads the model info (RunComfyClient.modelInfo); none = always the configured price. */
  fetchInfo?: () => Promise<ModelInfo>;
  clock?: () => number;
  logger?: Logger;
}

/** How to read a `price_unit`; undefined = a unit we cannot turn into a price per set. */
export function unitOf(priceUnit: string | null | undefined): PriceQuote['unit'] | undefined {
  if (priceUnit === null || priceUnit === undefined || priceUnit.trim() === '') return 'image';
  const unit = priceUnit.trim().toLowerCase();
  if (/\b(image|images|img|picture|output)s?\b|per[_ -]?image/.test(unit)) return 'image';
  if (/\b(request|run|call|generation|job|prediction)s?\b/.test(unit)) return 'request';
  return undefined;
}

export class PriceBook {
  readonly #options: PriceBookOptions;
  readonly #clock: () => number;
  readonly #log: Logger;
  #quote: PriceQuote;

  constructor(options: PriceBookOptions) {
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
    this.#log = options.logger ?? silentLogger;
    this.#quote = this.#configured();
  }

  get quote(): PriceQuote {
    return this.#quote;
  }

  /** Asks RunComfy for the price; keeps the configured one when it cannot say. Never throws. */
  async refresh(): Promise<PriceQuote> {
    if (!this.#options.fetchInfo) return this.#quote;
    try {
      const info = await this.#options.fetchInfo();
      const price = info.base_price_usd;
      const unit = unitOf(info.price_unit);
      if (typeof price === 'number' && Number.isFinite(price) && price >= 0 && unit !== undefined) {
        this.#quote = { priceUsd: price, unit, source: 'runcomfy', fetchedAt: this.#clock() };
        this.#log.info({ priceUsd: price, unit: info.price_unit }, 'price from RunComfy');
      } else {
        this.#log.warn(
          { base_price_usd: price, price_unit: info.price_unit },
          'RunComfy model info has no usable price; using PRICE_PER_IMAGE_USD',
        );
        this.#quote = this.#configured();
      }
    } catch (error) {
      // Keep what we had (a previous RunComfy price is better than none).
      this.#log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'could not read the price from RunComfy',
      );
    }
    return this.#quote;
  }

  /** The estimated cost of a set of `images`. */
  estimate(images: number): CostEstimate {
    const { priceUsd, unit, source } = this.#quote;
    const usd = roundUsd(unit === 'image' ? priceUsd * images : priceUsd);
    return { usd, perImageUsd: roundUsd(unit === 'image' ? priceUsd : priceUsd / Math.max(1, images)), source };
  }

  #configured(): PriceQuote {
    return { priceUsd: this.#options.fallbackPerImageUsd, unit: 'image', source: 'config', fetchedAt: null };
  }
}

/** Six decimals: micro-dollars, what the counters keep. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1_000_000) / 1_000_000;
}
