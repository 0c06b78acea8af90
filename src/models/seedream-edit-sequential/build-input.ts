/**
 * From what a person asked for to the edit model's input: the sequential model's rules for the
 * prompt, count, aspect, quality and seed (the prompt states the count as there), plus the
 * references, and the limit they share with the count (references + images ≤ 15).
 */
import { AppError, InputError } from '../../errors.js';
import type { SetDefaults, SetRequest } from '../model.js';
import { resolveSeedreamRequest } from '../seedream-sequential/build-input.js';
import {
  type EditInput,
  editInputSchema,
  isSendableReferenceUrl,
  MAX_MODEL_REFERENCES,
  MAX_REFERENCES_AND_IMAGES,
  toEditInput,
} from './wire.js';

/**
 * InputError codes: those of the sequential model (`buildSeedreamInput`), plus
 * `reference_too_many` {given, max}, `reference_not_public_url` {reference}, and
 * `references_count_over_limit` {references, count, max, maxCount}.
 */
export function buildEditInput(request: SetRequest, defaults: SetDefaults = {}): EditInput {
  const references = [...(request.references ?? [])];
  if (references.length === 0) {
    // modelForRequest sends a request here only with references: reaching this is our bug.
    throw new AppError('internal_input_invalid', 'The edit model needs at least one reference image', {
      params: { field: 'references' },
    });
  }
  if (references.length > MAX_MODEL_REFERENCES) {
    throw new InputError('reference_too_many', `At most ${MAX_MODEL_REFERENCES} reference images`, {
      params: { given: references.length, max: MAX_MODEL_REFERENCES },
    });
  }
  references.forEach((url, index) => {
    if (!isSendableReferenceUrl(url)) {
      throw new InputError('reference_not_public_url', `Reference ${index + 1} is not a public https URL`, {
        params: { reference: `#${index + 1}` },
      });
    }
  });

  const { input: sequential } = resolveSeedreamRequest({ ...request, references: null }, defaults);
  const count = sequential.sequential_image_generation_options;
  const maxCount = MAX_REFERENCES_AND_IMAGES - references.length;
  if (count > maxCount) {
    throw new InputError(
      'references_count_over_limit',
      `${references.length} references and ${count} images exceed ${MAX_REFERENCES_AND_IMAGES}`,
      {
        params: { references: references.length, count, max: MAX_REFERENCES_AND_IMAGES, maxCount },
      },
    );
  }

  const candidate = toEditInput({
    prompt: sequential.text,
    count,
    size: sequential.image_size,
    seed: sequential.seed,
    quality: sequential.optimize_prompt_options,
    mode: sequential.sequential_image_generation,
    references,
  });
  const parsed = editInputSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new AppError('internal_input_invalid', `Built an input the schema rejects: ${parsed.error.message}`, {
      params: { field: parsed.error.issues[0]?.path.join('.') ?? '' },
      cause: parsed.error,
    });
  }
  return parsed.data;
}
