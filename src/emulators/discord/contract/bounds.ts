/**
 * The length bounds a spec schema sets at a field, found by walking the schema along the
 * field's path. zod reports only the bound that failed; Discord words a field with both
 * bounds as "Must be between 1 and 100 in length.", so the other bound is looked up here.
 */
import type * as z from 'zod/mini';

interface Def {
  type: string;
  shape?: Record<string, Node>;
  element?: Node;
  innerType?: Node;
  getter?: () => Node;
  options?: Node[];
  valueType?: Node;
  in?: Node;
  checks?: Array<{ _zod: { def: { check: string; minimum?: number; maximum?: number } } }>;
}
interface Node {
  _zod: { def: Def };
}

function unwrap(node: Node | undefined, value: unknown): Node | undefined {
  let current = node;
  for (let guard = 0; current && guard < 50; guard++) {
    const def: Def = current._zod.def;
    if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') current = def.innerType;
    else if (def.type === 'lazy') current = def.getter?.();
    else if (def.type === 'pipe') current = def.in;
    else if (def.type === 'union') current = pickOption(def.options ?? [], value);
    else return current;
  }
  return current;
}

/** The union option meant for this value: the one whose `type` literal it carries, else the first of its kind. */
function pickOption(options: Node[], value: unknown): Node | undefined {
  const unwrapped = options.map((o) => unwrap(o, value));
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const type = (value as Record<string, unknown>)['type'];
    for (const option of unwrapped) {
      const literal = unwrap(option?._zod.def.shape?.['type'], type)?._zod.def as { values?: unknown[] } | undefined;
      if (literal?.values?.includes(type)) return option;
    }
    return unwrapped.find((o) => o?._zod.def.type === 'object');
  }
  const kind = Array.isArray(value) ? 'array' : typeof value;
  return unwrapped.find((o) => o?._zod.def.type === kind) ?? unwrapped[0];
}

export function lengthBoundsAt(
  schema: z.ZodMiniType<unknown, unknown>,
  path: readonly PropertyKey[],
  root: unknown,
): { min?: number; max?: number } {
  let node: Node | undefined = schema as unknown as Node;
  let value = root;
  for (const key of path) {
    node = unwrap(node, value);
    const def = node?._zod.def;
    value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
    if (def?.type === 'object') node = def.shape?.[String(key)];
    else if (def?.type === 'array') node = def.element;
    else if (def?.type === 'record') node = def.valueType;
    else return {};
  }
  const bounds: { min?: number; max?: number } = {};
  for (const check of unwrap(node, value)?._zod.def.checks ?? []) {
    const def = check._zod.def;
    if (def.check === 'min_length' && def.minimum !== undefined) bounds.min = def.minimum;
    if (def.check === 'max_length' && def.maximum !== undefined) bounds.max = def.maximum;
  }
  return bounds;
}
