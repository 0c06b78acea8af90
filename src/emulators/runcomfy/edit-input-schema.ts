/**
 * Submit validation for `bytedance/seedream-4-0/edit-sequential`. RunComfy publishes no schema
 * for it, so the emulator holds it to its own guess (the JSON file next to this one, read at its
 * strictest): the sequential model's fields plus `images`, then the rules JSON Schema cannot say.
 * Failures are the same 422001 pydantic-shaped `detail` entries as the sequential model's.
 */
import { Ajv } from 'ajv';
import { applyDefaults, sameLoc, stricterRules, toDetail, type ValidationDetail } from './input-schema.js';
import editSchema from './seedream-4-0-edit-sequential.input.schema.guess.json' with { type: 'json' };
import type { SeedreamEditInput } from './types.js';

/** References plus outputs, in all (BytePlus and every other host document the same 15). */
export const MAX_REFERENCES_AND_OUTPUTS = 15;

// verbose: a too_short/too_long message says how many items came, as pydantic's does.
const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
const validateEditSchema = ajv.compile(editSchema);

export interface EditInputOptions {
  /** Take `http://` URLs on a loopback host (127.0.0.0/8, ::1, localhost): the emulator's own test setups only. */
  allowLoopbackHttp: boolean;
}

export type EditInputCheck = { ok: true; input: SeedreamEditInput } | { ok: false; detail: ValidationDetail[] };

export function checkSeedreamEditInput(body: unknown, options: EditInputOptions): EditInputCheck {
  const detail: ValidationDetail[] = [];
  const add = (entry: ValidationDetail) => {
    if (!detail.some((d) => sameLoc(d.loc, entry.loc))) detail.push(entry);
  };
  if (!validateEditSchema(body)) for (const error of validateEditSchema.errors ?? []) add(toDetail(error));
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, detail };
  const fields = body as Record<string, unknown>;
  for (const entry of stricterRules(fields)) add(entry);
  const images = fields['images'];
  if (Array.isArray(images)) {
    images.forEach((url, i) => {
      if (typeof url !== 'string') return;
      const problem = urlProblem(url, options);
      if (problem) add({ loc: ['body', 'images', i], ...problem });
    });
    const count = fields['sequential_image_generation_options'];
    const outputs =
      typeof count === 'number' ? count : editSchema.properties.sequential_image_generation_options.default;
    if (images.length + outputs > MAX_REFERENCES_AND_OUTPUTS) {
      add({
        loc: ['body'],
        msg: `Value error, the number of reference images (${images.length}) plus sequential_image_generation_options (${outputs}) must be at most ${MAX_REFERENCES_AND_OUTPUTS}`,
        type: 'value_error',
      });
    }
  }
  if (detail.length > 0) return { ok: false, detail };
  return { ok: true, input: applyDefaults(fields, editSchema) as unknown as SeedreamEditInput };
}

/** pydantic's HttpUrl wording; only HTTPS is public enough for the service to fetch. */
function urlProblem(raw: string, options: EditInputOptions): Omit<ValidationDetail, 'loc'> | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { msg: 'Input should be a valid URL, relative URL without a base', type: 'url_parsing' };
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && options.allowLoopbackHttp && isLoopbackHost(url.hostname)) return undefined;
  return { msg: "URL scheme should be 'https'", type: 'url_scheme' };
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
