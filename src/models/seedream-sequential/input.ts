/**
 * The input of ByteDance Seedream 4.0 "sequential" on RunComfy's Model API, field for field
 * as the model page lists them (see /work/shared/runcomfy-api.md, "Input").
 *
 * The schema describes exactly what we send, so every field except `seed` is required here:
 * the defaults live in `SEEDREAM_DEFAULTS` and are applied by `buildSeedreamInput`. Job records
 * parse their stored input with this schema too, so it deliberately does not re-check that the
 * prompt states the count (that rule may evolve; stored records must keep parsing).
 */
import { randomInt } from 'node:crypto';
import { z } from 'zod';

/** The model page's limit on `text`, counted in UTF-16 code units (see `promptLength`). */
export const MAX_PROMPT_LENGTH = 600;
export const MIN_IMAGES = 1;
export const MAX_IMAGES = 15;

/**
 * Seed range. The model page only says "integer"; the upstream ByteDance API documents
 * [-1, 2147483647] with -1 meaning "random". We accept the non-negative part (a 32-bit signed
 * int) and express "random" by omitting the field, so no host can misread a negative value.
 */
export const MIN_SEED = 0;
export const MAX_SEED = 2_147_483_647;

/** The eight sizes of the model page; the parenthesised ratio is part of the value. */
export const IMAGE_SIZES = [
  '2048:2048 (1:1)',
  '2304:1728 (4:3)',
  '1728:2304 (3:4)',
  '2560:1440 (16:9)',
  '1440:2560 (9:16)',
  '2496:1664 (3:2)',
  '1664:2496 (2:3)',
  '3024:1296 (21:9)',
] as const;
export type ImageSize = (typeof IMAGE_SIZES)[number];

/** `standard` is better and slower than `fast`. */
export const QUALITY_OPTIONS = ['fast', 'standard'] as const;
export type Quality = (typeof QUALITY_OPTIONS)[number];

export const SEQUENTIAL_MODES = ['auto'] as const;
export type SequentialMode = (typeof SEQUENTIAL_MODES)[number];

/** The model page's own defaults. */
export const SEEDREAM_DEFAULTS = {
  count: 3,
  aspect: '16:9',
  imageSize: '2560:1440 (16:9)',
  quality: 'fast',
  sequentialImageGeneration: 'auto',
} as const satisfies {
  count: number;
  aspect: string;
  imageSize: ImageSize;
  quality: Quality;
  sequentialImageGeneration: SequentialMode;
};

export const seedreamInputSchema = z.object({
  /** Must state how many images (see prompt-count.ts). */
  text: z
    .string()
    .min(1)
    .max(MAX_PROMPT_LENGTH)
    // zod's max() counts code points, like JSON Schema's maxLength; the limit is held in UTF-16
    // units (see promptLength), which is never less, so astral characters cannot slip past it.
    .refine((text) => text.length <= MAX_PROMPT_LENGTH, {
      message: `Too long: at most ${MAX_PROMPT_LENGTH} UTF-16 code units`,
    }),
  /** Must match the count stated in `text`; the price is computed from it. */
  sequential_image_generation_options: z.number().int().min(MIN_IMAGES).max(MAX_IMAGES),
  image_size: z.enum(IMAGE_SIZES),
  seed: z.number().int().min(MIN_SEED).max(MAX_SEED).optional(),
  optimize_prompt_options: z.enum(QUALITY_OPTIONS),
  sequential_image_generation: z.enum(SEQUENTIAL_MODES),
});

export type SeedreamInput = z.infer<typeof seedreamInputSchema>;

/** A seed drawn uniformly from the whole range. */
export function randomSeed(): number {
  return randomInt(MIN_SEED, MAX_SEED + 1);
}
