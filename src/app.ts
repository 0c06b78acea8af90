/**
 * Builds the running bot from its configuration: store, RunComfy client, job engine (which
 * resumes every unfinished job), Discord client and router, metrics and (with METRICS_PORT)
 * the health/metrics server. `stop()` ends it at once, `shutdown()` gracefully: nothing in
 * flight is lost either way, because every job lives in the store.
 */

import { join } from 'node:path';
import { Client, GatewayIntentBits, type Interaction } from 'discord.js';
import { commands } from '../commands/index.js';
import { limitsFromEnv } from './accounting/quota.js';
import { CardUpdater } from './discord/card-updater.js';
import type { BotContext } from './discord/context.js';
import { createCooldown } from './discord/cooldown.js';
import { DiscordDeliverer } from './discord/delivery.js';
import { DiscordApi, interactionRestClient } from './discord/discord-api.js';
import { GalleryBrowser } from './discord/gallery/browser.js';
import { GalleryMirror } from './discord/gallery/mirror.js';
import { MemberDirectory } from './discord/member-directory.js';
import { sendRestRequest } from './discord/multipart.js';
import { createRouter } from './discord/router.js';
import { JobEngine } from './engine/engine.js';
import { type HostResolver, outputDispatcher } from './engine/output-dispatcher.js';
import type { BotEnv } from './env.js';
import { GalleryIndex } from './guilds/gallery-index.js';
import { GuildSettingsStore } from './guilds/guild-settings.js';
import type { Logger } from './log.js';
import { isLoopbackHost } from './models/image-output.js';
import { configuredModelIds } from './models/registry.js';
import { MAX_OUTPUT_PIXELS } from './models/seedream-sequential/aspect-ratios.js';
import { resolveSeedreamRequest } from './models/seedream-sequential/build-input.js';
import { GuildSpend } from './ops/guild-spend.js';
import { BotMetrics, type InteractionKind } from './ops/metrics.js';
import { type OpsServer, type ReadinessReport, startOpsServer } from './ops/ops-server.js';
import { RunComfyClient } from './runcomfy/client.js';
import { newProcessId } from './store/coordination/leases.js';
import { SharedRate } from './store/coordination/rate-limit.js';
import { ImageSpool } from './store/image-spool.js';
import { openStore } from './store/store.js';

export interface Bot {
  client: Client;
  engine: JobEngine;
  cards: CardUpdater;
  metrics: BotMetrics;
  /** `http://host:port` of /healthz, /readyz and /metrics, when METRICS_PORT is set. */
  opsUrl: string | undefined;
  /** Stops at once: work under way is aborted and resumes from its durable steps at the next start. */
  stop(): Promise<void>;
  /**
   * Stops gracefully within `timeoutMs`: new commands are turned away ("restarting"), nothing
   * new starts, deliveries under way may finish, and what has not finished when time is nearly
   * up is parked (stop()).
   */
  shutdown(timeoutMs: number): Promise<void>;
}

export interface BotOptions {
  env: BotEnv;
  logger: Logger;
  clock?: () => number;
  /** Test and benchmark knobs of the card updater (edit spacing). */
  cardIntervals?: { minIntervalMs?: number; stateIntervalMs?: number };
  /** Resolves the names of image hosts (tests inject one: no real DNS). */
  resolveOutputHost?: HostResolver;
}

