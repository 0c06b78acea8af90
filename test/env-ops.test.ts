/** The operations variables (health/metrics port, shutdown deadline, log format) and pretty logs. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { botEnvSchema, EnvError, parseEnv } from '../src/env.js';
import { createLogger } from '../src/log.js';

const REQUIRED = { DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: '123456789012345678', RUNCOMFY_API_TOKEN: 'r' };

function problems(source: Record<string, string>): string[] {
  try {
    parseEnv(botEnvSchema, { ...REQUIRED, ...source });
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
  return [];
}

describe('operations settings', () => {
  it('default to no metrics server, loopback, 20 s to shut down and JSON logs', () => {
    const env = parseEnv(botEnvSchema, { ...REQUIRED, METRICS_PORT: '' });
    expect(env).toMatchObject({
      METRICS_PORT: 0,
      METRICS_HOST: '127.0.0.1',
      SHUTDOWN_TIMEOUT: 20_000,
      LOG_FORMAT: 'json',
    });
    expect(
      parseEnv(botEnvSchema, { ...REQUIRED, METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0', SHUTDOWN_TIMEOUT: '45s' }),
    ).toMatchObject({ METRICS_PORT: 9464, METRICS_HOST: '0.0.0.0', SHUTDOWN_TIMEOUT: 45_000 });
  });

  it('a bad value stops the start, naming the variable', () => {
    expect(
      problems({ METRICS_PORT: '70000', SHUTDOWN_TIMEOUT: 'soon', LOG_FORMAT: 'fancy', METRICS_HOST: 'a b' }),
    ).toEqual([
      expect.stringMatching(/^LOG_FORMAT is invalid/),
      expect.stringMatching(/^METRICS_PORT is invalid/),
      expect.stringMatching(/^METRICS_HOST is invalid/),
      expect.stringMatching(/^SHUTDOWN_TIMEOUT is invalid/),
    ]);
  });

  it('LOG_FORMAT=pretty writes readable lines, still redacted; json writes one object a line', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    createLogger({ format: 'pretty' }, sink).info({ token: 'secret-token', jobId: 'j1' }, 'job accepted');
    const pretty = lines.join('');
    expect(pretty).toMatch(/INFO.*job accepted/);
    expect(pretty).toContain('jobId: "j1"');
    expect(pretty).not.toContain('secret-token');
    expect(() => JSON.parse(pretty)).toThrow();
    lines.length = 0;
    createLogger({}, sink).info({ token: 'secret-token' }, 'job accepted');
    expect(JSON.parse(lines.join(''))).toMatchObject({ msg: 'job accepted', token: '[redacted]' });
  });
});

describe('model ids', () => {
  it('RUNCOMFY_EDIT_MODEL_ID defaults to edit-sequential and is checked like RUNCOMFY_MODEL_ID', () => {
    expect(parseEnv(botEnvSchema, REQUIRED)).toMatchObject({
      RUNCOMFY_MODEL_ID: 'bytedance/seedream-4-0/sequential',
      RUNCOMFY_EDIT_MODEL_ID: 'bytedance/seedream-4-0/edit-sequential',
    });
    expect(parseEnv(botEnvSchema, { ...REQUIRED, RUNCOMFY_EDIT_MODEL_ID: 'acme/edit-v2' }).RUNCOMFY_EDIT_MODEL_ID).toBe(
      'acme/edit-v2',
    );
    expect(problems({ RUNCOMFY_EDIT_MODEL_ID: 'not a model id' })).toEqual([
      expect.stringMatching(/^RUNCOMFY_EDIT_MODEL_ID is invalid: expected a model id/),
    ]);
  });
});
