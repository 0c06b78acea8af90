/** `npm run deploy-commands` as a user runs it: the real script, in a folder with a `.env`, against the emulator. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { type DiscordEmulator, startDiscordEmulator } from '../../src/emulators/discord/index.js';

const ROOT = join(import.meta.dirname, '../..');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Runs the script in a fresh folder holding `dotEnv` as `.env`, with nothing of this process's environment. */
function deploy(dotEnv: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'seedream-deploy-'));
  writeFileSync(join(cwd, '.env'), dotEnv);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX, join(ROOT, 'src/deploy-commands.ts')],
      { cwd, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run deploy-commands', () => {
  let emulator: DiscordEmulator;

  beforeAll(async () => {
    emulator = await startDiscordEmulator();
  });

  afterAll(async () => {
    await emulator?.close();
  });

  it('reads .env and registers every command in the dev guild, without any RunComfy variable', async () => {
    const guild = emulator.defaultGuild.id;
    const result = await deploy(
      [
        `DISCORD_API_URL=${emulator.apiUrl}`,
        `DISCORD_TOKEN=${emulator.botToken}`,
        `DISCORD_APPLICATION_ID=${emulator.applicationId}`,
        `DEV_GUILD_ID=${guild}`,
        '',
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Registered ${commands.length} commands in guild ${guild}`);
    expect(
      emulator
        .commands(guild)
        .map((c) => c.name)
        .sort(),
    ).toEqual(commands.map((c) => c.definition.name).sort());
    expect(emulator.commands()).toEqual([]);
  });

  it('names only the Discord variables it needs when they are missing', async () => {
    const result = await deploy('RUNCOMFY_API_TOKEN=\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DISCORD_TOKEN is missing');
    expect(result.stderr).toContain('DISCORD_APPLICATION_ID is missing');
    expect(result.stderr).not.toContain('RUNCOMFY');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
