/** Seedream 4.0 edit-sequential behind the seam: its input, its limits, and how the registry picks it. */
import { describe, expect, it } from 'vitest';
import { AppError, InputError } from '../../../src/errors.js';
import {
  configuredModelIds,
  DEFAULT_MODEL,
  findModel,
  modelForRequest,
  runcomfyModelId,
  setParameters,
  withChosenSeed,
} from '../../../src/models/registry.js';
import {
  SEEDREAM_EDIT_SEQUENTIAL_KEY,
  seedreamEditSequential,
} from '../../../src/models/seedream-edit-sequential/model.js';
import { editInputSchema, WIRE } from '../../../src/models/seedream-edit-sequential/wire.js';
import { seedreamSequential } from '../../../src/models/seedream-sequential/model.js';

const REF = (n: number) => `https://cdn.discordapp.com/attachments/1/2/ref-${n}.png?ex=1&is=2&hm=3`;
const refs = (n: number) => Array.from({ length: n }, (_, i) => REF(i + 1));

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('edit-sequential input', () => {
  it('is the sequential input (count stated in the prompt) plus the references under their wire name', () => {
    const input = seedreamEditSequential.buildInput({
      prompt: 'the same cat in four seasons',
      count: 4,
      aspect: '1:1',
      seed: 7,
      references: refs(2),
    });
    expect(input).toEqual({
      text: 'Generate 4 images: the same cat in four seasons',
      sequential_image_generation_options: 4,
      image_size: '2048:2048 (1:1)',
      seed: 7,
      optimize_prompt_options: 'fast',
      sequential_image_generation: 'auto',
      images: refs(2),
    });
    expect(WIRE.references).toBe('images');
    expect(editInputSchema.parse(input)).toEqual(input);
  });

  it('reads as a set with its references, the sequential sizes and labels', () => {
    const input = seedreamEditSequential.buildInput({ prompt: '3 posters of a koi', references: refs(1) });
    expect(seedreamEditSequential.parameters(input)).toEqual({
      prompt: '3 posters of a koi',
      count: 3,
      width: 2560,
      height: 1440,
      aspect: '16:9',
      quality: 'fast',
      size: '2560:1440 (16:9)',
      seed: undefined,
      references: refs(1),
    });
    expect(setParameters({ model: SEEDREAM_EDIT_SEQUENTIAL_KEY, input }).references).toEqual(refs(1));
    expect(seedreamEditSequential.aspectLabel('16:9', 'zh-TW')).toBe(seedreamSequential.aspectLabel('16:9', 'zh-TW'));
    const seeded = withChosenSeed(seedreamEditSequential, input);
    expect(seeded.seed).toEqual(expect.any(Number));
    expect(seeded.images).toEqual(refs(1));
  });

  it('refuses references + count over 15, naming the limit, in buildInput and in the schema', () => {
    const error = caught(() =>
      seedreamEditSequential.buildInput({ prompt: 'a cat', count: 12, references: refs(4) }),
    ) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe('references_count_over_limit');
    expect(error.params).toEqual({ references: 4, count: 12, max: 15, maxCount: 11 });
    // A count stated in the prompt is held to the same limit.
    expect(
      (
        caught(() =>
          seedreamEditSequential.buildInput({ prompt: '15 images of a cat', references: refs(1) }),
        ) as InputError
      ).code,
    ).toBe('references_count_over_limit');
    expect(seedreamEditSequential.buildInput({ prompt: 'a cat', count: 11, references: refs(4) }).images).toHaveLength(
      4,
    );

    const valid = seedreamEditSequential.buildInput({ prompt: 'a cat', count: 11, references: refs(4) });
    const over = { ...valid, text: 'Generate 12 images: a cat', sequential_image_generation_options: 12 };
    const parsed = editInputSchema.safeParse(over);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/at most 15/);
  });

  it('refuses more references than the model takes, and URLs RunComfy cannot fetch', () => {
    const tooMany = caught(() =>
      seedreamEditSequential.buildInput({ prompt: 'a cat', count: 1, references: refs(11) }),
    );
    expect(tooMany).toMatchObject({ code: 'reference_too_many', params: { given: 11, max: 10 } });
    for (const url of [
      'http://example.com/a.png',
      'file:///home/me/a.png',
      'https://user:pw@example.com/a.png',
      'a.png',
    ]) {
      const error = caught(() => seedreamEditSequential.buildInput({ prompt: 'a cat', references: [REF(1), url] }));
      expect(error, url).toMatchObject({ code: 'reference_not_public_url', params: { reference: '#2' } });
      expect(error).toBeInstanceOf(InputError);
    }
    // Plain HTTP on loopback: the emulators.
    expect(
      seedreamEditSequential.buildInput({ prompt: 'a cat', references: ['http://127.0.0.1:8080/a.png'] }).images,
    ).toEqual(['http://127.0.0.1:8080/a.png']);
    expect(
      editInputSchema.safeParse({
        ...seedreamEditSequential.buildInput({ prompt: 'a', references: refs(1) }),
        images: [],
      }).success,
    ).toBe(false);
  });

  it('without references is a bug of the caller, never a silent sequential set', () => {
    const error = caught(() => seedreamEditSequential.buildInput({ prompt: 'a cat' }));
    expect(error).toBeInstanceOf(AppError);
    expect(error).not.toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'internal_input_invalid' });
    // And the sequential model never drops references it was handed.
    expect(caught(() => seedreamSequential.buildInput({ prompt: 'a cat', references: refs(1) }))).toMatchObject({
      code: 'internal_input_invalid',
      params: { field: 'references' },
    });
  });

  it('the sequential model reads as a set without references', () => {
    expect(seedreamSequential.parameters(seedreamSequential.buildInput({ prompt: 'a cat' })).references).toEqual([]);
  });
});

describe('registry', () => {
  it('modelForRequest: references → edit-sequential, none → the default', () => {
    expect(modelForRequest({ references: refs(2) }).key).toBe('bytedance/seedream-4-0/edit-sequential');
    expect(modelForRequest({ references: [] })).toBe(DEFAULT_MODEL);
    expect(modelForRequest({ references: null })).toBe(DEFAULT_MODEL);
    expect(modelForRequest({})).toBe(DEFAULT_MODEL);
    expect(findModel(SEEDREAM_EDIT_SEQUENTIAL_KEY)).toBe(seedreamEditSequential);
  });

  it('RUNCOMFY_EDIT_MODEL_ID names the edit model’s RunComfy id', () => {
    const ids = configuredModelIds({
      RUNCOMFY_MODEL_ID: 'bytedance/seedream-4-0/sequential',
      RUNCOMFY_EDIT_MODEL_ID: 'acme/pinned-edit',
    });
    expect(runcomfyModelId(SEEDREAM_EDIT_SEQUENTIAL_KEY, ids)).toBe('acme/pinned-edit');
    expect(runcomfyModelId(DEFAULT_MODEL.key, ids)).toBe('bytedance/seedream-4-0/sequential');
  });
});
