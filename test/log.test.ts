import { Writable } from 'node:stream';
import { DiscordAPIError } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { AppError, InputError } from '../src/errors.js';
import { createLogger } from '../src/log.js';
import { duplicateKeys } from './helpers/log-lines.js';

const BOT_TOKEN = 'MTA5ODc2NTQzMjEwOTg3NjU0.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB';
const API_TOKEN = 'rc_live_0123456789abcdef';
const INTERACTION_TOKEN = `aW50ZXJhY3Rpb246${'x'.repeat(60)}`;

function capture(secrets: string[] = [BOT_TOKEN, API_TOKEN]) {
  const lines: string[] = [];
  const log = createLogger(
    { level: 'debug', secrets },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  return { log, lines, text: () => lines.join('') };
}

describe('log redaction', () => {
  it('a token two levels deep (and deeper)', () => {
    const { log, text } = capture([]);
    log.info({ job: { surface: { interactionToken: 'abcdefgh12345678' } }, a: { b: { c: { token: 'zzzzzzzz' } } } });
    expect(text()).not.toContain('abcdefgh12345678');
    expect(text()).not.toContain('zzzzzzzz');
    expect(JSON.parse(text()).job.surface.interactionToken).toBe('[redacted]');
  });

  it('err.config.headers.Authorization', () => {
    const { log, text } = capture([]);
    const error = Object.assign(new Error('Request failed with status code 401'), {
      config: { headers: { Authorization: 'Bearer some-api-token-value' }, url: 'https://x.test/v1' },
    });
    log.error({ err: error }, 'call failed');
    expect(text()).not.toContain('some-api-token-value');
    expect(JSON.parse(text()).err.config.headers.Authorization).toBe('[redacted]');
  });

  it('a token inside a URL: a DiscordAPIError logged raw, as the engine logs a failed background task', () => {
    const { log, text } = capture();
    const error = new DiscordAPIError(
      { code: 10062, message: 'Unknown interaction' },
      10062,
      404,
      'POST',
      `http://127.0.0.1:9/api/v10/interactions/123456789012345678/${INTERACTION_TOKEN}/callback`,
      { files: undefined, body: undefined },
    );
    const webhook = `https://discord.com/api/v10/webhooks/123456789012345678/${INTERACTION_TOKEN}/messages/%40original`;
    log.error({ err: error, jobId: 'j1' }, 'background task failed');
    log.warn({ url: webhook }, 'edit failed');
    expect(text()).not.toContain(INTERACTION_TOKEN);
    expect(text()).not.toContain('x'.repeat(20));
    const line = JSON.parse(text().split('\n')[0]!);
    expect(line.err.url).toBe('http://127.0.0.1:9/api/v10/interactions/123456789012345678/[redacted]/callback');
    expect(line.err.code).toBe(10062);
  });

  it('a token inside a message string, in the message and in an error’s message', () => {
    const { log, text } = capture();
    log.warn(`login failed with ${BOT_TOKEN}`);
    log.warn({ err: new Error(`401 for Authorization: Bearer ${API_TOKEN}`) }, 'submit failed');
    log.info('header was Bearer abcdefghijkl and key=%s', 'value');
    log.error(new Error(`token ${INTERACTION_TOKEN} expired`));
    for (const secret of [BOT_TOKEN, API_TOKEN, INTERACTION_TOKEN, 'abcdefghijkl'])
      expect(text()).not.toContain(secret);
  });

  it('no key twice in a line: a child’s bindings are not repeated by the call', () => {
    const { log, lines } = capture();
    const child = log.child({ interactionId: '42', userId: '7' });
    child.info({ interactionId: '42', userId: '7', reference: 'ab12' }, 'interaction error');
    child.info({ userId: '8' }, 'someone else');
    expect(lines.map(duplicateKeys)).toEqual([[], []]);
    expect(JSON.parse(lines[0]!)).toMatchObject({ interactionId: '42', userId: '7', reference: 'ab12' });
    expect(JSON.parse(lines[1]!)).toMatchObject({ userId: '7', userId_2: '8' });
  });

  it('a member’s mistake carries no empty stack; an unexpected error carries its stack', () => {
    const { log, lines } = capture();
    const mistake = new InputError('count_out_of_range', 'Count 0', { params: { requested: 0 } });
    log.info({ err: mistake.toLog() }, 'interaction error');
    log.error({ err: new AppError('unknown', 'boom') }, 'interaction error');
    const [user, bug] = lines.map((line) => JSON.parse(line));
    expect(user.err).not.toHaveProperty('stack');
    expect(lines[0]).not.toContain('"stack"');
    expect(user.err).toMatchObject({ code: 'count_out_of_range', message: 'Count 0' });
    expect(bug.err.stack).toMatch(/boom\n\s+at /);
  });
});

describe('duplicateKeys (the test helper itself)', () => {
  it('finds a repeated key and ignores the same key in nested objects and arrays', () => {
    expect(duplicateKeys('{"a":1,"b":{"a":2},"c":[{"a":3},{"a":"x\\"a"}],"a":4}')).toEqual(['a']);
    expect(duplicateKeys('{"a":1,"b":{"a":2,"s":"{\\"a\\":1}"}}')).toEqual([]);
  });
});
