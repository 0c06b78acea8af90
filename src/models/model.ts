/**
 * The seam between the bot and one RunComfy model. Everything outside a model's folder asks
 * these questions instead of reading the model's field names, so a second model is a folder
 * and a registry line (see registry.ts).
 */
import type { z } from 'zod';
import type { ParsedOutput } from './image-output.js';

/** A model's input as stored on a job record: validated by the model's own schema. */
export type ModelInput = Readonly<Record<string, unknown>>;

/** Qualities the bot speaks of (messages under `card.quality.*`): a model maps its own to these. */
export type QualityKey = 'fast' | 'standard';

/** How a set reads, whatever model makes it: what cards, galleries, pricing and the ETA use. */
export interface SetParameters {
  /** The prompt exactly as sent (with the count phrase the model needs). */
  prompt: string;
  /** Images asked for. */
  count: number;
  /** The frame asked for, in pixels. */
  width: number;
  height: number;
  /** The aspect ratio's key ('16:9'…), or the model's own size value when it matches none. */
  aspect: string;
  quality: QualityKey;
  /** The model's own name of the size ('2560:1440 (16:9)'), for reports and logs. */
  size: string;
  /** The seed the set is made with, when one is fixed. */
  seed: number | undefined;
  /** The reference images' URLs the set is made from (empty for a model that takes none). */
  references: string[];
}

/** What a person asked for (slash-command options, CLI flags); `null`/absent: not given. */
export interface SetRequest {
  prompt: string;
  count?: number | null;
  /** Any spelling the model reads: '16:9', '16x9', '2560:1440 (16:9)'… */
  aspect?: string | null;
  seed?: number | null;
  quality?: QualityKey | null;
  locale?: string | null;
  /** Reference images as public HTTPS URLs, already checked (see src/references/); absent or empty: none. */
  references?: readonly string[] | null;
}

/** A server's defaults (already validated where they were saved). */
export interface SetDefaults {
  count?: number | null;
  aspect?: string | null;
  quality?: QualityKey | null;
}

export interface ImageModel<I extends ModelInput = ModelInput> {
  /** Stable name stored on job records; also the RunComfy model id unless configured otherwise. */
  readonly key: string;
  /** The most images one request can make. */
  readonly maxImages: number;
  /** Every input we send and every stored input parses with it. */
  readonly inputSchema: z.ZodType<I>;
  /** The input for `request`, validated and reconciled; InputError on a person's mistake. */
  buildInput(request: SetRequest, defaults?: SetDefaults): I;
  parameters(input: I): SetParameters;
  /** How `parameters().aspect` reads on a card in `locale` ('16:9 widescreen', '16:9 寬螢幕'). */
  aspectLabel(aspect: string, locale: string): string;
  /** The same input made with `seed`. */
  withSeed(input: I, seed: number): I;
  /** A seed drawn from the whole range the model takes. */
  randomSeed(): number;
  /** The image URLs of a finished request's `output`, checked (see image-output.ts). */
  parseOutput(output: unknown, options: { requested: number; allowedHosts: readonly string[] }): ParsedOutput;
}
