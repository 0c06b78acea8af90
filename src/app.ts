/**
 * Builds the running bot from its configuration: store, RunComfy client, job engine (which
 * resumes every unfinished job), Discord client and router. `stop()` ends it cleanly:
 * nothing in flight is lost, because every job lives in the store.
 */

import { join } from 'node:path';
import { Client, GatewayIntentBits } from 'discord.js';
import { commands } from '../commands/index.js';
import { CardUpdater } from './discord/card-updater.js';
import type { BotContext } from './discord/context.js';
import { DiscordDeliverer } from './discord/delivery.js';
import { DiscordApi, interactionRestClient } from './discord/discord-api.js';
import { GalleryBrowser } from './discord/gallery-browser.js';
import { GalleryMirror } from './discord/gallery-mirror.js';
import { MemberDirectory } from './discord/member-directory.js';
import { sendRestRequest } from './discord/multipart.js';
import { createRouter } from './discord/router.js';
import type { BotEnv } from './env.js';
import { newProcessId } from './jobs/coordination/leases.js';
import { SharedRate } from './jobs/coordination/rate-limit.js';
import { JobEngine } from './jobs/engine.js';
import { GalleryIndex } from './jobs/gallery-index.js';
import { GuildSettingsStore } from './jobs/guild-settings.js';
import { ImageSpool } from './jobs/image-spool.js';
import { limitsFromEnv } from './jobs/quota.js';
import { openStore } from './jobs/store.js';
import type { Logger } from './log.js';
import { RunComfyClient } from './runcomfy/client.js';
import { resolveSeedreamRequest } from './seedream/build-input.js';

export interface Bot {
  client: Client;
  engine: JobEngine;
  cards: CardUpdater;
  stop(): Promise<void>;
}

export interface BotOptions {
  env: BotEnv;
  logger: Logger;
  clock?: () => number;
  /** Test and benchmark knobs of the card updater (edit spacing). */
  cardIntervals?: { minIntervalMs?: number; stateIntervalMs?: number };
}

export async function startBot({ env, logger, clock = Date.now, cardIntervals }: BotOptions): Promise<Bot> {
  const store = await openStore({ url: env.STORE_URL, logger, exclusive: true });
  // Names this process in job leases and in every RunComfy call (several processes on Redis).
  const processId = newProcessId();
  const runcomfy = new RunComfyClient({
    callerId: processId,
    baseUrl: env.RUNCOMFY_BASE_URL,
    token: env.RUNCOMFY_API_TOKEN,
    modelId: env.RUNCOMFY_MODEL_ID,
    timeoutMs: env.RUNCOMFY_TIMEOUT,
    logger,
  });
  const discordGlobal = new SharedRate(store, 'discord-global', 50);
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    // Files go out as their own buffers (multipart.ts), not copied into one.
    // Discord's global 50 requests a second is per bot, not per process: shared through Redis.
    rest: {
      makeRequest: async (url, init) => {
        await discordGlobal.take();
        return sendRestRequest(url, init);
      },
      ...(env.DISCORD_API_URL ? { api: env.DISCORD_API_URL } : {}),
    },
    allowedMentions: { parse: [] },
  });
  // Deliveries resumed at start post before login finishes: REST needs only the token.
  client.rest.setToken(env.DISCORD_TOKEN);
  const api = new DiscordApi(
    client.rest,
    env.DISCORD_APPLICATION_ID,
    clock,
    interactionRestClient(env.DISCORD_API_URL),
  );
  const settings = new GuildSettingsStore(store);
  const galleryIndex = new GalleryIndex(store);
  const galleryMirror = new GalleryMirror(api, settings, galleryIndex, logger, { clock });
  const engine = new JobEngine({
    processId,
    store,
    client: runcomfy,
    deliverer: new DiscordDeliverer(api, logger, clock, galleryMirror),
    spool: new ImageSpool({
      directory: join(env.DATA_DIR, 'spool'),
      maxBytesPerImage: env.DOWNLOAD_MAX_BYTES,
      timeoutMs: env.DOWNLOAD_TIMEOUT,
    }),
    outputHosts: env.RUNCOMFY_OUTPUT_HOSTS,
    deadlineMs: env.JOB_DEADLINE,
    maxActivePerUser: env.MAX_ACTIVE_JOBS_PER_USER,
    // Spending: the global cap behind the fair queue, the default limits and the fallback price.
    maxInFlight: env.MAX_JOBS_IN_FLIGHT,
    limits: limitsFromEnv(env),
    pricePerImageUsd: env.PRICE_PER_IMAGE_USD,
    pollConcurrency: env.POLL_CONCURRENCY,
    pollRate: env.POLL_RATE,
    historyLimit: env.HISTORY_LIMIT,
    retentionMs: env.JOB_RETENTION,
    clock,
    logger,
  });
  const cards = new CardUpdater(engine, api, logger, { clock, ...cardIntervals });
  const context: BotContext = {
    engine,
    cards,
    api,
    settings,
    log: logger,
    clock,
    limits: { maxActivePerUser: env.MAX_ACTIVE_JOBS_PER_USER },
    quota: { defaults: limitsFromEnv(env), dmAllowed: env.ALLOW_DMS },
    members: new MemberDirectory(client),
    gallery: { mirror: galleryMirror, browser: new GalleryBrowser(store, galleryIndex) },
  };
  const route = createRouter(commands, context);
  client.on('interactionCreate', (interaction) => {
    void route(interaction);
  });
  client.on('error', (error) => logger.error({ err: error.message }, 'discord client error'));
  await engine.start();
  primePromptParser();
  await client.login(env.DISCORD_TOKEN);
  logger.info({ guilds: client.guilds.cache.size }, 'bot ready');

  let stopping: Promise<void> | undefined;
  return {
    client,
    engine,
    cards,
    stop() {
      stopping ??= (async () => {
        cards.stop();
        await engine.stop();
        await client.destroy();
        await runcomfy.close();
        await store.close();
        logger.info('bot stopped');
      })();
      return stopping;
    },
  };
}

/**
 * The prompt reconciliation's first run compiles its patterns (about 0.1 s): done here, so the
 * first /imagine after a start answers as fast as every other.
 */
function primePromptParser(): void {
  resolveSeedreamRequest(
    { prompt: 'three cats, 3 images', count: 3, aspect: null, seed: null, quality: null, locale: 'en-US' },
    {},
  );
}
