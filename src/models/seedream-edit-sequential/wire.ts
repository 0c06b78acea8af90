/**
 * ByteDance Seedream 4.0 "edit-sequential" on RunComfy: the input as it goes over the wire.
 *
 * [guess] RunComfy publishes no input schema for this model; its page shows one example,
 * `{"images": ["https://…"], "text": "Generate 3 images of …"}`: the sequential model's `text`
 * plus `images`. The other fields are presumed to be the sequential model's. Sibling versions
 * name them otherwise (4.5 edit-sequential: `prompt`, 4.5 edit: `image_urls`), so every wire
 * name lives in WIRE below, and this is the only file that spells one: renaming a field on
 * RunComfy's side is one line here. Job records store the input with these names.
 */
import { z } from 'zod';
import { isPublicReferenceUrl } from '../image-output.js';
import { MAX_IMAGES, seedreamInputSchema } from '../seedream-sequential/input.js';

/** Our name of each field → the name RunComfy's edit-sequential takes [guess, see above]. */
export const WIRE = {
  prompt: 'text',
  count: 'sequential_image_generation_options',
  size: 'image_size',
  seed: 'seed',
  quality: 'optimize_prompt_options',
  mode: 'sequential_image_generation',
  references: 'images',
} as const;

/** The model takes 1–10 reference images [doc: BytePlus and other hosts of Seedream 4.0]. */
export const MIN_MODEL_REFERENCES = 1;
export const MAX_MODEL_REFERENCES = 10;
/** References and outputs together, at most [doc]. */
export const MAX_REFERENCES_AND_IMAGES = MAX_IMAGES;

/**
 * A reference as RunComfy fetches it: a public HTTPS URL without credentials. Plain HTTP only on
 * loopback (the emulators, tests), as for output URLs (image-output.ts).
 */
export const referenceUrlSchema = z
  .string()
  .max(2_048)
  .refine((value) => isSendableReferenceUrl(value), { message: 'expected a public https URL' });

export function isSendableReferenceUrl(value: string): boolean {
  // Loopback only ever answers for the local emulators; the bot's own checks refuse it elsewhere.
  return isPublicReferenceUrl(value, { allowLoopback: true });
}

const sequential = seedreamInputSchema.shape;

export const editInputSchema = z
  .object({
    [WIRE.prompt]: sequential.text,
    [WIRE.count]: sequential.sequential_image_generation_options,
    [WIRE.size]: sequential.image_size,
    [WIRE.seed]: sequential.seed,
    [WIRE.quality]: sequential.optimize_prompt_options,
    [WIRE.mode]: sequential.sequential_image_generation,
    [WIRE.references]: z.array(referenceUrlSchema).min(MIN_MODEL_REFERENCES).max(MAX_MODEL_REFERENCES),
  })
  // The count's own range is the sequential one (1–15); with references it shrinks.
  .refine((input) => input[WIRE.references].length + input[WIRE.count] <= MAX_REFERENCES_AND_IMAGES, {
    message: `references and images together must be at most ${MAX_REFERENCES_AND_IMAGES}`,
    path: [WIRE.count],
  });

export type EditInput = z.infer<typeof editInputSchema>;

/** The fields in our names, read from a wire input. */
export function readEditInput(input: EditInput) {
  return {
    prompt: input[WIRE.prompt],
    count: input[WIRE.count],
    size: input[WIRE.size],
    seed: input[WIRE.seed],
    quality: input[WIRE.quality],
    mode: input[WIRE.mode],
    references: input[WIRE.references],
  };
}

export type EditFields = ReturnType<typeof readEditInput>;

/** The wire input of `fields` (a seed only when there is one). */
export function toEditInput(fields: EditFields): EditInput {
  return {
    [WIRE.prompt]: fields.prompt,
    [WIRE.count]: fields.count,
    [WIRE.size]: fields.size,
    ...(fields.seed === undefined ? {} : { [WIRE.seed]: fields.seed }),
    [WIRE.quality]: fields.quality,
    [WIRE.mode]: fields.mode,
    [WIRE.references]: fields.references,
  };
}
