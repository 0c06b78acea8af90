/**
 * The environment that points the bot at both loopback emulators (tests, benchmarks): the
 * variables every such run needs; callers add their own limits and knobs on top.
 */
import { join } from 'node:path';
import type { DiscordEmulator } from './discord/index.js';
import type { RunComfyEmulator } from './runcomfy/index.js';

export function emulatorBotEnv(options: {
  discord: DiscordEmulator;
  runcomfy: RunComfyEmulator;
  /** The bot's DATA_DIR; the SQLite store goes in it unless `storeUrl` is given. */
  dataDir: string;
  storeUrl?: string;
}): Record<string, string> {
  const { discord, runcomfy, dataDir } = options;
  return {
    DISCORD_TOKEN: discord.botToken,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_API_URL: discord.apiUrl,
    RUNCOMFY_API_TOKEN: runcomfy.token,
    RUNCOMFY_BASE_URL: runcomfy.url,
    RUNCOMFY_OUTPUT_HOSTS: '127.0.0.1',
    STORE_URL: options.storeUrl ?? `sqlite://${join(dataDir, 'store.sqlite')}`,
    DATA_DIR: dataDir,
  };
}
