/**
 * The emulator holds requests to Discord's published spec (discord-api-spec) and to the
 * bot-specific rules where the spec is looser, answering 50035 with Discord's `errors` tree;
 * every check reaches the run-wide contract log, from any process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageCreateRequestSchema } from 'discord-api-spec/zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_EXCEPTIONS } from '../../../src/emulators/discord/contract/index.js';
import {
  CONTRACT_LOG_ENV,
  CONTRACT_TEST_ENV,
  type ContractRecord,
} from '../../../src/emulators/discord/contract/log.js';
import { checkAgainst } from '../../../src/emulators/discord/contract/validate.js';
import { type DiscordEmulator, startDiscordEmulator } from '../../../src/emulators/discord/index.js';
import { provokingContractViolations } from '../../helpers/contract.js';
import { summarise } from '../../helpers/contract-global.js';
import { pngImage } from './helpers.js';

let emulator: DiscordEmulator;
let channel: string;
let pngBytes: Buffer;

beforeAll(async () => {
  pngBytes = await pngImage(4, 4);
  emulator = await startDiscordEmulator();
  channel = emulator.channelByName('general').data.id;
});
afterAll(async () => {
  await emulator.close();
});

interface Answer {
  status: number;
  body: { code?: number; message?: string; errors?: Record<string, unknown> } & Record<string, unknown>;
}

async function post(
  path: string,
  payload: unknown,
  files: Array<{ name: string; bytes: Buffer }> = [],
): Promise<Answer> {
  const headers: Record<string, string> = { Authorization: `Bot ${emulator.botToken}` };
  let body: string | FormData;
  if (files.length === 0) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(payload);
  } else {
    const form = new FormData();
    form.append('payload_json', JSON.stringify(payload));
    for (const [i, file] of files.entries()) form.append(`files[${i}]`, new Blob([file.bytes]), file.name);
    body = form;
  }
  const response = await fetch(`${emulator.apiUrl}${path}`, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

const postMessage = (payload: unknown, files?: Array<{ name: string; bytes: Buffer }>) =>
  provokingContractViolations(() => post(`/channels/${channel}/messages`, payload, files));

function errorsAt(answer: Answer, path: Array<string | number>): unknown {
  let node: unknown = answer.body.errors;
  for (const key of path) node = (node as Record<string, unknown> | undefined)?.[String(key)];
  return (node as { _errors?: unknown } | undefined)?._errors;
}

/** This test's records in the run's contract log. */
function myRecords(): ContractRecord[] {
  const file = process.env[CONTRACT_LOG_ENV];
  if (!file) return [];
  const test = process.env[CONTRACT_TEST_ENV];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ContractRecord)
    .filter((r) => r.test === test && r.pid === process.pid);
}

const png = () => ({ name: 'a.png', bytes: pngBytes });

