/**
 * Checks a body against its route's schema from Discord's spec and turns zod's issues into
 * Discord's 50035 answer: an `errors` tree mirroring the body, with Discord's codes and words.
 */
import * as z from 'zod/mini';
import { type DiscordApiError, FormErrors } from '../errors.js';
import { charLength } from '../rules/limits.js';
import { lengthBoundsAt } from './bounds.js';
import { CONTRACT_EXCEPTIONS, matchesPath } from './exceptions.js';

type Issue = z.core.$ZodIssue;
type Path = PropertyKey[];

export interface Violation {
  /** Dotted path of the field, e.g. `embeds.0.title` (`(body)` for the body itself). */
  field: string;
  code: string;
  message: string;
}

export interface ContractResult {
  violations: Violation[];
  error?: DiscordApiError;
}

export function checkAgainst(schema: z.ZodMiniType<unknown, unknown>, body: unknown): ContractResult {
  const parsed = z.safeParse(schema, body);
  if (parsed.success) return { violations: [] };
  const violations: Violation[] = [];
  for (const issue of parsed.error.issues) collect(issue, [], { schema, root: body, out: violations });
  if (violations.length === 0) return { violations };
  const errors = new FormErrors();
  for (const v of violations) errors.add(v.field === '(body)' ? ['_body'] : v.field.split('.'), v.code, v.message);
  return { violations, error: errors.toError() };
}

function valueAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

interface Walk {
  schema: z.ZodMiniType<unknown, unknown>;
  root: unknown;
  out: Violation[];
}

function collect(issue: Issue, prefix: Path, walk: Walk): void {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union') {
    const types = unmatchedTypes(issue.errors);
    const typePath = [...path, 'type'];
    if (types && !excepted(typePath, valueAt(walk.root, typePath))) {
      walk.out.push({
        field: typePath.map(String).join('.'),
        code: 'UNION_TYPE_CHOICES',
        message: `Value of field "type" must be one of (${types.join(', ')}).`,
      });
      return;
    }
    const branch = bestBranch(issue.errors);
    if (branch) {
      for (const inner of branch) collect(inner, path, walk);
      return;
    }
  }
  const value = valueAt(walk.root, path);
  if (excepted(path, value)) return;
  const described = describe(issue, value, () => lengthBoundsAt(walk.schema, path, walk.root));
  if (!described) return;
  walk.out.push({ field: path.length > 0 ? path.map(String).join('.') : '(body)', ...described });
}

/**
 * Of a union's branches, the one the body meant: not one for another kind of value, and the
 * one whose `type` (the discriminator of the spec's unions) matched, else the one with the
 * fewest issues. Branches that fail alike count as one. Without a clear winner the union
 * itself is reported.
 */
function bestBranch(branches: Issue[][]): Issue[] | undefined {
  const sameKind = branches.filter((b) => !b.some((i) => i.path.length === 0 && i.code === 'invalid_type'));
  const typeMatched = sameKind.filter((b) => !b.some((i) => i.path.length === 1 && i.path[0] === 'type'));
  const candidates = typeMatched.length > 0 ? typeMatched : sameKind;
  const signature = (b: Issue[]) => JSON.stringify(b.map((i) => [i.code, i.path]));
  const distinct = [...new Map(candidates.map((b) => [signature(b), b])).values()].sort((a, b) => a.length - b.length);
  if (distinct.length === 1 || (distinct[0] && distinct[1] && distinct[0].length < distinct[1].length))
    return distinct[0];
  return undefined;
}

function excepted(path: Path, value: unknown): boolean {
  return CONTRACT_EXCEPTIONS.some((e) => matchesPath(e.path, path) && e.accepts(value));
}

/** When every branch refused the value's `type`, the types the union takes (Discord names `type` then). */
function unmatchedTypes(branches: Issue[][]): unknown[] | undefined {
  const types: unknown[] = [];
  for (const branch of branches) {
    const typeIssue = branch.find((i) => i.path.length === 1 && i.path[0] === 'type' && i.code === 'invalid_value');
    if (typeIssue?.code !== 'invalid_value') return undefined;
    types.push(...typeIssue.values);
  }
  return types.length > 0 ? types : undefined;
}

