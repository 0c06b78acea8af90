/**
 * ByteDance Seedream 4.0 "edit-sequential" behind the model seam: a set made from 1–10
 * reference images. Its wire names are a guess kept in wire.ts; its sizes, qualities, seeds and
 * output are the sequential model's.
 */
import { parseImageOutput } from '../image-output.js';
import type { ImageModel } from '../model.js';
import { seedreamSequential } from '../seedream-sequential/model.js';
import { buildEditInput } from './build-input.js';
import {
  type EditInput,
  editInputSchema,
  MAX_REFERENCES_AND_IMAGES,
  MIN_MODEL_REFERENCES,
  readEditInput,
  WIRE,
} from './wire.js';

export const SEEDREAM_EDIT_SEQUENTIAL_KEY = 'bytedance/seedream-4-0/edit-sequential';

/** With the fewest references (one), the most images one request can make. */
const MAX_IMAGES = MAX_REFERENCES_AND_IMAGES - MIN_MODEL_REFERENCES;

export const seedreamEditSequential: ImageModel<EditInput> = {
  key: SEEDREAM_EDIT_SEQUENTIAL_KEY,
  maxImages: MAX_IMAGES,
  inputSchema: editInputSchema,
  buildInput: (request, defaults) => buildEditInput(request, defaults),
  parameters(input) {
    const fields = readEditInput(input);
    // The same sizes, qualities and seeds as the sequential model: ask it how they read.
    const set = seedreamSequential.parameters({
      text: fields.prompt,
      sequential_image_generation_options: fields.count,
      image_size: fields.size,
      ...(fields.seed === undefined ? {} : { seed: fields.seed }),
      optimize_prompt_options: fields.quality,
      sequential_image_generation: fields.mode,
    });
    return { ...set, references: [...fields.references] };
  },
  aspectLabel: (key, locale) => seedreamSequential.aspectLabel(key, locale),
  withSeed: (input, seed) => ({ ...input, [WIRE.seed]: seed }),
  randomSeed: () => seedreamSequential.randomSeed(),
  parseOutput: (output, options) => parseImageOutput(output, { ...options, maxImages: MAX_IMAGES }),
};