describe('the Discord contract', () => {
  it('refuses a 26-character nonce with 50035 naming nonce, and logs it as provoked on purpose', async () => {
    const answer = await postMessage({ content: 'x', nonce: 'n'.repeat(26) });
    expect(answer).toEqual({
      status: 400,
      body: {
        code: 50035,
        message: 'Invalid Form Body',
        errors: { nonce: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' }] } },
      },
    });
    expect((await post(`/channels/${channel}/messages`, { content: 'x', nonce: 'n'.repeat(25) })).status).toBe(200);
    const refused = myRecords().filter((r) => r.violations.length > 0);
    expect(refused).toEqual([
      expect.objectContaining({
        kind: 'request',
        route: 'POST /channels/:channel/messages',
        expected: true,
        violations: [expect.objectContaining({ field: 'nonce', code: 'BASE_TYPE_MAX_LENGTH' })],
      }),
    ]);
  });

  it('refuses a 2,001-character bot message (the bot limit, stricter than the spec’s 4,000)', async () => {
    const answer = await postMessage({ content: 'x'.repeat(2_001) });
    expect(answer.body.code).toBe(50035);
    expect(errorsAt(answer, ['content'])).toEqual([
      { code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' },
    ]);
    // Characters are code points, as Discord counts them: 2,000 emoji pass.
    expect((await post(`/channels/${channel}/messages`, { content: '🎨'.repeat(2_000) })).status).toBe(200);
  });

  it('refuses 11 embeds with 50035 naming embeds', async () => {
    const embeds = Array.from({ length: 11 }, (_, i) => ({ description: `e${i}` }));
    const answer = await postMessage({ embeds });
    expect(answer.body.code).toBe(50035);
    expect(errorsAt(answer, ['embeds'])).toEqual([
      { code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 10 or fewer in length.' },
    ]);
  });

  it('refuses undeclared attachments: an upload missing from attachments, an entry without its upload, an attachment:// to no file', async () => {
    const undeclared = await postMessage({ content: 'x', attachments: [] }, [png()]);
    expect(undeclared.body.code).toBe(50035);
    expect(errorsAt(undeclared, ['attachments'])).toEqual([
      { code: 'ATTACHMENT_NOT_DECLARED', message: 'The uploaded files[0] is not declared in attachments.' },
    ]);

    const noUpload = await postMessage({ content: 'x', attachments: [{ id: 0 }, { id: 1 }] }, [png()]);
    expect(errorsAt(noUpload, ['attachments', 1, 'id'])).toEqual([
      { code: 'ATTACHMENT_NOT_FOUND', message: 'No files[1] part was uploaded for this attachment.' },
    ]);

    const dangling = await postMessage(
      {
        embeds: [{ image: { url: 'attachment://b.png' } }],
        attachments: [{ id: 0 }],
      },
      [png()],
    );
    expect(errorsAt(dangling, ['embeds', 0, 'image', 'url'])).toEqual([
      { code: 'ATTACHMENT_NOT_FOUND', message: 'attachment://b.png names no file of this message.' },
    ]);

    // Declared and referenced properly, with the index as discord.js (string) or as an integer.
    for (const id of ['0', 0]) {
      const fine = await post(
        `/channels/${channel}/messages`,
        { embeds: [{ image: { url: 'attachment://a.png' } }], attachments: [{ id, description: 'a' }] },
        [png()],
      );
      expect(fine.status).toBe(200);
    }
  });

  it('names the field of the spec’s other limits: a non-snowflake attachment id, a bad thread archive duration', async () => {
    const badId = await postMessage({ content: 'x', attachments: [{ id: 'first' }] }, [png()]);
    expect(errorsAt(badId, ['attachments', 0, 'id'])).toEqual([
      { code: 'NUMBER_TYPE_COERCE', message: 'Value "first" is not snowflake.' },
    ]);
    const thread = await provokingContractViolations(() =>
      post(`/channels/${channel}/threads`, { name: 't', type: 11, auto_archive_duration: 30 }),
    );
    expect(thread.body.code).toBe(50035);
    expect(errorsAt(thread, ['auto_archive_duration'])).toEqual([
      expect.objectContaining({ code: 'BASE_TYPE_CHOICES' }),
    ]);
  });

  it('checks the answers too: a message with files, embeds and buttons matches the spec’s MessageResponse', async () => {
    const answer = await post(
      `/channels/${channel}/messages`,
      {
        embeds: [{ title: 't', image: { url: 'attachment://a.png' }, fields: [{ name: 'n', value: 'v' }] }],
        components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Go', custom_id: 'go' }] }],
        attachments: [{ id: '0' }],
      },
      [png()],
    );
    expect(answer.status).toBe(200);
    const answers = myRecords().filter((r) => r.kind === 'response');
    expect(answers).toEqual([expect.objectContaining({ route: 'POST /channels/:channel/messages', violations: [] })]);
  });

  it('words zod’s issues as Discord does: the union’s `type`, the chosen branch’s field, both bounds of a length', () => {
    const violations = (body: unknown) => checkAgainst(MessageCreateRequestSchema, body).violations;
    expect(violations({ components: [{ type: 99 }] })).toEqual([
      {
        field: 'components.0.type',
        code: 'UNION_TYPE_CHOICES',
        message: 'Value of field "type" must be one of (1, 17, 13, 12, 9, 14, 10).',
      },
    ]);
    const row = (button: object) => ({
      components: [{ type: 1, components: [{ type: 2, custom_id: 'a', ...button }] }],
    });
    expect(violations(row({ style: 1, label: 'x'.repeat(81) }))).toEqual([
      {
        field: 'components.0.components.0.label',
        code: 'BASE_TYPE_MAX_LENGTH',
        message: 'Must be 80 or fewer in length.',
      },
    ]);
    expect(violations(row({ style: 9, label: 'x' }))).toEqual([
      {
        field: 'components.0.components.0.style',
        code: 'BASE_TYPE_CHOICES',
        message: 'Value must be one of {1, 2, 3, 4, 5, 6}.',
      },
    ]);
    expect(violations(row({ style: 1, label: 'x', custom_id: '' }))).toEqual([
      {
        field: 'components.0.components.0.custom_id',
        code: 'BASE_TYPE_BAD_LENGTH',
        message: 'Must be between 1 and 100 in length.',
      },
    ]);
  });

  it('keeps one list of exceptions, each with its reason, and each one needed: the spec alone refuses what it accepts', () => {
    for (const exception of CONTRACT_EXCEPTIONS) expect(exception.reason.length).toBeGreaterThan(20);
    // The integer attachment index is refused by the schema and accepted only through its exception.
    const raw = MessageCreateRequestSchema['~standard'].validate({ content: 'x', attachments: [{ id: 0 }] });
    expect('issues' in raw && raw.issues?.length).toBe(1);
    expect(checkAgainst(MessageCreateRequestSchema, { content: 'x', attachments: [{ id: 0 }] }).violations).toEqual([]);
    expect(
      checkAgainst(MessageCreateRequestSchema, { content: 'x', attachments: [{ id: -1 }] }).violations,
    ).toHaveLength(1);
  });

  it('reports from other processes too: a child’s emulator logs with the test that spawned it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'contract-child-'));
    try {
      const log = join(dir, 'checks.jsonl');
      const result = spawnSync(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'contract-child.ts')],
        { env: { ...process.env, [CONTRACT_LOG_ENV]: log }, encoding: 'utf8', timeout: 20_000 },
      );
      expect(result.stdout).toBe('400');
      const records = readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as ContractRecord);
      expect(records).toEqual([
        expect.objectContaining({
          route: 'POST /channels/:channel/messages',
          test: process.env[CONTRACT_TEST_ENV],
          expected: false,
          violations: [expect.objectContaining({ field: 'nonce' })],
        }),
      ]);
      expect(records[0]?.pid).not.toBe(process.pid);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails the run on a violation not provoked on purpose, naming route, field and test; counts per route', () => {
    const record = (expected: boolean, kind: ContractRecord['kind'] = 'request'): string =>
      JSON.stringify({
        kind,
        route: 'POST /channels/:channel/messages',
        violations: [{ field: 'nonce', code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' }],
        test: 'some.test.ts > posts',
        expected,
        pid: 1,
      } satisfies ContractRecord);
    const clean = JSON.stringify({
      kind: 'request',
      route: 'PUT /x',
      violations: [],
      test: 't',
      expected: false,
      pid: 1,
    });
    const { lines, unexpected } = summarise(
      [record(true), clean, clean, record(false), record(true, 'response')].join('\n'),
    );
    expect(unexpected).toEqual([
      'request POST /channels/:channel/messages: nonce BASE_TYPE_MAX_LENGTH (Must be 25 or fewer in length.) in "some.test.ts > posts"',
      'response POST /channels/:channel/messages: nonce BASE_TYPE_MAX_LENGTH (Must be 25 or fewer in length.) in "some.test.ts > posts"',
    ]);
    expect(lines).toEqual([
      '  POST /channels/:channel/messages: 2 request bodies, 1 answers checked (3 refused on purpose)',
      '  PUT /x: 2 request bodies, 0 answers checked',
    ]);
  });
});
