/**
 * The command line in-process: the same `runCli` the binary runs, with its streams, environment
 * and Ctrl-C handed in. Covers the edge cases without paying a process start for each.
 */
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/cli-io.js';
import { runCli } from '../../src/cli/run-cli.js';
import { type RunComfyEmulator, startRunComfyEmulator } from '../../src/emulators/runcomfy/index.js';
import { emulatorEnv, STACK_TRACE, submitJob, tempDir } from './cli-harness.js';

interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

function run(
  args: string[],
  env: Record<string, string>,
  options: {
    stdin?: string;
    interruptWhen?: (stderr: string) => boolean;
    onStderr?: (stderr: string) => void;
    cwd?: string;
  } = {},
): Promise<InProcessRun> {
  let stdout = '';
  let stderr = '';
  const interrupt = new AbortController();
  const io: CliIo = {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: {
      write: (chunk: string) => {
        stderr += chunk;
        options.onStderr?.(stderr);
        if (options.interruptWhen?.(stderr)) interrupt.abort();
      },
    },
    env,
    readStdin: async () => options.stdin ?? '',
    interrupt: interrupt.signal,
    clock: Date.now,
    // Never the repository: a command without --out makes its folder here.
    cwd: options.cwd ?? tmpdir(),
  };
  return runCli(args, io).then((code) => ({ code, stdout, stderr }));
}

// count 1 stays queued for a minute, count 2 generates for a minute, others finish at once.
let emulator: RunComfyEmulator;
let env: Record<string, string>;
let queuedId: string;
let runningId: string;
let doneId: string;
beforeAll(async () => {
  emulator = await startRunComfyEmulator({
    queueMs: ({ count }) => (count === 1 ? 60_000 : 0),
    runMs: ({ count }) => (count === 2 ? 60_000 : 150),
  });
  env = emulatorEnv(emulator);
  [queuedId, runningId, doneId] = await Promise.all([
    submitJob(emulator, { text: 'Generate 1 image of a fox', sequential_image_generation_options: 1 }),
    submitJob(emulator, { text: 'Generate 2 images of a fox', sequential_image_generation_options: 2 }),
    submitJob(emulator, { text: 'Generate 3 images of a fox', sequential_image_generation_options: 3 }),
  ]);
  await new Promise((resolve) => setTimeout(resolve, 300)); // doneId finishes
});
afterAll(async () => {
  await emulator?.close();
});

describe('more bad input: exit 2, nothing sent', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['a count that is not a number', ['generate', 'a cat', '--count', 'three'], /asked for three images/],
    ['a seed out of range', ['generate', 'a cat', '--seed=-1'], /seed must be a whole number from 0 to 2147483647/],
    ['a seed that is not a number', ['generate', 'a cat', '--seed', 'abc'], /you gave “abc”/],
    [
      'two counts in the prompt',
      ['generate', '3 images and 4 posters of a cat'],
      /more than one number of images \(3, 4\)/,
    ],
    ['an empty prompt', ['generate', '   '], /Your prompt is empty/],
    ['an unknown quality', ['generate', 'a cat', '--quality', 'ultra'], /“ultra” is not a quality setting/],
    [
      'a count out of range in the prompt',
      ['generate', '20 images of a cat'],
      /asks for 20 images, but one request can make 1 to 15/,
    ],
    [
      'an unknown option',
      ['generate', 'a cat', '--colour', 'red'],
      /^seedream: Unknown option --colour; the options are -h\/--help, --json, --verbose, -n\/--count, [^\n]*--quiet\nRun "seedream generate --help" for usage\.\n$/,
    ],
    [
      'an unknown short option',
      ['status', 'x', '-z'],
      /^seedream: Unknown option -z; the options are -h\/--help, --json, --verbose\n/,
    ],
    ['an option without its value', ['generate', 'a cat', '--aspect'], /^seedream: --aspect needs a value\n/],
    ['a flag given a value', ['generate', 'a cat', '--json=yes'], /^seedream: --json takes no value\n/],
    ['a missing prompt', ['generate'], /Missing the prompt/],
    ['a bad --timeout', ['generate', 'a cat', '--timeout', 'soon'], /--timeout must be a duration/],
    ['an unknown command', ['paint', 'a cat'], /Unknown command "paint"/],
    ['status without an id', ['status'], /Missing the request id/],
    ['cancel with two ids', ['cancel', 'a', 'b'], /Expected one request id, got 2/],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const before = emulator.calls.length;
    const result = await run(args, env);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(STACK_TRACE);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
    expect(emulator.calls.length).toBe(before);
  });

  it('names a malformed variable', async () => {
    const result = await run(['status', 'abc'], { ...env, RUNCOMFY_BASE_URL: 'not a url' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/RUNCOMFY_BASE_URL is invalid/);
  });
});

