/**
 * From what a person asked for (slash-command options, CLI flags) to the exact input the model
 * takes. Every user mistake is an InputError with a stable code; anything the schema still
 * rejects afterwards is our bug (`internal_input_invalid`).
 */
import { AppError, InputError } from '../../errors.js';
import type { SetDefaults, SetRequest } from '../model.js';
import { ASPECT_RATIO_KEYS, type AspectRatio, parseAspectRatio } from './aspect-ratios.js';
import {
  MAX_SEED,
  MIN_SEED,
  QUALITY_OPTIONS,
  type Quality,
  SEEDREAM_DEFAULTS,
  type SeedreamInput,
  seedreamInputSchema,
} from './input.js';
import { type Reconciliation, reconcilePromptAndCount, statedCounts } from './prompt-count.js';

/** `null` means "not given" everywhere: Discord's option getters return null for absent options. Seed: 0..2147483647. */
export type SeedreamRequest = SetRequest;
export type SeedreamDefaults = SetDefaults;

export interface ResolvedSeedreamRequest {
  input: SeedreamInput;
  reconciliation: Reconciliation;
  aspect: AspectRatio;
}

/**
 * Like `buildSeedreamInput`, plus what the UI wants to show (the aspect entry, whether a count
 * phrase was prepended, the prompt's language).
 *
 * Precedence for every field: the request's value → `defaults` → the model default. For the
 * count, a count stated in the prompt sits between the request and `defaults`.
 */
export function resolveSeedreamRequest(
  request: SeedreamRequest,
  defaults: SeedreamDefaults = {},
): ResolvedSeedreamRequest {
  // References belong to the edit model (modelForRequest in registry.ts): never dropped unseen.
  if (request.references && request.references.length > 0) {
    throw new AppError('internal_input_invalid', 'The sequential model takes no reference images', {
      params: { field: 'references' },
    });
  }
  // The prompt first: its errors are the ones a person most needs to see.
  const reconciliation = reconcilePromptAndCount(request.prompt, request.count, {
    locale: request.locale ?? undefined,
    defaultCount: defaults.count ?? undefined,
  });
  const aspect = resolveAspect(request.aspect, defaults.aspect);
  const quality = resolveQuality(request.quality, defaults.quality);
  const seed = resolveSeed(request.seed);

  const candidate: SeedreamInput = {
    text: reconciliation.text,
    sequential_image_generation_options: reconciliation.count,
    image_size: aspect.imageSize,
    ...(seed === undefined ? {} : { seed }),
    optimize_prompt_options: quality,
    sequential_image_generation: SEEDREAM_DEFAULTS.sequentialImageGeneration,
  };
  const parsed = seedreamInputSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new AppError('internal_input_invalid', `Built an input the schema rejects: ${parsed.error.message}`, {
      params: { field: parsed.error.issues[0]?.path.join('.') ?? '' },
      cause: parsed.error,
    });
  }
  // The whole point of reconciliation: the text must state exactly the count we pay for.
  const stated = statedCounts(parsed.data.text);
  if (stated.length !== 1 || stated[0] !== parsed.data.sequential_image_generation_options) {
    throw new AppError(
      'internal_input_invalid',
      `Text states [${stated.join(', ')}], option is ${reconciliation.count}`,
      {
        params: { field: 'text' },
      },
    );
  }
  return { input: parsed.data, reconciliation, aspect };
}

/**
 * The model input for `request`, validated and reconciled.
 *
 * InputError codes: those of `reconcilePromptAndCount`, plus `aspect_unknown` {aspect, allowed},
 * `seed_invalid` {seed, min, max}, `quality_unknown` {quality, allowed}.
 */
export function buildSeedreamInput(request: SeedreamRequest, defaults: SeedreamDefaults = {}): SeedreamInput {
  return resolveSeedreamRequest(request, defaults).input;
}

function resolveAspect(requested: string | null | undefined, fallback: string | null | undefined): AspectRatio {
  if (requested !== undefined && requested !== null) {
    const aspect = typeof requested === 'string' ? parseAspectRatio(requested) : undefined;
    if (!aspect) {
      throw new InputError('aspect_unknown', `Unknown aspect ratio ${JSON.stringify(requested)}`, {
        params: { aspect: String(requested).slice(0, 100), allowed: ASPECT_RATIO_KEYS.join(', ') },
      });
    }
    return aspect;
  }
  const setting = fallback ?? SEEDREAM_DEFAULTS.aspect;
  const aspect = parseAspectRatio(setting);
  if (!aspect) {
    throw new AppError('internal_input_invalid', `Default aspect ratio ${JSON.stringify(setting)} is unknown`, {
      params: { field: 'defaults.aspect' },
    });
  }
  return aspect;
}

function resolveQuality(requested: string | null | undefined, fallback: string | null | undefined): Quality {
  if (requested !== undefined && requested !== null) {
    // Lenient on case and spaces: the value may come from a CLI flag or a settings file.
    const quality = QUALITY_OPTIONS.find((q) => q === String(requested).trim().toLowerCase());
    if (!quality) {
      throw new InputError('quality_unknown', `Unknown quality ${JSON.stringify(requested)}`, {
        params: { quality: String(requested).slice(0, 100), allowed: QUALITY_OPTIONS.join(', ') },
      });
    }
    return quality;
  }
  const setting = fallback ?? SEEDREAM_DEFAULTS.quality;
  const quality = QUALITY_OPTIONS.find((q) => q === setting);
  if (!quality) {
    throw new AppError('internal_input_invalid', `Default quality ${JSON.stringify(setting)} is unknown`, {
      params: { field: 'defaults.quality' },
    });
  }
  return quality;
}

function resolveSeed(seed: number | null | undefined): number | undefined {
  if (seed === undefined || seed === null) return undefined;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < MIN_SEED || seed > MAX_SEED) {
    throw new InputError('seed_invalid', `Seed must be an integer from ${MIN_SEED} to ${MAX_SEED}`, {
      params: { seed: Number.isFinite(seed) ? seed : String(seed), min: MIN_SEED, max: MAX_SEED },
    });
  }
  return seed;
}
