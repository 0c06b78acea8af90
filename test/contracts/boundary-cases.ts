/**
 * A boundary table for the Seedream input: one field of a valid input changed at a time, across
 * what JSON can carry. Both the emulator's tests and the bot's hold their validators to what the
 * model page's JSON Schema says about each case.
 */
import { inputJsonSchema } from './contract-schemas.js';

export const VALID_INPUT: Readonly<Record<string, unknown>> = {
  text: 'Generate 3 images of a lighthouse at dusk',
  sequential_image_generation_options: 3,
  image_size: '2560:1440 (16:9)',
  seed: 7,
  optimize_prompt_options: 'fast',
  sequential_image_generation: 'auto',
};

/** `undefined` leaves the field out. */
const CANDIDATES: Record<string, unknown[]> = {
  text: [
    '',
    'a',
    'x'.repeat(600),
    'x'.repeat(601),
    '貓'.repeat(600),
    '貓'.repeat(601),
    '😀'.repeat(300),
    '😀'.repeat(301),
    '😀'.repeat(600),
    5,
    null,
    [],
  ],
  sequential_image_generation_options: [0, 1, 15, 16, -1, 1000, '3', 2.5, null, true, [3]],
  image_size: [...inputJsonSchema.properties.image_size!.enum!, '2560:1440', '16:9', ' 2560:1440 (16:9)', '', 3, null],
  seed: [0, 2_147_483_647, -1, 2 ** 31, 2 ** 53, 1.5, '42', null],
  optimize_prompt_options: ['fast', 'standard', 'Fast', 'best', '', 1, null],
  sequential_image_generation: ['auto', 'disabled', 'Auto', '', 1, null],
  unknown_field: ['anything', { nested: true }],
};
for (const field of Object.keys(VALID_INPUT)) CANDIDATES[field]!.push(undefined);

export interface BoundaryCase {
  /** e.g. `seed=-1`, `text=undefined` (left out). */
  name: string;
  field: string;
  value: unknown;
  body: Record<string, unknown>;
}

export const BOUNDARY_CASES: readonly BoundaryCase[] = Object.entries(CANDIDATES).flatMap(([field, values]) =>
  values.map((value) => {
    const body = { ...VALID_INPUT, [field]: value };
    if (value === undefined) delete body[field];
    return { name: `${field}=${describeValue(value)}`, field, value, body };
  }),
);

export function describeValue(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 40 ? `${[...text].slice(0, 20).join('')}…(${text.length})` : text;
}
