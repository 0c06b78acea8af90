/**
 * The bot's zod input schema against the model page's own JSON Schema (contracts/, the same file
 * the RunComfy emulator validates with): if either drifts, a test here fails.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ASPECT_RATIO_KEYS, ASPECT_RATIOS } from '../../../src/models/seedream-sequential/aspect-ratios.js';
import { buildSeedreamInput } from '../../../src/models/seedream-sequential/build-input.js';
import {
  IMAGE_SIZES,
  MAX_IMAGES,
  MAX_PROMPT_LENGTH,
  MAX_SEED,
  MIN_IMAGES,
  QUALITY_OPTIONS,
  SEEDREAM_DEFAULTS,
  SEQUENTIAL_MODES,
  seedreamInputSchema,
} from '../../../src/models/seedream-sequential/input.js';
import { countPhrase, type PromptLanguage } from '../../../src/models/seedream-sequential/prompt-count.js';
import { BOUNDARY_CASES, describeValue } from '../../contracts/boundary-cases.js';
import { ajvErrors, inputJsonSchema, validateInput } from '../../contracts/contract-schemas.js';

const contract = inputJsonSchema.properties;
const bot = z.toJSONSchema(seedreamInputSchema, { io: 'input' }) as {
  properties: Record<
    string,
    { type?: string; enum?: unknown[]; minimum?: number; maximum?: number; maxLength?: number }
  >;
  required: string[];
};

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** The longest prompt the bot still takes for `count` once it prepends its count phrase. */
function longestPrompt(count: number, language: PromptLanguage, unit: string): string {
  const room = MAX_PROMPT_LENGTH - countPhrase(count, language).length;
  return unit.repeat(Math.floor(room / unit.length));
}

interface PromptCase {
  name: string;
  prompt: (count: number) => string;
  locale: string;
  /** The prompt states the count itself, so the count option must be the same. */
  statesCount?: boolean;
}

const PROMPTS: PromptCase[] = [
  { name: 'English', prompt: () => 'a lighthouse at dusk, watercolour', locale: 'en-US' },
  {
    name: 'English stating the count',
    prompt: (n) => `Generate ${n} images of a lighthouse at dusk`,
    locale: 'en-US',
    statesCount: true,
  },
  { name: 'Traditional Chinese', prompt: () => '黃昏時的燈塔，水彩畫', locale: 'zh-TW' },
  { name: 'Simplified Chinese', prompt: () => '黄昏时的灯塔，水彩画', locale: 'zh-CN' },
  {
    name: 'Chinese stating the count',
    prompt: (n) => `生成${n}張圖片：黃昏時的燈塔`,
    locale: 'zh-TW',
    statesCount: true,
  },
  { name: 'English at the length limit', prompt: (n) => longestPrompt(n, 'en', 'x'), locale: 'en-US' },
  { name: 'Chinese at the length limit', prompt: (n) => longestPrompt(n, 'zh-Hant', '貓'), locale: 'zh-TW' },
  // Astral characters count twice in UTF-16, once for JSON Schema's maxLength.
  { name: 'emoji at the length limit', prompt: (n) => longestPrompt(n, 'en', '🌊'), locale: 'en-US' },
];

describe('every input the bot can build fits the model page JSON Schema', () => {
  it('all counts × all sizes × both qualities × with and without a seed × English and Chinese prompts', () => {
    let checked = 0;
    const seen = { sizes: new Set<string>(), counts: new Set<number>(), longest: 0 };
    for (const promptCase of PROMPTS) {
      for (const count of range(MIN_IMAGES, MAX_IMAGES)) {
        for (const aspect of ASPECT_RATIO_KEYS) {
          for (const quality of QUALITY_OPTIONS) {
            for (const seed of [null, count % 2 === 0 ? 0 : MAX_SEED]) {
              const input = buildSeedreamInput({
                prompt: promptCase.prompt(count),
                count: promptCase.statesCount && count % 3 === 0 ? null : count,
                aspect,
                quality,
                seed,
                locale: promptCase.locale,
              });
              const where = `${promptCase.name}, count ${count}, ${aspect}, ${quality}, seed ${seed}`;
              expect(validateInput(input), `${where}: ${ajvErrors(validateInput)}`).toBe(true);
              expect(input.sequential_image_generation_options, where).toBe(count);
              seen.sizes.add(input.image_size);
              seen.counts.add(input.sequential_image_generation_options);
              seen.longest = Math.max(seen.longest, input.text.length);
              checked += 1;
            }
          }
        }
      }
    }
    expect(checked).toBe(PROMPTS.length * 15 * 8 * 2 * 2);
    expect([...seen.sizes].sort()).toEqual([...(contract.image_size?.enum ?? [])].sort());
    expect([...seen.counts].sort((a, b) => a - b)).toEqual(contract.sequential_image_generation_options?.enum);
    expect(seen.longest).toBe(MAX_PROMPT_LENGTH); // the length limit itself was built and passed
  });
});

