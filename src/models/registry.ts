/**
 * Every model the bot can run, by the key job records store. Adding a model: its folder under
 * src/models/ and one line in MODELS.
 */
import { AppError } from '../errors.js';
import type { ImageModel, ModelInput, SetParameters, SetRequest } from './model.js';
import { seedreamEditSequential } from './seedream-edit-sequential/model.js';
import { seedreamSequential } from './seedream-sequential/model.js';

const MODELS: readonly ImageModel[] = [
  seedreamSequential as unknown as ImageModel,
  seedreamEditSequential as unknown as ImageModel,
];

/** The model a request runs when nothing asks for another. */
export const DEFAULT_MODEL: ImageModel = seedreamSequential as unknown as ImageModel;
export const DEFAULT_MODEL_KEY = DEFAULT_MODEL.key;
/** The model a request with reference images runs. */
export const REFERENCE_MODEL: ImageModel = seedreamEditSequential as unknown as ImageModel;

export class ModelUnknownError extends AppError {
  constructor(key: string) {
    super('model_unknown', `No model is registered as ${JSON.stringify(key)}`, { params: { model: key } });
  }
}

export function findModel(key: string): ImageModel | undefined {
  return MODELS.find((model) => model.key === key);
}

export function modelFor(key: string): ImageModel {
  const model = findModel(key);
  if (!model) throw new ModelUnknownError(key);
  return model;
}

/** The model a request runs: with references the edit model, else the default one. */
export function modelForRequest(request: Pick<SetRequest, 'references'>): ImageModel {
  return request.references && request.references.length > 0 ? REFERENCE_MODEL : DEFAULT_MODEL;
}

/** How a stored set reads (count, size, quality, seed…), asked of its own model. */
export function setParameters(job: { model: string; input: ModelInput }): SetParameters {
  return modelFor(job.model).parameters(job.input);
}

/** The aspect of a stored set as its own model names it on a card. */
export function aspectLabel(job: { model: string; input: ModelInput }, locale: string): string {
  const model = modelFor(job.model);
  return model.aspectLabel(model.parameters(job.input).aspect, locale);
}

/**
 * The RunComfy model id each model is called by: its key unless the environment names another
 * (RUNCOMFY_MODEL_ID, RUNCOMFY_EDIT_MODEL_ID: for a pinned version or a private deployment).
 */
export type ModelIds = Readonly<Record<string, string>>;

/** The ids the environment configures: RUNCOMFY_MODEL_ID the default model's, RUNCOMFY_EDIT_MODEL_ID the edit model's. */
export function configuredModelIds(env: { RUNCOMFY_MODEL_ID: string; RUNCOMFY_EDIT_MODEL_ID: string }): ModelIds {
  return { [DEFAULT_MODEL_KEY]: env.RUNCOMFY_MODEL_ID, [REFERENCE_MODEL.key]: env.RUNCOMFY_EDIT_MODEL_ID };
}

export function runcomfyModelId(key: string, ids: ModelIds = {}): string {
  return ids[key] ?? key;
}

/**
 * The input with the seed it will be made with: the one asked for, else one drawn here rather
 * than by the host, so the set can be shown with its seed and made again.
 */
export function withChosenSeed<I extends ModelInput>(model: ImageModel<I>, input: I): I {
  return model.parameters(input).seed === undefined ? model.withSeed(input, model.randomSeed()) : input;
}

/** The input with a seed other than its own (Reroll must make a different set). */
export function withOtherSeed<I extends ModelInput>(model: ImageModel<I>, input: I): I {
  const previous = model.parameters(input).seed;
  for (;;) {
    const seed = model.randomSeed();
    if (seed !== previous) return model.withSeed(input, seed);
  }
}
