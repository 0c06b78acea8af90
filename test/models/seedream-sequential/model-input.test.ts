import { describe, expect, it } from 'vitest';
import type { ImageModel } from '../../../src/models/model.js';
import { withChosenSeed, withOtherSeed } from '../../../src/models/registry.js';
import { buildSeedreamInput } from '../../../src/models/seedream-sequential/build-input.js';
import {
  MAX_IMAGES,
  MAX_PROMPT_LENGTH,
  MAX_SEED,
  MIN_SEED,
  SEEDREAM_DEFAULTS,
  type SeedreamInput,
  seedreamInputSchema,
} from '../../../src/models/seedream-sequential/input.js';
import { seedreamSequential } from '../../../src/models/seedream-sequential/model.js';

const valid: SeedreamInput = {
  text: 'Generate 3 images of a beautiful sunset over a calm ocean.',
  sequential_image_generation_options: 3,
  image_size: '2560:1440 (16:9)',
  optimize_prompt_options: 'fast',
  sequential_image_generation: 'auto',
};

describe('seedreamInputSchema', () => {
  it('exposes the model page limits and defaults', () => {
    expect(MAX_PROMPT_LENGTH).toBe(600);
    expect(MAX_IMAGES).toBe(15);
    expect(SEEDREAM_DEFAULTS).toMatchObject({ count: 3, imageSize: '2560:1440 (16:9)', quality: 'fast' });
    expect(SEEDREAM_DEFAULTS.sequentialImageGeneration).toBe('auto');
  });

  it('accepts the model page example, with and without a seed', () => {
    expect(seedreamInputSchema.parse(valid)).toEqual(valid);
    expect(seedreamInputSchema.parse({ ...valid, seed: 2_147_483_647 }).seed).toBe(2_147_483_647);
  });

  it.each([
    ['empty text', { text: '' }],
    ['601 characters', { text: 'a'.repeat(601) }],
    ['count 0', { sequential_image_generation_options: 0 }],
    ['count 16', { sequential_image_generation_options: 16 }],
    ['count as a string', { sequential_image_generation_options: '3' }],
    ['fractional count', { sequential_image_generation_options: 2.5 }],
    ['size without its label', { image_size: '2560:1440' }],
    ['unknown quality', { optimize_prompt_options: 'best' }],
    ['other sequential mode', { sequential_image_generation: 'disabled' }],
    ['fractional seed', { seed: 1.5 }],
    ['negative seed', { seed: -1 }],
    ['seed over 2^31-1', { seed: 2_147_483_648 }],
  ])('rejects %s', (_name, patch) => {
    expect(seedreamInputSchema.safeParse({ ...valid, ...patch }).success).toBe(false);
  });

  it('requires every field but the seed', () => {
    for (const field of Object.keys(valid)) {
      const { [field]: _dropped, ...rest } = valid as unknown as Record<string, unknown>;
      expect(seedreamInputSchema.safeParse(rest).success, field).toBe(false);
    }
  });
});

describe('seeds', () => {
  // The same model with a scripted seed generator.
  const scripted = (picks: number[]): ImageModel<SeedreamInput> => ({
    ...seedreamSequential,
    randomSeed: () => picks.shift()!,
  });

  it('withChosenSeed keeps a chosen seed and otherwise picks one in range', () => {
    const input = buildSeedreamInput({ prompt: 'a cat' });
    expect(withChosenSeed(seedreamSequential, { ...input, seed: 42 }).seed).toBe(42);
    for (let i = 0; i < 50; i++) {
      const { seed } = withChosenSeed(seedreamSequential, input);
      expect(Number.isInteger(seed) && seed! >= MIN_SEED && seed! <= MAX_SEED).toBe(true);
    }
    expect(withChosenSeed(scripted([MAX_SEED]), input).seed).toBe(MAX_SEED);
  });

  it('withOtherSeed never gives back the previous seed', () => {
    const input = buildSeedreamInput({ prompt: 'a cat' });
    expect(withOtherSeed(scripted([7, 7, 7, 8]), { ...input, seed: 7 }).seed).toBe(8);
    expect(withOtherSeed(scripted([7]), input).seed).toBe(7);
  });
});
