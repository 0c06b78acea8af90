import { describe, expect, it } from 'vitest';
import { AppError, InputError } from '../../../src/errors.js';
import { buildSeedreamInput, resolveSeedreamRequest } from '../../../src/models/seedream-sequential/build-input.js';
import { seedreamInputSchema } from '../../../src/models/seedream-sequential/input.js';

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('buildSeedreamInput', () => {
  it('fills model defaults and prepends the count', () => {
    const input = buildSeedreamInput({ prompt: 'a lighthouse at dusk' });
    expect(input).toEqual({
      text: 'Generate 3 images: a lighthouse at dusk',
      sequential_image_generation_options: 3,
      image_size: '2560:1440 (16:9)',
      optimize_prompt_options: 'fast',
      sequential_image_generation: 'auto',
    });
    expect('seed' in input).toBe(false);
    expect(seedreamInputSchema.parse(input)).toEqual(input);
  });

  it('uses every explicit value', () => {
    const input = buildSeedreamInput(
      { prompt: '一隻貓在月球上', count: 6, aspect: '9x16', seed: 42, quality: 'standard', locale: 'zh-TW' },
      { count: 2, aspect: '1:1', quality: 'fast' },
    );
    expect(input).toEqual({
      text: '生成6張圖片：一隻貓在月球上',
      sequential_image_generation_options: 6,
      image_size: '1440:2560 (9:16)',
      seed: 42,
      optimize_prompt_options: 'standard',
      sequential_image_generation: 'auto',
    });
  });

  it('falls back to the server defaults, then to the model', () => {
    const input = buildSeedreamInput({ prompt: 'a lighthouse' }, { count: 5, aspect: '21:9', quality: 'standard' });
    expect(input.sequential_image_generation_options).toBe(5);
    expect(input.text).toBe('Generate 5 images: a lighthouse');
    expect(input.image_size).toBe('3024:1296 (21:9)');
    expect(input.optimize_prompt_options).toBe('standard');
  });

  it('lets a count stated in the prompt beat the server default', () => {
    const input = buildSeedreamInput({ prompt: 'seven icons of fruit' }, { count: 2 });
    expect(input.sequential_image_generation_options).toBe(7);
    expect(input.text).toBe('seven icons of fruit');
  });

  it('treats null options (Discord) as absent', () => {
    const input = buildSeedreamInput({ prompt: 'a lighthouse', count: null, aspect: null, seed: null, quality: null });
    expect(input.sequential_image_generation_options).toBe(3);
    expect(input.image_size).toBe('2560:1440 (16:9)');
    expect('seed' in input).toBe(false);
  });

  it('accepts seed 0 and 2147483647', () => {
    expect(buildSeedreamInput({ prompt: 'x', seed: 0 }).seed).toBe(0);
    expect(buildSeedreamInput({ prompt: 'x', seed: 2_147_483_647 }).seed).toBe(2_147_483_647);
  });

  it('reports the reconciliation and the aspect for the UI', () => {
    const resolved = resolveSeedreamRequest({ prompt: '一只猫', aspect: '4:3' });
    expect(resolved.reconciliation).toMatchObject({
      prepended: true,
      language: 'zh-Hans',
      statedCount: null,
      count: 3,
    });
    expect(resolved.aspect.key).toBe('4:3');
    expect(resolved.input.text).toBe('生成3张图片：一只猫');
  });

  it.each([
    ['prompt over 600', { prompt: 'Draw 3 images '.padEnd(601, 'x') }, 'prompt_too_long', { length: 601, max: 600 }],
    ['count 16', { prompt: 'a cat', count: 16 }, 'count_out_of_range', { requested: 16, min: 1, max: 15 }],
    ['count 0', { prompt: 'a cat', count: 0 }, 'count_out_of_range', { requested: 0, min: 1, max: 15 }],
    ['count NaN', { prompt: 'a cat', count: Number.NaN }, 'count_out_of_range', { requested: 'NaN', min: 1, max: 15 }],
    [
      'unknown aspect',
      { prompt: 'a cat', aspect: '5:4' },
      'aspect_unknown',
      { aspect: '5:4', allowed: '1:1, 4:3, 3:4, 16:9, 9:16, 3:2, 2:3, 21:9' },
    ],
    ['fractional seed', { prompt: 'a cat', seed: 1.5 }, 'seed_invalid', { seed: 1.5, min: 0, max: 2_147_483_647 }],
    ['negative seed', { prompt: 'a cat', seed: -1 }, 'seed_invalid', { seed: -1, min: 0, max: 2_147_483_647 }],
    [
      'seed over 2^31-1',
      { prompt: 'a cat', seed: 2 ** 31 },
      'seed_invalid',
      { seed: 2 ** 31, min: 0, max: 2_147_483_647 },
    ],
    [
      'unknown quality',
      { prompt: 'a cat', quality: 'ultra' as 'fast' },
      'quality_unknown',
      { quality: 'ultra', allowed: 'fast, standard' },
    ],
    [
      'count and prompt disagree',
      { prompt: 'Generate 5 images of a cat', count: 2 },
      'count_mismatch',
      { stated: 5, requested: 2 },
    ],
    ['empty prompt', { prompt: ' \u0000 ' }, 'prompt_empty', {}],
  ])('%s → InputError', (_name, request, code, params) => {
    const error = caught(() => buildSeedreamInput(request));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe(code);
    expect((error as InputError).params).toEqual(params);
  });

  it('accepts the quality in any case', () => {
    expect(buildSeedreamInput({ prompt: 'x', quality: ' Standard ' as 'standard' }).optimize_prompt_options).toBe(
      'standard',
    );
  });

  it.each([
    ['count', { count: 99 }],
    ['aspect', { aspect: '5:4' }],
    ['quality', { quality: 'best' as 'fast' }],
  ])('invalid server default %s is a bug (AppError internal_input_invalid), not an InputError', (_field, defaults) => {
    const error = caught(() => buildSeedreamInput({ prompt: 'a cat' }, defaults));
    expect(error).toBeInstanceOf(AppError);
    expect(error).not.toBeInstanceOf(InputError);
    expect((error as AppError).code).toBe('internal_input_invalid');
  });
});
