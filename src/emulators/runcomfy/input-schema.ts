/**
 * Submit validation: the model page's own JSON Schema (contracts/, vendored byte for byte from
 * the shared contracts) compiled once with ajv, then the few rules the schema cannot express.
 * Failures are 422001 `detail` entries shaped like FastAPI/pydantic's.
 */
import { Ajv, type ErrorObject } from 'ajv';
import inputJsonSchema from '../../../contracts/seedream-4-0-sequential.input.schema.json' with { type: 'json' };
import type { SeedreamInput } from './types.js';

/** The sizes the model page offers, read from its schema; the label is part of the value. */
export const IMAGE_SIZES: readonly string[] = inputJsonSchema.properties.image_size.enum;

/** UTF-16 code units, as JavaScript (and the bot) count a string's length. */
const MAX_TEXT_UTF16 = inputJsonSchema.properties.text.maxLength;

// allErrors: one answer names every bad field, as the service's does. No coercion: "3" is not 3,
// so client bugs surface here rather than upstream. No useDefaults: ajv would fill the required
// `text` from its default before checking `required` (see applyDefaults).
const ajv = new Ajv({ allErrors: true, strict: true });
const validateContract = ajv.compile(inputJsonSchema);

/** One entry of a 422001 `detail` array, shaped like FastAPI/pydantic's. */
export interface ValidationDetail {
  loc: Array<string | number>;
  msg: string;
  type: string;
}

export type InputCheck = { ok: true; input: SeedreamInput } | { ok: false; detail: ValidationDetail[] };

export function checkSeedreamInput(body: unknown): InputCheck {
  const detail: ValidationDetail[] = [];
  if (!validateContract(body)) {
    for (const error of validateContract.errors ?? []) {
      const entry = toDetail(error);
      // ajv reports a wrong type and then the enum it also misses; pydantic says one thing per field.
      if (!detail.some((d) => sameLoc(d.loc, entry.loc))) detail.push(entry);
    }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, detail };
  const fields = body as Record<string, unknown>;
  for (const entry of stricterRules(fields)) {
    if (!detail.some((d) => sameLoc(d.loc, entry.loc))) detail.push(entry);
  }
  if (detail.length > 0) return { ok: false, detail };
  // The schema and the rules above have checked every field's type and value.
  return { ok: true, input: applyDefaults(fields) as unknown as SeedreamInput };
}

/**
 * Rules beyond the published schema, each stricter than it, so that an input the emulator takes
 * is one the service takes too:
 * - `text` must not be empty: the page says the prompt must state how many images, which an
 *   empty one cannot (the schema has no minLength).
 * - `text` at most 600 UTF-16 code units: JSON Schema's maxLength counts code points, so 600
 *   emoji pass it at 1200 units; which one the service counts is unknown, and the bot counts
 *   units, so the stricter reading is the one to hold it to.
 * - `sequential_image_generation` only "auto": the schema types it as any string, but the page
 *   offers no other mode and nothing says what another would do.
 * Not checked: that the prompt states the count of `sequential_image_generation_options`. The
 * page asks for it but does not say the service refuses a prompt without it (the model may just
 * return a different number), so the emulator does not invent a refusal; the bot checks it itself.
 */
export function stricterRules(fields: Record<string, unknown>): ValidationDetail[] {
  const detail: ValidationDetail[] = [];
  const text = fields['text'];
  if (text === '') {
    detail.push({ loc: ['body', 'text'], msg: 'String should have at least 1 character', type: 'string_too_short' });
  } else if (typeof text === 'string' && text.length > MAX_TEXT_UTF16) {
    detail.push({
      loc: ['body', 'text'],
      msg: `String should have at most ${MAX_TEXT_UTF16} characters`,
      type: 'string_too_long',
    });
  }
  const mode = fields['sequential_image_generation'];
  if (mode !== undefined && mode !== 'auto') {
    detail.push({ loc: ['body', 'sequential_image_generation'], msg: "Input should be 'auto'", type: 'literal_error' });
  }
  return detail;
}

/** The schema's defaults for optional fields left out; a required field's default is only the page's example. */
export function applyDefaults(
  fields: Record<string, unknown>,
  schema: { required: string[]; properties: Record<string, object> } = inputJsonSchema,
): Record<string, unknown> {
  const required = new Set<string>(schema.required);
  const input: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties)) {
    if (fields[name] !== undefined) input[name] = fields[name];
    else if (!required.has(name) && 'default' in property) input[name] = property.default;
  }
  return input;
}

/** Maps an ajv error onto pydantic's wording and error types. */
export function toDetail(error: ErrorObject): ValidationDetail {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    // pydantic names a list item by its index as a number.
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
  const loc: Array<string | number> = ['body', ...path];
  switch (error.keyword) {
    case 'required':
      return { loc: [...loc, String(error.params['missingProperty'])], msg: 'Field required', type: 'missing' };
    case 'type':
      return typeDetail(loc, String(error.params['type']));
    case 'maxLength':
      return {
        loc,
        msg: `String should have at most ${String(error.params['limit'])} characters`,
        type: 'string_too_long',
      };
    case 'enum':
      return {
        loc,
        msg: `Input should be ${oneOf(error.params['allowedValues'] as unknown[])}`,
        type: 'literal_error',
      };
    case 'minItems':
    case 'maxItems': {
      const [bound, type] = error.keyword === 'minItems' ? ['least', 'too_short'] : ['most', 'too_long'];
      const limit = Number(error.params['limit']);
      const actual = Array.isArray(error.data) ? `, not ${error.data.length}` : '';
      return {
        loc,
        msg: `List should have at ${bound} ${limit} item${limit === 1 ? '' : 's'} after validation${actual}`,
        type,
      };
    }
    default:
      return { loc, msg: error.message ?? 'Invalid value', type: error.keyword };
  }
}

function typeDetail(loc: Array<string | number>, expected: string): ValidationDetail {
  switch (expected) {
    case 'object':
      return { loc, msg: 'Input should be a valid dictionary', type: 'dict_type' };
    case 'integer':
      return { loc, msg: 'Input should be a valid integer', type: 'int_type' };
    case 'string':
      return { loc, msg: 'Input should be a valid string', type: 'string_type' };
    case 'array':
      return { loc, msg: 'Input should be a valid list', type: 'list_type' };
    default:
      return { loc, msg: `Input should be a valid ${expected}`, type: `${expected}_type` };
  }
}

/** pydantic's list: "'fast' or 'standard'", "1, 2 or 3". */
function oneOf(values: unknown[]): string {
  const shown = values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v)));
  return shown.length <= 1 ? (shown[0] ?? '') : `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
}

export function sameLoc(a: ValidationDetail['loc'], b: ValidationDetail['loc']): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}

/** "2560:1440 (16:9)" → { width: 2560, height: 1440 }. */
export function pixelSize(imageSize: string): { width: number; height: number } {
  const match = /^(\d+):(\d+)/.exec(imageSize);
  if (!match) throw new Error(`Unknown image size ${imageSize}`);
  return { width: Number(match[1]), height: Number(match[2]) };
}
