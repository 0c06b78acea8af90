import { afterEach, describe, expect, it } from 'vitest';
import { checkSeedreamInput } from '../../../src/emulators/runcomfy/input-schema.js';
import { BOUNDARY_CASES, describeValue } from '../../contracts/boundary-cases.js';
import { ajvErrors, inputJsonSchema, validateInput, validateOutput } from '../../contracts/contract-schemas.js';
import { type Harness, MODEL_PATH, readJson, startHarness } from './emulator-harness.js';

/** The rules the emulator adds to the schema, as documented in input-schema.ts. */
function stricterThanSchema(field: string, value: unknown): boolean {
  if (field === 'text') return typeof value === 'string' && (value.length === 0 || value.length > 600);
  if (field === 'sequential_image_generation') return typeof value === 'string' && value !== 'auto';
  return false;
}

describe('submit validation follows the model page JSON Schema (contracts/)', () => {
  it('refuses whatever the schema refuses, at that field, and takes the rest but for the stated stricter rules', () => {
    const refusedBySchema: string[] = [];
    const stricter: string[] = [];
    for (const { name, field, value, body } of BOUNDARY_CASES) {
      const schemaOk = validateInput(body);
      const schemaSays = ajvErrors(validateInput);
      const checked = checkSeedreamInput(body);
      if (!schemaOk) {
        refusedBySchema.push(name);
        expect(checked.ok, `${name}: the schema refuses it (${schemaSays})`).toBe(false);
        if (!checked.ok) {
          const locs = checked.detail.map((d) => d.loc.join('.'));
          expect(locs, name).toContain(`body.${field}`);
        }
      } else if (stricterThanSchema(field, value)) {
        stricter.push(name);
        expect(checked.ok, name).toBe(false);
      } else {
        expect(checked.ok, `${name}: ${checked.ok ? '' : JSON.stringify(checked.detail)}`).toBe(true);
      }
    }
    // The table must exercise both sides, and the stricter rules exactly where documented.
    expect(refusedBySchema.length).toBeGreaterThan(25);
    expect(stricter).toEqual([
      'text=""',
      `text=${describeValue('😀'.repeat(301))}`,
      `text=${describeValue('😀'.repeat(600))}`,
      'sequential_image_generation="disabled"',
      'sequential_image_generation="Auto"',
      'sequential_image_generation=""',
    ]);
  });

  it('answers pydantic-shaped detail entries, one per field, naming every bad field', () => {
    const checked = checkSeedreamInput({
      sequential_image_generation_options: '3',
      image_size: 3,
      seed: 1.5,
      optimize_prompt_options: 'best',
      sequential_image_generation: 'manual',
    });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.detail).toEqual([
      { loc: ['body', 'text'], msg: 'Field required', type: 'missing' },
      {
        loc: ['body', 'sequential_image_generation_options'],
        msg: 'Input should be a valid integer',
        type: 'int_type',
      },
      { loc: ['body', 'image_size'], msg: 'Input should be a valid string', type: 'string_type' },
      { loc: ['body', 'seed'], msg: 'Input should be a valid integer', type: 'int_type' },
      { loc: ['body', 'optimize_prompt_options'], msg: "Input should be 'fast' or 'standard'", type: 'literal_error' },
      { loc: ['body', 'sequential_image_generation'], msg: "Input should be 'auto'", type: 'literal_error' },
    ]);
  });

  it('words enum and length failures like pydantic', () => {
    const count = checkSeedreamInput({ text: 'a', sequential_image_generation_options: 16 });
    expect(count).toEqual({
      ok: false,
      detail: [
        {
          loc: ['body', 'sequential_image_generation_options'],
          msg: 'Input should be 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 or 15',
          type: 'literal_error',
        },
      ],
    });
    const long = checkSeedreamInput({ text: 'x'.repeat(601) });
    expect(long).toEqual({
      ok: false,
      detail: [{ loc: ['body', 'text'], msg: 'String should have at most 600 characters', type: 'string_too_long' }],
    });
  });

  it.each([[[]], [null], ['a string'], [3]])('refuses a body that is not an object (%j)', (body) => {
    expect(validateInput(body)).toBe(false);
    expect(checkSeedreamInput(body)).toEqual({
      ok: false,
      detail: [{ loc: ['body'], msg: 'Input should be a valid dictionary', type: 'dict_type' }],
    });
  });

  it("fills the schema's defaults for omitted optional fields, keeps no unknown field and no absent seed", () => {
    const checked = checkSeedreamInput({ text: 'Generate 3 images of a cat', unknown_field: 1 });
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    const expected: Record<string, unknown> = { text: 'Generate 3 images of a cat' };
    for (const [name, property] of Object.entries(inputJsonSchema.properties)) {
      if (name !== 'text' && property.default !== undefined) expected[name] = property.default;
    }
    expect(checked.input).toEqual(expected);
    expect(expected).toMatchObject({ sequential_image_generation_options: 3, image_size: '2560:1440 (16:9)' });
    expect(validateInput(checked.input), ajvErrors(validateInput)).toBe(true);
  });
});

describe('over HTTP', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.emulator.close();
  });

  it('answers 422 with exactly {error_code: 422001, error_message, detail} and creates no job', async () => {
    h = await startHarness();
    for (const body of [{ text: 'a', image_size: '1:1' }, [], null]) {
      const res = await h.api('POST', MODEL_PATH, JSON.stringify(body));
      expect(res.status).toBe(422);
      const answer = await readJson(res);
      expect(Object.keys(answer).sort()).toEqual(['detail', 'error_code', 'error_message']);
      expect(answer.error_code).toBe(422001);
      expect(answer.detail.length).toBeGreaterThan(0);
      for (const entry of answer.detail) {
        expect(Object.keys(entry).sort()).toEqual(['loc', 'msg', 'type']);
        expect(entry.loc[0]).toBe('body');
      }
    }
    expect(h.emulator.jobs()).toHaveLength(0);
  });

  it.each([
    ['jpeg', {}],
    ['png', {}],
    ['jpeg', { fewer: 2 }],
  ] as const)('serves a result output that fits the published output schema (%s %j)', async (imageFormat, variant) => {
    h = await startHarness({ queueMs: 0, runMs: 0, imageFormat });
    if ('fewer' in variant) h.emulator.inject({ kind: 'fewer-images', count: variant.fewer });
    const job = await h.submit({ sequential_image_generation_options: 4 });
    h.advance(1);
    const result = await readJson(await h.api('GET', `${job.result_url}?include_cost=true`));
    expect(result.status).toBe('succeeded');
    expect(result.output.images.length).toBeGreaterThan(0);
    expect(validateOutput(result.output), ajvErrors(validateOutput)).toBe(true);
  });

  it('the output validator bites: relative or non-string URLs do not fit', () => {
    expect(validateOutput({ images: ['/files/x/0.jpg'] })).toBe(false);
    expect(validateOutput({ images: [3] })).toBe(false);
    expect(validateOutput({ images: 'http://127.0.0.1/files/x/0.jpg' })).toBe(false);
    expect(validateOutput({ image: 'http://127.0.0.1/files/x/0.jpg' })).toBe(true);
  });
});
