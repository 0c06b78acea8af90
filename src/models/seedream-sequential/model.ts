/**
 * ByteDance Seedream 4.0 "sequential" behind the model seam: the only file outside this folder's
 * input rules that knows its field names.
 */

import { parseImageOutput } from '../image-output.js';
import type { ImageModel } from '../model.js';
import { aspectRatioLabel, findAspectRatioByImageSize, getAspectRatio } from './aspect-ratios.js';
import { buildSeedreamInput } from './build-input.js';
import { MAX_IMAGES, randomSeed, type SeedreamInput, seedreamInputSchema } from './input.js';

export const SEEDREAM_SEQUENTIAL_KEY = 'bytedance/seedream-4-0/sequential';

export const seedreamSequential: ImageModel<SeedreamInput> = {
  key: SEEDREAM_SEQUENTIAL_KEY,
  maxImages: MAX_IMAGES,
  inputSchema: seedreamInputSchema,
  buildInput: (request, defaults) => buildSeedreamInput(request, defaults),
  parameters(input) {
    // Every size the schema allows is one of the eight ratios.
    const aspect = findAspectRatioByImageSize(input.image_size)!;
    return {
      prompt: input.text,
      count: input.sequential_image_generation_options,
      width: aspect.width,
      height: aspect.height,
      aspect: aspect.key,
      size: input.image_size,
      quality: input.optimize_prompt_options,
      seed: input.seed,
      references: [],
    };
  },
  aspectLabel(key, locale) {
    const aspect = getAspectRatio(key);
    return aspect ? aspectRatioLabel(aspect, locale) : key;
  },
  withSeed: (input, seed) => ({ ...input, seed }),
  randomSeed,
  parseOutput: (output, options) => parseImageOutput(output, { ...options, maxImages: MAX_IMAGES }),
};
