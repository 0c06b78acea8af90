/**
 * The product as the image runs it: the compiled bot (`node dist/src/main.js`) with production
 * dependencies only and no emulators in dist/, registers its commands with the compiled
 * deploy script, delivers one set against both emulators, answers /readyz and /metrics, and
 * stops on SIGTERM.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorBotEnv } from '../../src/emulators/bot-env.js';
import { type DiscordEmulator, startDiscordEmulator } from '../../src/emulators/discord/index.js';
import { type RunComfyEmulator, startRunComfyEmulator } from '../../src/emulators/runcomfy/index.js';
import { type BotProcess, killBotProcess, startBotProcess } from '../helpers/bot-process.js';
import { waitForCardTitle } from '../helpers/discord-waits.js';
import { freePort } from '../helpers/free-port.js';
import { buildProductionLayout, type ProductionLayout } from '../helpers/production-layout.js';

let layout: ProductionLayout;
let discord: DiscordEmulator;
let runcomfy: RunComfyEmulator;
let bot: BotProcess | undefined;

beforeAll(async () => {
  layout = await buildProductionLayout();
}, 180_000); // tsc alone takes 15–40 s, more on a busy machine
afterAll(async () => {
  await killBotProcess(bot);
  await discord?.close();
  await runcomfy?.close();
  if (layout) rmSync(layout.dir, { recursive: true, force: true });
});

describe('the compiled bot', () => {
  it('dist/ holds the bot, the deploy script and the CLI, and no emulator; node_modules no dev dependency', () => {
    const dist = join(layout.dir, 'dist');
    for (const file of ['src/main.js', 'src/deploy-commands.js', 'src/cli/main.js', 'commands/index.js']) {
      expect(existsSync(join(dist, file)), file).toBe(true);
    }
    expect(existsSync(join(dist, 'src/emulators'))).toBe(false);
    expect(existsSync(join(dist, 'test'))).toBe(false);
    for (const dev of ['tsx', 'typescript', 'vitest', '@biomejs/biome', 'dockerfile-utils']) {
      expect(existsSync(join(layout.dir, 'node_modules', dev)), dev).toBe(false);
    }
    expect(layout.leftOut).toContain('node_modules/tsx');
    expect(existsSync(join(layout.dir, 'node_modules/prom-client'))).toBe(true);
  });

  it('registers its commands, delivers a set against both emulators, is ready, and stops on SIGTERM', {
    timeout: 60_000,
  }, async () => {
    runcomfy = await startRunComfyEmulator({ queueMs: 200, baseRunMs: 400, perImageMs: 20 });
    discord = await startDiscordEmulator();
    const env = {
      ...emulatorBotEnv({ discord, runcomfy, dataDir: mkdtempSync(join(tmpdir(), 'seedream-compiled-')) }),
      METRICS_PORT: String(await freePort()),
      POLL_RATE: '200',
    };
    // The compiled deploy script, as `docker compose run bot node dist/src/deploy-commands.js`.
    // Asynchronous: the emulators answering it run in this process.
    const deployed = await promisify(execFile)(process.execPath, ['dist/src/deploy-commands.js'], {
      cwd: layout.dir,
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
    });
    expect(deployed.stdout).toMatch(/^Registered \d+ commands globally/);

    bot = await startBotProcess({ env, entry: 'dist/src/main.js', cwd: layout.dir });
    const channel = discord.channelByName('general');
    const handle = discord.runSlashCommand({ user: discord.createUser({ username: 'prod' }), channel }, 'imagine', {
      prompt: 'a compiled lighthouse',
      count: 2,
    });
    const card = await handle.waitForOriginal();
    await waitForCardTitle(discord, card.data.id, 'Done', 30_000);
    const url = `http://127.0.0.1:${env.METRICS_PORT}`;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    // The card reads Done when the last part is up; the job's settlement (and its count) follows.
    const delivered = 'seedream_jobs_ended_total{outcome="delivered"} 1';
    let metrics = '';
    for (const started = Date.now(); Date.now() - started < 10_000; await new Promise((r) => setTimeout(r, 50))) {
      metrics = await (await fetch(`${url}/metrics`)).text();
      if (metrics.includes(delivered)) break;
    }
    expect(metrics).toContain(delivered);

    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(bot.logs.map((l) => l.msg)).toContain('bot stopped');
    expect(bot.stderr.join('')).toBe('');
  });
});