describe("the bot's zod schema has the JSON Schema's fields, enums and bounds", () => {
  it('the same fields; every field the page requires is required by the bot', () => {
    expect(Object.keys(bot.properties).sort()).toEqual(Object.keys(contract).sort());
    for (const field of inputJsonSchema.required) expect(bot.required, field).toContain(field);
  });

  it('the same JSON type for every field', () => {
    for (const [field, property] of Object.entries(contract)) {
      expect(bot.properties[field]?.type, field).toBe(property.type);
    }
  });

  it('text: the same maxLength (the bot counting UTF-16 units is stricter, see prompt-count.ts)', () => {
    expect(contract.text?.maxLength).toBe(MAX_PROMPT_LENGTH);
    expect(bot.properties['text']?.maxLength).toBe(contract.text?.maxLength);
  });

  it('sequential_image_generation_options: the bot range is exactly the enum', () => {
    const botRange = range(
      bot.properties['sequential_image_generation_options']!.minimum!,
      bot.properties['sequential_image_generation_options']!.maximum!,
    );
    expect(botRange).toEqual(contract.sequential_image_generation_options?.enum);
    expect(range(MIN_IMAGES, MAX_IMAGES)).toEqual(contract.sequential_image_generation_options?.enum);
  });

  it('image_size: the same values in the same order, and one aspect ratio per value', () => {
    expect(bot.properties['image_size']?.enum).toEqual(contract.image_size?.enum);
    expect([...IMAGE_SIZES]).toEqual(contract.image_size?.enum);
    expect(ASPECT_RATIOS.map((a) => a.imageSize)).toEqual(contract.image_size?.enum);
  });

  it('optimize_prompt_options: the same values', () => {
    expect(bot.properties['optimize_prompt_options']?.enum).toEqual(contract.optimize_prompt_options?.enum);
    expect([...QUALITY_OPTIONS]).toEqual(contract.optimize_prompt_options?.enum);
  });

  it('sequential_image_generation: the page only types a string; the bot sends its default and nothing else', () => {
    expect(contract.sequential_image_generation?.enum).toBeUndefined(); // if the page lists modes, compare them here
    expect([...SEQUENTIAL_MODES]).toEqual([contract.sequential_image_generation?.default]);
  });

  it("the bot's defaults are the page's", () => {
    expect(SEEDREAM_DEFAULTS.count).toBe(contract.sequential_image_generation_options?.default);
    expect(SEEDREAM_DEFAULTS.imageSize).toBe(contract.image_size?.default);
    expect(SEEDREAM_DEFAULTS.quality).toBe(contract.optimize_prompt_options?.default);
    expect(SEEDREAM_DEFAULTS.sequentialImageGeneration).toBe(contract.sequential_image_generation?.default);
  });
});

/**
 * Where the bot is stricter than the page, on purpose (see model-input.ts): an empty text (it
 * cannot state a count), text over 600 UTF-16 units, a seed outside 0..2^31-1 (negative means
 * "random" upstream), a mode other than "auto", and every field but the seed left out (the bot
 * sends each value explicitly rather than trust the service's defaults).
 */
function botStricter(field: string, value: unknown): boolean {
  if (value === undefined) return field !== 'seed' && field in contract;
  if (field === 'text') return typeof value === 'string' && (value.length === 0 || value.length > MAX_PROMPT_LENGTH);
  if (field === 'seed') return typeof value === 'number' && (value < 0 || value > MAX_SEED);
  if (field === 'sequential_image_generation') return typeof value === 'string' && value !== 'auto';
  return false;
}

describe('a boundary table: what the page refuses, the bot refuses', () => {
  it.each(BOUNDARY_CASES.map((c) => [c.name, c] as const))('%s', (_name, { field, value, body }) => {
    const schemaOk = validateInput(body);
    const botOk = seedreamInputSchema.safeParse(body).success;
    if (!schemaOk) expect(botOk, `the page refuses it: ${ajvErrors(validateInput)}`).toBe(false);
    else expect(botOk).toBe(!botStricter(field, value));
  });

  it('covers both sides: many refusals by the page, and each stricter rule of the bot', () => {
    const refused = BOUNDARY_CASES.filter((c) => !validateInput(c.body)).map((c) => c.name);
    const stricter = BOUNDARY_CASES.filter((c) => validateInput(c.body) && botStricter(c.field, c.value)).map(
      (c) => c.name,
    );
    expect(refused.length).toBeGreaterThan(25);
    expect(stricter).toEqual([
      'text=""',
      `text=${describeValue('😀'.repeat(301))}`,
      `text=${describeValue('😀'.repeat(600))}`,
      'sequential_image_generation_options=undefined',
      'image_size=undefined',
      'seed=-1',
      'seed=2147483648',
      'seed=9007199254740992',
      'optimize_prompt_options=undefined',
      'sequential_image_generation="disabled"',
      'sequential_image_generation="Auto"',
      'sequential_image_generation=""',
      'sequential_image_generation=undefined',
    ]);
  });
});
