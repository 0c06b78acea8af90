import { once } from 'node:events';
import { Client, type ClientOptions, GatewayIntentBits } from 'discord.js';
import sharp from 'sharp';
import type { DiscordEmulator } from '../../../src/emulators/discord/index.js';
import { provokingContractViolations } from '../../helpers/contract.js';

/** Logs a real discord.js client into the emulator and waits until it is fully ready (all guilds received). */
export async function loginClient(
  emulator: DiscordEmulator,
  options: Partial<Pick<ClientOptions, 'intents' | 'shards' | 'shardCount'>> & { skipIdentifyThrottle?: boolean } = {},
): Promise<Client<true>> {
  const client = new Client({
    intents: options.intents ?? [GatewayIntentBits.Guilds],
    rest: { api: emulator.apiUrl },
    // discord.js waits 5 s between identifies of a shard; tests that re-identify on purpose skip that.
    ...(options.skipIdentifyThrottle
      ? { ws: { buildIdentifyThrottler: async () => ({ waitForIdentify: async () => {} }) } }
      : {}),
    ...(options.shards === undefined ? {} : { shards: options.shards }),
    ...(options.shardCount === undefined ? {} : { shardCount: options.shardCount }),
  });
  const ready = once(client, 'clientReady');
  await client.login(emulator.botToken);
  await ready;
  return client as Client<true>;
}

/** A real PNG of the given size (the emulator reads width/height from its header). */
export async function pngImage(width: number, height: number, seed = 0): Promise<Buffer> {
  return sharp({
    create: { width, height, channels: 3, background: { r: (seed * 40) % 256, g: 120, b: 200 } },
  })
    .png({ compressionLevel: 1 })
    .toBuffer();
}

/** Runs `fn` and returns the error it rejects with (fails the test if it resolves). */
/** rejectionOf for a body that breaks Discord's spec on purpose (marked so the run's contract check expects it). */
export function contractRefusalOf(fn: () => Promise<unknown>): ReturnType<typeof rejectionOf> {
  return provokingContractViolations(() => rejectionOf(fn));
}

export async function rejectionOf(
  fn: () => Promise<unknown>,
): Promise<{ status?: number; code?: number | string; rawError?: unknown; message: string }> {
  try {
    await fn();
  } catch (error) {
    return error as { status?: number; code?: number | string; rawError?: unknown; message: string };
  }
  throw new Error('expected a rejection, but the call succeeded');
}