export async function startBot({
  env,
  logger,
  clock = Date.now,
  cardIntervals,
  resolveOutputHost,
}: BotOptions): Promise<Bot> {
  const store = await openStore({ url: env.STORE_URL, logger, exclusive: true });
  const metrics = new BotMetrics(logger, env.METRICS_PORT > 0);
  // Names this process in job leases and in every RunComfy call (several processes on Redis).
  const processId = newProcessId();
  const runcomfy = new RunComfyClient({
    callerId: processId,
    baseUrl: env.RUNCOMFY_BASE_URL,
    token: env.RUNCOMFY_API_TOKEN,
    timeoutMs: env.RUNCOMFY_TIMEOUT,
    logger,
    onCall: metrics.runcomfyCall,
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
  const interactionRest = interactionRestClient(env.DISCORD_API_URL);
  const api = new DiscordApi(client.rest, env.DISCORD_APPLICATION_ID, clock, interactionRest);
  metrics.watchRest(client.rest, 'bot');
  metrics.watchRest(interactionRest, 'interaction');
  const settings = new GuildSettingsStore(store);
  const galleryIndex = new GalleryIndex(store);
  const galleryMirror = new GalleryMirror(api, settings, galleryIndex, logger, { clock });
  // The bot's default limits (USER_DAILY_IMAGES…), read once: the engine applies them, /settings shows them.
  const defaultLimits = limitsFromEnv(env);
  // Image downloads reach only public addresses (or loopback, when the allow-list names it).
  const downloads = outputDispatcher({ allowedHosts: env.RUNCOMFY_OUTPUT_HOSTS, resolve: resolveOutputHost });
  const engine = new JobEngine({
    processId,
    store,
    client: runcomfy,
    modelIds: configuredModelIds(env),
    deliverer: new DiscordDeliverer(api, logger, clock, galleryMirror),
    spool: new ImageSpool({
      directory: join(env.DATA_DIR, 'spool'),
      maxBytesPerImage: env.DOWNLOAD_MAX_BYTES,
      maxPixelsPerImage: MAX_OUTPUT_PIXELS,
      timeoutMs: env.DOWNLOAD_TIMEOUT,
      maxTotalBytes: env.SPOOL_MAX_BYTES,
      minFreeBytes: env.SPOOL_MIN_FREE_BYTES,
      onSkip: (jobId, reason, bytes) =>
        logger.warn({ jobId, reason, bytes }, 'spool: set kept in memory only (disk budget or free space)'),
      dispatcher: downloads,
    }),
    outputHosts: env.RUNCOMFY_OUTPUT_HOSTS,
    deadlineMs: env.JOB_DEADLINE,
    // Spending: the global cap behind the fair queue, the default limits and the fallback price.
    maxInFlight: env.MAX_JOBS_IN_FLIGHT,
    limits: defaultLimits,
    pricePerImageUsd: env.PRICE_PER_IMAGE_USD,
    pollConcurrency: env.POLL_CONCURRENCY,
    pollRate: env.POLL_RATE,
    historyLimit: env.HISTORY_LIMIT,
    retentionMs: env.JOB_RETENTION,
    clock,
    logger,
  });
  const guildSpend = new GuildSpend(store, engine.usage, clock);
  metrics.watchEngine(engine, store, (job) => {
    const guildId = job.reservation?.guildId ?? job.owner.guildId;
    if (guildId) {
      guildSpend
        .note(guildId)
        .catch((error: unknown) => logger.warn({ err: error }, 'metrics: could not note a server'));
    }
  });
  metrics.watchGuildSpend(() => guildSpend.figures());
  let stopping = false;
  const cards = new CardUpdater(engine, api, logger, { clock, ...cardIntervals });
  const context: BotContext = {
    engine,
    cards,
    api,
    settings,
    log: logger,
    clock,
    quota: { defaults: defaultLimits, dmAllowed: env.ALLOW_DMS },
    members: new MemberDirectory(client, api),
    gallery: { mirror: galleryMirror, browser: new GalleryBrowser(store, galleryIndex) },
    stopping: () => stopping,
    cooldown: await createCooldown(store, env.COMMAND_COOLDOWN),
    // RunComfy fetches references itself: a loopback reference only makes sense to a loopback API.
    references: { allowLoopback: isLoopbackHost(new URL(env.RUNCOMFY_BASE_URL).hostname) },
  };
  const route = createRouter(commands, context);
  client.on('interactionCreate', (interaction) => {
    metrics.interactionReceived(interaction.id, interactionKind(interaction));
    void route(interaction);
  });
  client.on('error', (error) => logger.error({ err: error.message }, 'discord client error'));
  // Up before the engine resumes its jobs (which may take a while): liveness answers at once,
  // readiness once the gateway is connected.
  const ops: OpsServer | undefined =
    env.METRICS_PORT > 0
      ? await startOpsServer({
          host: env.METRICS_HOST,
          port: env.METRICS_PORT,
          registry: metrics.registry,
          readiness: () => readiness(store, client, () => stopping),
          logger,
        })
      : undefined;
  await engine.start();
  primePromptParser();
  await client.login(env.DISCORD_TOKEN);
  logger.info({ guilds: client.guilds.cache.size }, 'bot ready');

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopping = true;
    stopped ??= (async () => {
      cards.stop();
      await engine.stop();
      await client.destroy();
      await runcomfy.close();
      await downloads.close();
      // The store last: everything above may still write to it.
      await store.close();
      await ops?.close();
      logger.info('bot stopped');
    })();
    return stopped;
  };
  return {
    client,
    engine,
    cards,
    metrics,
    opsUrl: ops?.url,
    stop,
    async shutdown(timeoutMs) {
      stopping = true;
      // What stop() itself needs (spool to disk, store writes, sockets) is kept back.
      const reserve = Math.min(3_000, Math.floor(timeoutMs / 4));
      logger.info({ timeoutMs }, 'shutting down: new commands are turned away, deliveries under way may finish');
      const drained = await engine.drain(timeoutMs - reserve);
      if (!drained) logger.warn('shutting down: deliveries still under way are parked; they resume at the next start');
      await stop();
    },
  };
}

function interactionKind(interaction: Interaction): InteractionKind {
  if (interaction.isChatInputCommand() || interaction.isContextMenuCommand()) return 'command';
  if (interaction.isAutocomplete()) return 'autocomplete';
  if (interaction.isMessageComponent()) return 'component';
  if (interaction.isModalSubmit()) return 'modal';
  return 'other';
}

/** Ready: not stopping, the store answers within a second, and the gateway is connected. */
async function readiness(
  store: { ping(): Promise<void> },
  client: Client,
  stopping: () => boolean,
): Promise<ReadinessReport> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const storeCheck = await Promise.race([
    store.ping().then(
      () => 'ok',
      (error: unknown) => `unreachable: ${error instanceof Error ? error.message : String(error)}`,
    ),
    new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('unreachable: no answer within 1 s'), 1_000);
    }),
  ]);
  clearTimeout(timer);
  const gateway = client.isReady() ? 'connected' : 'disconnected';
  const checks = { store: storeCheck, gateway, ...(stopping() ? { shutdown: 'in progress' } : {}) };
  return { ready: storeCheck === 'ok' && gateway === 'connected' && !stopping(), checks };
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
