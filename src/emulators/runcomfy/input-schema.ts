import { z } from 'zod';
import type { SeedreamInput } from './types.js';

/** The eight sizes the model page offers; the label is part of the value. */
export const IMAGE_SIZES = [
  '2048:2048 (1:1)',
  '2304:1728 (4:3)',
  '1728:2304 (3:4)',
  '2560:1440 (16:9)',
  '1440:2560 (9:16)',
  '2496:1664 (3:2)',
  '1664:2496 (2:3)',
  '3024:1296 (21:9)',
] as const;

/** Strict on types (no "3" for 3) so client bugs surface here rather than upstream. */
const seedreamInputSchema = z.object({
  text: z.string().min(1).max(600),
  sequential_image_generation_options: z.number().int().min(1).max(15).default(3),
  image_size: z.enum(IMAGE_SIZES).default('2560:1440 (16:9)'),
  seed: z.number().int().optional(),
  optimize_prompt_options: z.enum(['fast', 'standard']).default('fast'),
  sequential_image_generation: z.literal('auto').default('auto'),
});

/** One entry of a 422001 `detail` array, shaped like FastAPI/pydantic's. */
export interface ValidationDetail {
  loc: Array<string | number>;
  msg: string;
  type: string;
}

export type InputCheck = { ok: true; input: SeedreamInput } | { ok: false; detail: ValidationDetail[] };

export function checkSeedreamInput(body: unknown): InputCheck {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, detail: [{ loc: ['body'], msg: 'Input should be a valid dictionary', type: 'dict_type' }] };
  }
  const parsed = seedreamInputSchema.safeParse(body);
  if (parsed.success) return { ok: true, input: parsed.data };
  const fields = body as Record<string, unknown>;
  const detail = parsed.error.issues.map((issue): ValidationDetail => {
    const loc = ['body', ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    const field = issue.path[0];
    const missing = typeof field === 'string' && fields[field] === undefined;
    return { loc, msg: missing ? 'Field required' : issue.message, type: missing ? 'missing' : detailType(issue) };
  });
  return { ok: false, detail };
}

/** Maps zod issue codes onto pydantic-style error types. */
function detailType(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `${issue.expected === 'number' ? 'int' : issue.expected}_type`;
    case 'too_small':
      return issue.origin === 'string' ? 'string_too_short' : 'greater_than_equal';
    case 'too_big':
      return issue.origin === 'string' ? 'string_too_long' : 'less_than_equal';
    case 'invalid_value':
      return 'literal_error';
    default:
      return issue.code;
  }
}

/** "2560:1440 (16:9)" → { width: 2560, height: 1440 }. */
export function pixelSize(imageSize: string): { width: number; height: number } {
  const match = /^(\d+):(\d+)/.exec(imageSize);
  if (!match) throw new Error(`Unknown image size ${imageSize}`);
  return { width: Number(match[1]), height: Number(match[2]) };
}
