/**
 * The vendored contracts (contracts/*.json) read from disk and compiled with ajv, for tests on
 * both sides: the emulator's answers and the bot's inputs are held to the same files.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export const CONTRACTS_DIR = new URL('../../contracts/', import.meta.url);
/** The shared originals; present beside the repository in the workspace and in CI, not in every clone. */
export const SHARED_CONTRACTS_DIR = new URL('../../../shared/contracts/', import.meta.url);

export const INPUT_SCHEMA_FILE = 'seedream-4-0-sequential.input.schema.json';
export const OUTPUT_SCHEMA_FILE = 'runcomfy-output.schema.json';

export interface InputJsonSchema {
  type: 'object';
  required: string[];
  properties: Record<
    string,
    { type: string; enum?: Array<string | number>; default?: unknown; maxLength?: number; minLength?: number }
  >;
}

export function readContract(file: string): unknown {
  return JSON.parse(readFileSync(new URL(file, CONTRACTS_DIR), 'utf8'));
}

export const inputJsonSchema = readContract(INPUT_SCHEMA_FILE) as InputJsonSchema;

/** The output file maps the result field `output` to its schema. */
const outputJsonSchema = (readContract(OUTPUT_SCHEMA_FILE) as { output: object }).output;

// strict: an unknown keyword in a contract is an error here rather than silently ignored.
const ajv = new Ajv({ allErrors: true, strict: true });
addFormats.default(ajv, ['uri']);

export const validateInput: ValidateFunction = ajv.compile(inputJsonSchema);
export const validateOutput: ValidateFunction = ajv.compile(outputJsonSchema);

/** ajv's errors as short lines, for assertion messages. */
export function ajvErrors(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? e.keyword}`).join('; ');
}
