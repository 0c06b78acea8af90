/**
 * Everything `npm run sandbox` runs in one process: both emulators (with their control APIs),
 * the real bot on SQLite in a temporary directory with its commands registered, and the web
 * page. The page only ever talks to the emulators (proxied under /discord and /runcomfy).
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REST, Routes } from 'discord.js';
import { commands } from '../../commands/index.js';
import { type Bot, startBot } from '../../src/app.js';
import { emulatorBotEnv } from '../../src/emulators/bot-env.js';
import { type DiscordEmulator, startDiscordEmulator } from '../../src/emulators/discord/index.js';
import { type RunComfyEmulator, startRunComfyEmulator } from '../../src/emulators/runcomfy/index.js';
import { botEnvSchema, parseEnv } from '../../src/env.js';
import { createLogger } from '../../src/log.js';
import { startWebServer, type WebServer } from './web-server.js';
import { SANDBOX_GUILD, SANDBOX_USERS } from './world.js';

export interface SandboxOptions {
  /** The page's port; default 8800 (0 picks a free one). */
  port?: number;
  /** RunComfy timing at start; the page's panel changes it later. */
  queueMs?: number;
  baseRunMs?: number;
  perImageMs?: number;
  /** Extra bot environment (limits, knobs). */
  env?: Record<string, string>;
}

export interface Sandbox {
  url: string;
  discord: DiscordEmulator;
  runcomfy: RunComfyEmulator;
  bot: Bot;
  dataDir: string;
  logFile: string;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const runcomfy = await startRunComfyEmulator({
    queueMs: options.queueMs ?? 6_000,
    baseRunMs: options.baseRunMs ?? 2_000,
    perImageMs: options.perImageMs ?? 500,
    controlApi: true,
  });
  const discord = await startDiscordEmulator({
    botUsername: 'Seedream',
    users: SANDBOX_USERS,
    guilds: [SANDBOX_GUILD],
    controlApi: true,
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'seedream-sandbox-'));
  const logFile = join(dataDir, 'bot.log');
  const logStream = createWriteStream(logFile);
  const env = {
    ...emulatorBotEnv({ discord, runcomfy, dataDir }),
    LOG_LEVEL: 'debug',
    POLL_RATE: '500',
    ...options.env,
  };
  // What `npm run deploy-commands` does, against the emulator.
  await new REST({ api: discord.apiUrl })
    .setToken(discord.botToken)
    .put(Routes.applicationCommands(discord.applicationId), { body: commands.map((c) => c.definition) });
  const bot = await startBot({ env: parseEnv(botEnvSchema, env), logger: createLogger({ level: 'debug' }, logStream) });
  let web: WebServer;
  try {
    web = await startWebServer({ port: options.port ?? 8800, discord, runcomfy });
  } catch (error) {
    await bot.stop();
    await Promise.all([discord.close(), runcomfy.close()]);
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    url: web.url,
    discord,
    runcomfy,
    bot,
    dataDir,
    logFile,
    close() {
      closing ??= (async () => {
        await web.close();
        await bot.stop();
        await Promise.all([discord.close(), runcomfy.close()]);
        await new Promise<void>((resolve) => logStream.end(resolve));
        rmSync(dataDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
