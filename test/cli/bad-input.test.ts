import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunComfyEmulator, startRunComfyEmulator } from '../../src/emulators/runcomfy/index.js';
import { emulatorEnv, runCli, STACK_TRACE, tempDir } from './cli-harness.js';

let emulator: RunComfyEmulator;
let out: string;
beforeAll(async () => {
  emulator = await startRunComfyEmulator({ queueMs: 0 });
  out = await tempDir();
});
afterAll(async () => {
  await emulator?.close();
});
// The point of every case: nothing reaches RunComfy, not even a status call.
afterEach(() => {
  expect(emulator.calls).toEqual([]);
});

// The brief's cases run as real processes; the wider matrix runs in-process (run-cli.test.ts).
const cases: Array<[string, string[], RegExp]> = [
  [
    'a prompt over 600 characters',
    ['generate', `${'a very long prompt '.repeat(32)}`],
    /is 607 characters long; the limit is 600/,
  ],
  ['count 0', ['generate', 'a cat', '-n', '0'], /asked for 0 images; please choose a number from 1 to 15/],
  ['count 16', ['generate', 'a cat', '-n', '16'], /asked for 16 images; please choose a number from 1 to 15/],
  ['an unknown aspect ratio', ['generate', 'a cat', '--aspect', '5:4'], /“5:4” is not an aspect ratio .* 1:1, 4:3/],
  ['a non-integer seed', ['generate', 'a cat', '--seed', '4.2'], /seed must be a whole number .*you gave “4\.2”/],
  [
    'a count the prompt contradicts',
    ['generate', '3 images of a cat', '-n', '5'],
    /prompt asks for 3 images but the count option says 5/,
  ],
];

describe.concurrent('bad input exits 2 and sends nothing', () => {
  it.each(cases)('%s', async (_name, args, message) => {
    // A real --out, so that only the input can be wrong.
    const run = await runCli([...args, '--out', out], { env: emulatorEnv(emulator) });
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.stdout).toBe('');
    expect(run.code).toBe(2);
  });

  it('a missing RUNCOMFY_API_TOKEN names the variable and exits 2', async () => {
    const { RUNCOMFY_API_TOKEN: _token, ...env } = emulatorEnv(emulator);
    const run = await runCli(['generate', 'a cat', '--out', out], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('RUNCOMFY_API_TOKEN is missing');
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.stdout).toBe('');
  });

  it('a developer’s .env where the CLI runs does not stand in for a variable the test removed', async () => {
    // The working folder plays the repository root with a filled-in .env.
    const cwd = await tempDir();
    const env = emulatorEnv(emulator);
    await writeFile(
      join(cwd, '.env'),
      Object.entries(env)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );
    const { RUNCOMFY_API_TOKEN: _token, ...withoutToken } = env;
    const run = await runCli(['generate', 'a cat', '--out', out], { env: withoutToken, cwd });
    expect(run.stderr).toContain('RUNCOMFY_API_TOKEN is missing');
    expect(run.code).toBe(2);
  });
});