/** Discord's error code and wording for one issue; undefined when Discord would accept the value. */
function describe(
  issue: Issue,
  value: unknown,
  bounds: () => { min?: number; max?: number },
): Omit<Violation, 'field'> | undefined {
  const numeric =
    'origin' in issue && (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint');
  switch (issue.code) {
    case 'too_big': {
      const max = Number(issue.maximum);
      if (numeric) return { code: 'NUMBER_TYPE_MAX', message: `int value should be less than or equal to ${max}.` };
      // Discord counts characters (code points); zod counts UTF-16 units.
      if (issue.origin === 'string' && typeof value === 'string' && charLength(value) <= max) return undefined;
      return lengthMessage(bounds(), 'max', max);
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (numeric) return { code: 'NUMBER_TYPE_MIN', message: `int value should be greater than or equal to ${min}.` };
      return lengthMessage(bounds(), 'min', min);
    }
    case 'invalid_type':
      return invalidType(issue.expected, value);
    case 'invalid_value':
      if (value === undefined) return { code: 'BASE_TYPE_REQUIRED', message: 'This field is required' };
      return {
        code: 'BASE_TYPE_CHOICES',
        message: `Value must be one of {${issue.values.map((v) => JSON.stringify(v)).join(', ')}}.`,
      };
    case 'invalid_format':
      if (issue.format === 'url') return { code: 'URL_TYPE_INVALID_URL', message: 'Not a well formed URL.' };
      if (issue.format === 'regex')
        return { code: 'NUMBER_TYPE_COERCE', message: `Value "${String(value)}" is not snowflake.` };
      if (issue.format === 'datetime')
        return { code: 'DATE_TYPE_PARSE', message: `Could not parse ${String(value)}. Should be ISO8601.` };
      return { code: 'BASE_TYPE_INVALID', message: `Invalid ${issue.format}.` };
    case 'invalid_union':
      return { code: 'UNION_TYPE_CHOICES', message: 'Value does not match any of the allowed shapes.' };
    case 'unrecognized_keys':
      return { code: 'BASE_TYPE_INVALID', message: `Unknown keys: ${issue.keys.join(', ')}.` };
    default:
      return { code: 'BASE_TYPE_INVALID', message: 'Invalid value.' };
  }
}

function lengthMessage(
  bounds: { min?: number; max?: number },
  failed: 'min' | 'max',
  limit: number,
): Omit<Violation, 'field'> {
  if (bounds.min !== undefined && bounds.max !== undefined && bounds.min > 0) {
    return { code: 'BASE_TYPE_BAD_LENGTH', message: `Must be between ${bounds.min} and ${bounds.max} in length.` };
  }
  return failed === 'max'
    ? { code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${limit} or fewer in length.` }
    : { code: 'BASE_TYPE_MIN_LENGTH', message: `Must be ${limit} or more in length.` };
}

function invalidType(expected: string, value: unknown): Omit<Violation, 'field'> {
  if (value === undefined) return { code: 'BASE_TYPE_REQUIRED', message: 'This field is required' };
  switch (expected) {
    case 'string':
      return { code: 'BASE_TYPE_STRING', message: 'Must be a string.' };
    case 'number':
    case 'int':
    case 'bigint':
      return { code: 'NUMBER_TYPE_COERCE', message: `Value "${String(value)}" is not int.` };
    case 'boolean':
      return { code: 'BOOLEAN_TYPE_COERCE', message: `Value "${String(value)}" is not a boolean.` };
    case 'array':
      return { code: 'LIST_TYPE_CONVERT', message: 'Only iterables may be used in a ListType' };
    case 'object':
    case 'record':
      return { code: 'MODEL_TYPE_CONVERT', message: 'Only dictionaries may be used in a ModelType' };
    default:
      return { code: 'BASE_TYPE_INVALID', message: `Must be ${expected}.` };
  }
}
