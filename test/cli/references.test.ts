/**
 * `seedream generate --ref URL`: references are refused before anything reaches RunComfy (a
 * local file, too many, too many with the count, not an image, too large, gone), and a set made
 * from references runs the edit model with them: the RunComfy emulator's edit-sequential, which
 * fetches each reference as RunComfy would (loopback allowed in the emulator).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/cli-io.js';
import { runCli as runCliInProcess } from '../../src/cli/run-cli.js';
import { type RunComfyEmulator, startRunComfyEmulator } from '../../src/emulators/runcomfy/index.js';
import { type LocalServer, startLocalServer } from '../helpers/local-server.js';
import { emulatorEnv, runCli, STACK_TRACE, tempDir } from './cli-harness.js';

const MB = 1024 * 1024;
let emulator: RunComfyEmulator;
let refs: LocalServer;
let out: string;

/** The first bytes to a range request (the CLI's check), the whole file otherwise (RunComfy's fetch). */
function pngHead(req: IncomingMessage, res: ServerResponse, body: Buffer) {
  if (req.headers.range === undefined) {
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': body.length });
    return res.end(body);
  }
  res.writeHead(206, {
    'content-type': 'image/png',
    'content-range': `bytes 0-15/${body.length}`,
    'content-length': 16,
  });
  res.end(body.subarray(0, 16));
}

beforeAll(async () => {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#3a6' } })
    .png()
    .toBuffer();
  [emulator, refs] = await Promise.all([
    startRunComfyEmulator({ queueMs: 0, baseRunMs: 200, perImageMs: 50, allowLoopbackReferences: true }),
    startLocalServer((req, res) => {
      switch (req.url) {
        case '/cat.png':
        case '/dog.png':
          return pngHead(req, res, png);
        case '/notes.png':
          return pngHead(req, res, Buffer.from('my shopping list, saved as .png by mistake'));
        case '/huge.png':
          // Declares 60 MB and would stream it: the check stops at the header.
          res.writeHead(200, { 'content-type': 'image/png', 'content-length': 60 * MB });
          res.write(png);
          return; // never ends; the client hangs up
        default:
          res.writeHead(404);
          return res.end();
      }
    }),
  ]);
  out = await tempDir();
});
afterAll(async () => {
  await Promise.all([emulator?.close(), refs?.close()]);
});

/** `--ref <the reference server>/path`; the server's address is filled in when the test runs. */
const REFS = 'refs:';
const ref = (path: string) => ['--ref', `${REFS}${path}`];

/** The command line in-process (as run-cli.test.ts does): the refusal matrix without a process start each. */
async function runInProcess(args: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: { SEEDREAM_ENV_FILE: 'none', ...env },
    readStdin: async () => '',
    interrupt: new AbortController().signal,
    clock: Date.now,
    cwd: out,
  };
  const code = await runCliInProcess(args, io);
  return { code, stdout, stderr };
}

describe('--ref refused before anything is sent (exit 2)', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['a local path', ['--ref', './cat.png'], /looks like a local file.*public HTTPS URL/s],
    ['a local absolute path', ['--ref', '/home/me/cat.png'], /RunComfy fetches reference images itself/],
    [
      'five references',
      [...['/cat.png', '/dog.png', '/cat.png', '/dog.png', '/cat.png'].flatMap(ref)],
      /You gave 5 reference images; at most 4/,
    ],
    [
      '4 references with count 12',
      [...['/cat.png', '/dog.png', '/cat.png', '/dog.png'].flatMap(ref), '-n', '12'],
      /With 4 reference images you can ask for at most 11 images \(15 in all.*you asked for 12/,
    ],
    ['a text file renamed .png', ref('/notes.png'), /“notes\.png” is not a PNG, JPEG or WebP image/],
    ['a 60 MB image', ref('/huge.png'), /“huge\.png” is 60 MB; the limit is 50 MB/],
    ['a URL that answers 404', [...ref('/cat.png'), ...ref('/gone.png')], /“gone\.png” is no longer there/],
    ['plain HTTP off loopback', ['--ref', 'http://example.com/cat.png'], /“#1” is not at a public HTTPS address/],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const argv = args.map((arg) => (arg.startsWith(REFS) ? `${refs.url}${arg.slice(REFS.length)}` : arg));
    const run = await runInProcess(['generate', 'a cat', ...argv, '--out', out], emulatorEnv(emulator));
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.stdout).toBe('');
    expect(run.code).toBe(2);
    // Nothing reached RunComfy, not even a status call (the end-to-end test runs after these).
    expect(emulator.calls).toEqual([]);
  });

  it('the seedream binary says why a local file cannot be a reference', async () => {
    const run = await runCli(['generate', 'a cat', '--ref', 'cat.png', '--out', out], { env: emulatorEnv(emulator) });
    expect(run.stderr).toMatch(/--ref "cat\.png" looks like a local file.*public HTTPS URL/s);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.code).toBe(2);
    expect(emulator.calls).toEqual([]);
  });
});

describe('--ref end to end', () => {
  it('runs the edit model with the references and lists them in --json', async () => {
    const dir = await tempDir();
    const urls = [`${refs.url}/cat.png`, `${refs.url}/dog.png`];
    const run = await runCli(
      [
        'generate',
        'the same cat in four seasons',
        '-n',
        '4',
        '--ref',
        urls[0]!,
        '--ref',
        urls[1]!,
        '--json',
        '--out',
        dir,
      ],
      { env: emulatorEnv(emulator) },
    );
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.code, run.stderr).toBe(0);
    const jobs = emulator.jobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.modelId).toBe('bytedance/seedream-4-0/edit-sequential');
    const sent = jobs[0]!.input as unknown as Record<string, unknown>;
    expect(sent).toMatchObject({
      text: 'Generate 4 images: the same cat in four seasons',
      sequential_image_generation_options: 4,
      images: urls,
    });
    // RunComfy (the emulator) fetched both references.
    const fetched = await emulator.referencesFetched(jobs[0]!.requestId);
    expect(fetched!.references!.map((r) => r.ok)).toEqual([true, true]);
    const document = JSON.parse(run.stdout);
    expect(document).toMatchObject({
      model: 'bytedance/seedream-4-0/edit-sequential',
      references: urls,
      requested: 4,
      received: 4,
      seed: sent['seed'],
    });
    expect(document.images).toHaveLength(4);
  });
});
