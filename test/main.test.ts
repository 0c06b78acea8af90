import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
// tsx by absolute URL: the child runs in an empty folder, where a bare 'tsx' would not resolve.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

function start(env: Record<string, string>) {
  // An empty working directory: no .env to pick up, nothing of the developer's environment.
  return spawnSync(process.execPath, ['--import', TSX, join(ROOT, 'src/main.ts')], {
    cwd: mkdtempSync(join(tmpdir(), 'seedream-start-')),
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('npm start', () => {
  it('with no configuration lists every missing variable and exits non-zero, without a stack trace', () => {
    const result = start({});
    expect(result.status).toBe(1);
    for (const name of ['DISCORD_TOKEN', 'DISCORD_APPLICATION_ID', 'RUNCOMFY_API_TOKEN']) {
      expect(result.stderr).toContain(`${name} is missing`);
    }
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack frames
  });

  it('names a malformed variable and what it expects', () => {
    const result = start({
      DISCORD_TOKEN: 'x',
      DISCORD_APPLICATION_ID: 'not-a-snowflake',
      RUNCOMFY_API_TOKEN: 'y',
      JOB_DEADLINE: 'forever',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('DISCORD_APPLICATION_ID is invalid');
    expect(result.stderr).toContain('JOB_DEADLINE is invalid');
    expect(result.stderr).not.toContain('DISCORD_TOKEN');
  });

  it('calls a malformed variable invalid, not missing: the configuration is "not valid", not "incomplete"', () => {
    const result = start({
      DISCORD_TOKEN: 'x',
      DISCORD_APPLICATION_ID: '123456789012345678',
      RUNCOMFY_API_TOKEN: 'y',
      STORE_URL: 'postgres://db/seedream',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('STORE_URL is invalid');
    expect(result.stderr).toContain('the configuration is not valid');
    expect(result.stderr).not.toContain('incomplete');
  });
});