describe('help', () => {
  it('each command prints its usage on stdout and exits 0', async () => {
    for (const command of ['generate', 'status', 'result', 'cancel']) {
      const result = await run([command, '--help'], {});
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: seedream ${command}`));
      expect(await run(['help', command], {})).toEqual(result);
    }
    const main = await run(['--help'], {});
    expect(main).toMatchObject({ code: 0, stderr: '' });
    expect(main.stdout).toMatch(/seedream generate "<prompt>"/);
    const none = await run([], {});
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/Usage:/);
    expect((await run(['--version'], {})).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe('generate, in-process', () => {
  it('reads the prompt from stdin with "-" and --quiet prints nothing but the paths', async () => {
    const out = await tempDir();
    const result = await run(['generate', '-', '--aspect', '1:1', '--out', out, '--quiet'], env, {
      stdin: 'three images of a red bicycle\n',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim().split('\n')).toHaveLength(3);
    const job = emulator.jobs().find((j) => j.input.text === 'three images of a red bicycle');
    expect(job?.input.image_size).toBe('2048:2048 (1:1)');
  });

  it('without --out the set goes to its own folder, seedream-<request id>, in the current folder, and says so', async () => {
    const cwd = await tempDir();
    const result = await run(['generate', 'a cat', '-n', '3'], env, { cwd });
    expect(result.code, result.stderr).toBe(0);
    const requestId = /Submitted as request (\S+)/.exec(result.stderr)?.[1];
    const folder = join(cwd, `seedream-${requestId}`);
    expect(result.stderr).toContain(`The images go to ${folder}`);
    expect(await readdir(cwd)).toEqual([`seedream-${requestId}`]);
    expect(result.stdout.trim().split('\n')).toEqual([1, 2, 3].map((n) => join(folder, `${requestId}-${n}.jpg`)));
  });

  it('Ctrl-C while queued cancels on RunComfy (exit 130)', async () => {
    const result = await run(['generate', 'a cat', '-n', '1', '--out', await tempDir()], env, {
      interruptWhen: (stderr) => /^Queued/m.test(stderr),
    });
    expect(result.code).toBe(130);
    const requestId = /Submitted as request (\S+)/.exec(result.stderr)?.[1];
    expect(result.stderr).toContain(`Cancelled request ${requestId} on RunComfy: it was still queued`);
    expect(emulator.job(requestId!)?.cancelled).toBe(true);
  });

  it('a request cancelled elsewhere ends with no advice to run the (paid) command again', async () => {
    let cancelling: Promise<unknown> | undefined;
    const result = await run(['generate', 'a cat', '-n', '1', '--out', await tempDir()], env, {
      onStderr: (stderr) => {
        const id = /Submitted as request (\S+)/.exec(stderr)?.[1];
        if (id && /^Queued/m.test(stderr)) {
          cancelling ??= fetch(`${emulator.url}/v1/requests/${id}/cancel`, {
            method: 'POST',
            headers: { authorization: `Bearer ${emulator.token}` },
          });
        }
      },
    });
    await cancelling;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/The generation was cancelled\. \(reference [A-Z2-7]{6}\)\n {2}request: \S+\n$/);
    expect(result.stderr).not.toMatch(/again|--verbose/);
  });

  it('a failure after the submit points at the request, not at running generate again', async () => {
    emulator.inject({ kind: 'job-fails', error: { message: 'nope' } });
    const result = await run(['generate', 'a cat', '-n', '3', '--out', await tempDir()], env);
    expect(result.code).toBe(1);
    const requestId = /Submitted as request (\S+)/.exec(result.stderr)?.[1];
    expect(result.stderr).toContain(`For details (nothing is generated again): seedream result ${requestId} --verbose`);
    expect(result.stderr).not.toContain('Run again');
  });

  it('--timeout gives up waiting (exit 1) and says how to come back for the result', async () => {
    const out = await tempDir();
    const result = await run(['generate', 'a cat', '-n', '1', '--timeout', '1200ms', '--out', out], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/did not finish in time \(limit: 1 min\)/);
    expect(result.stderr).toMatch(new RegExp(`limit: 1 min[\\s\\S]*seedream result \\S+ --wait --out ${out}`));
    expect(result.stderr).toMatch(/reference [A-Z2-7]{6}/);
    expect(result.stderr).not.toMatch(STACK_TRACE);
  });

  it('reports fewer images than asked honestly and still succeeds', async () => {
    emulator.inject({ kind: 'fewer-images', count: 2 });
    const out = await tempDir();
    const result = await run(['generate', 'a cat', '-n', '4', '--out', out, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Received 2 of 4 images/);
    expect(JSON.parse(result.stdout)).toMatchObject({ requested: 4, received: 2 });
  });

  it('keeps the images it could download and warns about the others', async () => {
    emulator.inject({ kind: 'image-404', index: 1 });
    const out = await tempDir();
    const result = await run(['generate', 'a cat', '-n', '3', '--out', out], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/image 2 could not be downloaded \(image gone\)/);
    expect(result.stdout.trim().split('\n')).toHaveLength(2);
    expect((await readdir(out)).filter((name) => name.endsWith('.part'))).toEqual([]);
  });

  it('refuses image URLs outside RUNCOMFY_OUTPUT_HOSTS (exit 1, with a hint)', async () => {
    const result = await run(['generate', 'a cat', '-n', '3', '--out', await tempDir()], {
      ...env,
      RUNCOMFY_OUTPUT_HOSTS: 'cdn.runcomfy.net',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/returned no usable images/);
    expect(result.stderr).toContain('RUNCOMFY_OUTPUT_HOSTS');
  });
});

describe('status / result / cancel, in-process', () => {
  it('status --json', async () => {
    const result = await run(['status', runningId, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ requestId: runningId, status: 'in_progress', queuePosition: null });
    const queued = JSON.parse((await run(['status', queuedId, '--json'], env)).stdout);
    expect(queued).toMatchObject({ status: 'in_queue', queuePosition: expect.any(Number) });
  });

  it('status of a finished request says succeeded, the word --json and result use', async () => {
    const text = await run(['status', doneId], env);
    expect(text.stdout).toBe(`${doneId}: succeeded (seedream result ${doneId} --out <dir> fetches the images)\n`);
    const json = await run(['status', doneId, '--json'], env);
    expect(JSON.parse(json.stdout)).toEqual({ requestId: doneId, status: 'succeeded', queuePosition: null });
    expect(JSON.parse((await run(['result', doneId, '--json'], env)).stdout).status).toBe('succeeded');
  });

  it('an unknown id is a friendly error naming the request, exit 1', async () => {
    const result = await run(['status', 'no-such-request'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/RunComfy no longer knows this request/);
    expect(result.stderr).toMatch(/request: no-such-request\n {2}Run again with --verbose for details\.\n$/);
    expect(result.stderr).not.toMatch(STACK_TRACE);
  });

  it('result of an unfinished request says so (exit 0)', async () => {
    const text = await run(['result', runningId], env);
    expect(text).toMatchObject({ code: 0, stdout: '' });
    expect(text.stderr).toContain(`Request ${runningId} has not finished yet (in_progress)`);
    const json = await run(['result', runningId, '--json'], env);
    expect(JSON.parse(json.stdout)).toEqual({ requestId: runningId, status: 'in_progress' });
  });

  it('result without --out prints the image URLs', async () => {
    const result = await run(['result', doneId], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([0, 1, 2].map((i) => `${emulator.url}/files/${doneId}/${i}.jpg`));
  });

  it('a failed generation exits 1 with the friendly message, never the upstream error', async () => {
    const id = await submitJob(emulator, {
      text: 'Generate 5 images of a fox',
      sequential_image_generation_options: 5,
    });
    emulator.inject({ kind: 'job-fails', requestId: id, error: { message: 'internal stack: secret-value' } });
    const result = await run(['result', id, '--wait'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/The model could not generate this set/);
    expect(result.stderr).not.toContain('secret-value');
  });

  it('cancel of a running request is refused (exit 1)', async () => {
    const result = await run(['cancel', runningId, '--json'], env);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ requestId: runningId, outcome: 'not_cancellable' });
    expect(emulator.job(runningId)?.cancelled).toBe(false);
  });

  it('a refused token is explained without the token', async () => {
    const result = await run(['status', queuedId], { ...env, RUNCOMFY_API_TOKEN: 'wrong-token-123' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/RunComfy key was refused/);
    expect(result.stderr).toContain('Check RUNCOMFY_API_TOKEN.');
    expect(result.stderr).not.toContain('wrong-token-123');
  });
});
