/**
 * The real bot (src/app.ts, the real discord.js client) against both emulators on 127.0.0.1.
 * Emulated durations are short so end-to-end tests run in seconds of real time.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { REST, Routes } from 'discord.js';
import { commands } from '../../commands/index.js';
import { type Bot, startBot } from '../../src/app.js';
import { emulatorBotEnv } from '../../src/emulators/bot-env.js';
import {
  type DiscordEmulator,
  type DiscordEmulatorOptions,
  startDiscordEmulator,
} from '../../src/emulators/discord/index.js';
import {
  type RunComfyEmulator,
  type RunComfyEmulatorOptions,
  startRunComfyEmulator,
} from '../../src/emulators/runcomfy/index.js';
import type { HostResolver } from '../../src/engine/output-dispatcher.js';
import { botEnvSchema, parseEnv } from '../../src/env.js';
import { createLogger } from '../../src/log.js';

export interface BotHarness {
  discord: DiscordEmulator;
  runcomfy: RunComfyEmulator;
  bot: Bot;
  logs: string[];
  env: Record<string, string>;
  /** Starts the bot again on the same store (after stop()). */
  restart(): Promise<Bot>;
  close(): Promise<void>;
}

export interface BotHarnessOptions {
  runcomfy?: RunComfyEmulatorOptions;
  discord?: DiscordEmulatorOptions;
  env?: Record<string, string>;
  clock?: () => number;
  storeUrl?: string;
  resolveOutputHost?: HostResolver;
}

export async function createBotHarness(options: BotHarnessOptions = {}): Promise<BotHarness> {
  const runcomfy = await startRunComfyEmulator({ queueMs: 300, baseRunMs: 400, perImageMs: 50, ...options.runcomfy });
  const discord = await startDiscordEmulator(options.discord);
  const dataDir = mkdtempSync(join(tmpdir(), 'seedream-bot-'));
  const env: Record<string, string> = {
    ...emulatorBotEnv({ discord, runcomfy, dataDir, storeUrl: options.storeUrl }),
    LOG_LEVEL: 'debug',
    MAX_ACTIVE_JOBS_PER_USER: '20',
    // Tests of other features must not meet the spending limits (0 = no limit); quota tests set their own.
    MAX_ACTIVE_JOBS_PER_GUILD: '0',
    MAX_JOBS_IN_FLIGHT: '1000',
    USER_DAILY_IMAGES: '0',
    GUILD_DAILY_IMAGES: '0',
    GUILD_MONTHLY_BUDGET_USD: '0',
    POLL_RATE: '200',
    POLL_CONCURRENCY: '32',
    // Members in tests act in quick succession; the cooldown's own tests set it.
    COMMAND_COOLDOWN: '0',
    ...options.env,
  };
  // The deploy script's request, on discord.js's REST client.
  await new REST({ api: discord.apiUrl })
    .setToken(discord.botToken)
    .put(Routes.applicationCommands(discord.applicationId), { body: commands.map((c) => c.definition) });

  const logs: string[] = [];
  const logger = createLogger(
    { level: 'debug', secrets: [discord.botToken, runcomfy.token] },
    new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  );
  const start = () =>
    startBot({
      env: parseEnv(botEnvSchema, env),
      logger,
      clock: options.clock,
      resolveOutputHost: options.resolveOutputHost,
      cardIntervals: { minIntervalMs: 150, stateIntervalMs: 30 },
    });
  const harness: BotHarness = {
    discord,
    runcomfy,
    bot: await start(),
    logs,
    env,
    async restart() {
      harness.bot = await start();
      return harness.bot;
    },
    async close() {
      await harness.bot.stop();
      await discord.close();
      await runcomfy.close();
    },
  };
  return harness;
}
