/**
 * A 422001 from RunComfy (here: the emulator's own validation against the model page's JSON
 * Schema, over real HTTP) is a permanent, typed error carrying each field's detail: never retried.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunComfyEmulator, startRunComfyEmulator } from '../../src/emulators/runcomfy/index.js';
import { errorMessage } from '../../src/i18n/index.js';
import { RunComfyClient } from '../../src/runcomfy/client.js';
import { isTransient, RunComfyValidationError } from '../../src/runcomfy/errors.js';

const MODEL = 'bytedance/seedream-4-0/sequential';

const INPUT = {
  text: 'Generate 3 images of a lighthouse at dusk',
  sequential_image_generation_options: 3,
  image_size: '2560:1440 (16:9)',
  optimize_prompt_options: 'fast',
  sequential_image_generation: 'auto',
} as const;

// Generous: a retried validation error would show as extra submits.
const RETRY = { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 5 };

let emulator: RunComfyEmulator;
let client: RunComfyClient;

beforeAll(async () => {
  emulator = await startRunComfyEmulator({ queueMs: 60_000 });
  client = new RunComfyClient({
    baseUrl: emulator.url,
    token: emulator.token,
    timeoutMs: 2_000,
    retry: RETRY,
  });
});

afterAll(async () => {
  await client.close();
  await emulator.close();
});

async function refused(input: unknown): Promise<RunComfyValidationError> {
  const submitsBefore = emulator.calls.filter((c) => c.route === 'submit').length;
  const jobsBefore = emulator.jobs().length;
  const error = await client.submit(MODEL, input).then(
    () => {
      throw new Error('expected the submit to be refused');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RunComfyValidationError);
  expect(emulator.calls.filter((c) => c.route === 'submit').length - submitsBefore).toBe(1); // not retried
  expect(emulator.jobs()).toHaveLength(jobsBefore); // nothing started, nothing charged
  return error as RunComfyValidationError;
}

describe('RunComfy 422001 with a detail array', () => {
  it('is a permanent RunComfyValidationError naming every field the schema refused, with its message', async () => {
    const error = await refused({
      ...INPUT,
      sequential_image_generation_options: 16,
      image_size: '1:1',
      optimize_prompt_options: 'best',
    });
    expect(error.code).toBe('runcomfy_validation');
    expect(error.status).toBe(422);
    expect(error.apiErrorCode).toBe(422001);
    expect(isTransient(error)).toBe(false);
    expect(error.issues).toEqual([
      {
        field: 'sequential_image_generation_options',
        message: 'Input should be 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 or 15',
      },
      { field: 'image_size', message: expect.stringMatching(/^Input should be '2048:2048 \(1:1\)', /) },
      { field: 'optimize_prompt_options', message: "Input should be 'fast' or 'standard'" },
    ]);
    expect(error.params['fields']).toBe('sequential_image_generation_options, image_size, optimize_prompt_options');
    // Members read it in their language, with the fields named.
    for (const locale of ['en-US', 'zh-TW', 'zh-CN']) {
      const message = errorMessage(locale, error);
      expect(message.code).toBe('runcomfy_validation');
      expect(message.text).toContain('image_size');
    }
  });

  it('a missing required field and the stricter UTF-16 length are refused alike', async () => {
    const { text: _text, ...withoutText } = INPUT;
    expect((await refused(withoutText)).issues).toEqual([{ field: 'text', message: 'Field required' }]);
    const emoji = await refused({ ...INPUT, text: `Generate 3 images of ${'🌊'.repeat(295)}` });
    expect(emoji.issues).toEqual([{ field: 'text', message: 'String should have at most 600 characters' }]);
  });

  it.each([
    [
      'HTTP 400',
      {
        kind: 'http-error',
        status: 400,
        errorCode: 422001,
        detail: [{ loc: ['body', 'seed'], msg: 'bad seed', type: 'int_type' }],
      },
    ],
    ['HTTP 200 with an error body', { kind: 'error-body-200', errorCode: 422001, message: 'seed is not valid' }],
  ] as const)('is the same permanent error when RunComfy answers it with %s', async (_name, fault) => {
    emulator.inject({ ...fault, route: 'submit' });
    const error = await refused(INPUT);
    expect(error.apiErrorCode).toBe(422001);
    expect(isTransient(error)).toBe(false);
    expect(error.issues[0]?.message).toMatch(/seed/);
  });
});
