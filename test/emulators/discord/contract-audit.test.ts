/**
 * Rules the spec's schemas do not carry but Discord's documentation does, found in the
 * emulator's audit against the contract (see the emulator's README, "Contract").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createManualClock,
  type DiscordEmulator,
  type ManualClock,
  startDiscordEmulator,
} from '../../../src/emulators/discord/index.js';
import { snowflakeTimestampMs } from '../../../src/emulators/discord/snowflake.js';
import { provokingContractViolations } from '../../helpers/contract.js';
import { loginClient } from './helpers.js';

let emulator: DiscordEmulator;
let clock: ManualClock;

beforeAll(async () => {
  clock = createManualClock(Date.UTC(2026, 0, 1));
  emulator = await startDiscordEmulator({ clock });
});
afterAll(async () => {
  await emulator.close();
});

interface Answer {
  status: number;
  body: Record<string, unknown> & { code?: number; errors?: Record<string, unknown> };
}

async function call(method: string, path: string, payload?: unknown): Promise<Answer> {
  const response = await fetch(`${emulator.apiUrl}${path}`, {
    method,
    headers: { Authorization: `Bot ${emulator.botToken}`, 'Content-Type': 'application/json' },
    body: payload === undefined ? undefined : JSON.stringify(payload),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

function errorsAt(answer: Answer, path: Array<string | number>): unknown {
  let node: unknown = answer.body.errors;
  for (const key of path) node = (node as Record<string, unknown> | undefined)?.[String(key)];
  return (node as { _errors?: unknown } | undefined)?._errors;
}

describe('rules beyond the spec’s schemas', () => {
  it('counts a command’s characters at each field’s longest localisation', async () => {
    const command = (localized: boolean) => ({
      name: 'big',
      description: 'd',
      options: Array.from({ length: 25 }, (_, i) => ({
        type: 3,
        name: `o${i}`,
        description: 'd',
        ...(localized ? { description_localizations: { 'zh-TW': '長'.repeat(100) } } : {}),
        choices: Array.from({ length: 25 }, (_, j) => ({
          name: `c${j}`,
          value: `v${j}`,
          ...(localized ? { name_localizations: { 'zh-TW': '選'.repeat(100) } } : {}),
        })),
      })),
    });
    const path = `/applications/${emulator.applicationId}/commands`;
    // About 3,300 characters in the default texts: within the 8,000.
    expect((await call('PUT', path, [command(false)])).status).toBe(200);
    // The same command whose zh-TW texts are long: counted at the longest, far past it.
    const tooBig = await call('PUT', path, [command(true)]);
    expect(tooBig.status).toBe(400);
    expect(errorsAt(tooBig, [0])).toEqual([
      { code: 'APPLICATION_COMMAND_TOO_LARGE', message: 'Command exceeds maximum size (8000)' },
    ]);
  });

  it('keeps a forum post’s tags to its forum’s tags when they change', async () => {
    const forum = emulator.createChannel(emulator.defaultGuild, {
      name: 'gallery',
      type: 'forum',
      availableTags: [{ name: '16:9' }],
      overwrites: [{ id: '@bot', allow: ['ManageThreads'] }],
    });
    const tag = forum.data.available_tags?.[0]?.id ?? '';
    const post = await call('POST', `/channels/${forum.data.id}/threads`, {
      name: 'a set',
      applied_tags: [tag],
      message: { content: 'first' },
    });
    expect(post.status).toBe(201);
    const id = String(post.body['id']);
    expect((await call('PATCH', `/channels/${id}`, { applied_tags: [tag] })).status).toBe(200);
    const unknown = await call('PATCH', `/channels/${id}`, { applied_tags: ['123'] });
    expect(unknown.status).toBe(400);
    expect(errorsAt(unknown, ['applied_tags'])).toEqual([{ code: 'BASE_TYPE_CHOICES', message: 'Unknown forum tag.' }]);
    // More than 5 tags is the spec's own limit.
    const many = await provokingContractViolations(() =>
      call('PATCH', `/channels/${id}`, { applied_tags: [tag, tag, tag, tag, tag, tag] }),
    );
    expect(errorsAt(many, ['applied_tags'])).toEqual([
      { code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 5 or fewer in length.' },
    ]);
  });

  it('reads with_response as a boolean, and refuses anything else', async () => {
    const client = await loginClient(emulator);
    const handle = emulator.runSlashCommand(
      { user: 'alice', channel: emulator.channelByName('general') },
      'ping',
      {},
      {
        validate: false,
      },
    );
    const path = `/interactions/${handle.id}/${handle.token}/callback`;
    const bad = await fetch(`${emulator.apiUrl}${path}?with_response=yes`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 4, data: { content: 'hi' } }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Answer['body']).errors).toEqual({
      with_response: { _errors: [{ code: 'BOOLEAN_TYPE_COERCE', message: 'Value "yes" is not a boolean.' }] },
    });
    const good = await fetch(`${emulator.apiUrl}${path}?with_response=true`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 4, data: { content: 'hi' } }),
    });
    expect(good.status).toBe(200);
    expect(((await good.json()) as { resource: { type: number } }).resource.type).toBe(4);
    await client.destroy();
  });

  it('refuses an embed timestamp that is not ISO 8601 (the spec’s rule)', async () => {
    const channel = emulator.channelByName('general').data.id;
    const answer = await provokingContractViolations(() =>
      call('POST', `/channels/${channel}/messages`, { embeds: [{ title: 't', timestamp: 'yesterday' }] }),
    );
    expect(answer.body.code).toBe(50035);
    expect(errorsAt(answer, ['embeds', 0, 'timestamp'])).toEqual([
      expect.objectContaining({ code: 'DATE_TYPE_PARSE' }),
    ]);
  });

  it('dates a message by its snowflake id, even after the clock went back', async () => {
    const channel = emulator.channelByName('general').data.id;
    await call('POST', `/channels/${channel}/messages`, { content: 'now' });
    clock.set(Date.UTC(2025, 11, 31));
    const later = await call('POST', `/channels/${channel}/messages`, { content: 'clock went back' });
    const id = String(later.body['id']);
    expect(Date.parse(String(later.body['timestamp']))).toBe(snowflakeTimestampMs(id));
    clock.set(Date.UTC(2026, 0, 1, 0, 1));
  });
});
