/**
 * Discord bot benchmark (issue 5): `npm run bench:discord [-- options]`.
 *
 * The real bot (src/app.ts: discord.js client, SQLite store, job engine, spool, deliverer) runs
 * in a child process (bench/discord-bot-run.ts) against the Discord and RunComfy emulators,
 * which run here in the parent on 127.0.0.1. Both parts judge times with both ends taken here.
 *
 * Part 1, first response: 500 valid /imagine commands from 200 users, dispatched evenly over
 * 1 s of real time while the engine polls RunComfy (every job sits ~30 s in the queue) and the
 * status cards are being edited. Time to first response = the Discord emulator's
 * `responseWallMs` (real ms from the gateway dispatch to the interaction callback).
 * Interaction callbacks are exempt from discord.js's global 50 requests/s limit; the bot sends
 * card edits through the interaction webhook on a REST client of their own, exempt too (Discord
 * does not count interaction endpoints), while channel-route requests are under it; the edits'
 * figures are printed beside.
 *
 * Part 2, delivery: a 15-image 2560×1440 set. "Result available" = the moment RunComfy's
 * result answer listing the images was sent to the bot (`firstSucceededResultAt`, on the
 * emulator's clock here); "all images posted" = the moment the Discord emulator stored the last
 * message carrying the set's images (the overview message with the contact sheet and the final
 * card edit come after and are shown apart). Baselines, same run and same loopback: a second
 * child (bench/discord-baseline-run.ts) downloads the same 15 file URLs with undici into memory
 * and posts them with discord.js REST, packed ≤ 10 files and ≤ 25 MiB per request, three ways
 * (BASELINE_ENCODERS: as discord.js sends files, as one multipart buffer, and as the download's
 * own chunks with the bot's request function); the bot is judged against the fastest. Three
 * warm-up rounds (the emulator renders its frames, JIT, heap growth), then `--runs` measured
 * rounds of bot, then the three baselines (in rotating order); medians are judged.
 * The emulator's frames are flat colour (≈ 40 KB as JPEG); by default each file is padded to
 * `--image-bytes` (3,000,000 bytes, a heavy photographic 2560×1440 JPEG) with JPEG comment
 * segments (the emulator's oversize-image behaviour), below the 10 MiB per-file limit, so
 * nothing is re-encoded. `--image-bytes 0` keeps the frames as rendered.
 *
 * Peak RSS: each process's `process.resourceUsage().maxRSS` (getrusage ru_maxrss, the same
 * figure as /proc/<pid>/status VmHWM), reported by the process itself before it exits.
 *
 * Options: --commands N (500)  --users U (200)  --burst-ms B (1000)  --runs R (9)
 *          --image-bytes N (3000000)  --max-active N (10)  --poll-rate R (50)
 *          --poll-concurrency C (16)  --parts 1,2  --out FILE
 * Env: BENCH_CHILD_ARGS is passed to the children's node (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p");
 *      BENCH_DATA_ROOT is where part 2's bot keeps its store and spool (default the OS temp directory).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REST, Routes } from 'discord.js';
import { commands } from '../commands/index.js';
import { emulatorBotEnv } from '../src/emulators/bot-env.js';
import {
  type DiscordEmulator,
  type InteractionHandle,
  type StoredMessage,
  startDiscordEmulator,
} from '../src/emulators/discord/index.js';
import { type RunComfyEmulator, startRunComfyEmulator } from '../src/emulators/runcomfy/index.js';
import {
  BASELINE_ENCODERS,
  BASELINE_LABELS,
  type BaselineDone,
  type BaselineEncoder,
  type BotJobAnswer,
  type BotMeasure,
  type BotStateEvent,
  type ChildStopped,
  epochNow,
  gcRecorder,
  type LoopDelay,
  loopDelayMonitor,
  median,
  nextMessage,
  peakRssKb,
  percentile,
  sleep,
  startChild,
  stopChild,
} from './discord-shared.js';

const here = dirname(fileURLToPath(import.meta.url));

const { values: args } = parseArgs({
  options: {
    commands: { type: 'string', default: '500' },
    users: { type: 'string', default: '200' },
    'burst-ms': { type: 'string', default: '1000' },
    runs: { type: 'string', default: '9' },
    'image-bytes': { type: 'string', default: '3000000' },
    'max-active': { type: 'string', default: '10' },
    'poll-rate': { type: 'string', default: '50' },
    'poll-concurrency': { type: 'string', default: '16' },
    parts: { type: 'string', default: '1,2' },
    store: { type: 'string', default: 'sqlite' },
    out: { type: 'string' },
  },
});

const COMMANDS = Number(args.commands);
const USERS = Number(args.users);
const BURST_MS = Number(args['burst-ms']);
const RUNS = Number(args.runs);
const IMAGE_BYTES = Number(args['image-bytes']);
const MAX_ACTIVE = Number(args['max-active']);
const POLL_RATE = Number(args['poll-rate']);
const POLL_CONCURRENCY = Number(args['poll-concurrency']);
const PARTS = new Set(args.parts.split(',').map((p) => p.trim()));
/** 'sqlite' (the bot's default store) or 'memory' (diagnostic: what the store costs). */
const STORE = args.store === 'memory' ? 'memory' : 'sqlite';

const DISCORD_FIRST_RESPONSE_MS = 3_000;
const TARGET_P99_MS = 100;
const TARGET_RATIO = 1.3;
const SET_SIZE = 15;
const SET_ASPECT = '16:9';
const SET_WIDTH = 2560;
const SET_HEIGHT = 1440;
/** Part 1: time every job waits in RunComfy's queue (plus 20 ms per submit, so positions move). */
const PART1_QUEUE_MS = 30_000;
/** Part 1: how long to keep watching card edits after the burst. */
const PART1_EDIT_WATCH_MS = 20_000;
const WARMUP_COMMANDS = 5;
/** Part 2: unmeasured runs first (JIT, sockets, the emulator's frame cache, heap growth). */
const WARMUP_RUNS = 3;
/** Part 2: pause after each bot or baseline run. */
const SETTLE_MS = 1_000;

const ASPECTS = ['1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3', '21:9'] as const;
const PROMPTS = [
  'a lighthouse at dusk, storm clouds, cinematic',
  'a red fox in fresh snow, morning light',
  'a cyberpunk street market in the rain',
  'watercolour of a mountain village in spring',
  'a bowl of ramen, studio photo, steam',
  'an astronaut reading in a greenhouse on Mars',
  'a koi pond seen from above, autumn leaves',
  'isometric cozy bedroom, pastel colours',
] as const;

// ——— shared set-up ———

function botEnv(discord: DiscordEmulator, runcomfy: RunComfyEmulator, dataDir: string): Record<string, string> {
  return {
    ...emulatorBotEnv({ discord, runcomfy, dataDir, ...(STORE === 'memory' ? { storeUrl: 'memory://' } : {}) }),
    LOG_LEVEL: 'info',
    MAX_ACTIVE_JOBS_PER_USER: String(MAX_ACTIVE),
    POLL_RATE: String(POLL_RATE),
    POLL_CONCURRENCY: String(POLL_CONCURRENCY),
    // Spending limits (0 = none) so that every valid command is accepted; ignored by a bot without quotas.
    USER_DAILY_IMAGES: '0',
    GUILD_DAILY_IMAGES: '0',
    GUILD_MONTHLY_BUDGET_USD: '0',
    MAX_ACTIVE_JOBS_PER_GUILD: '0',
    // Bench members fire commands back to back: no cooldown.
    COMMAND_COOLDOWN: '0',
  };
}

async function deployCommands(discord: DiscordEmulator): Promise<void> {
  await new REST({ api: discord.apiUrl })
    .setToken(discord.botToken)
    .put(Routes.applicationCommands(discord.applicationId), { body: commands.map((c) => c.definition) });
}

async function startBotChild(env: Record<string, string>, trace: boolean): Promise<ChildProcess> {
  const child = await startChild('discord-bot-run.ts');
  const ready = nextMessage(
    child,
    (m) => {
      const message = m as { type?: string; message?: string };
      return message.type === 'ready' || message.type === 'error' ? message : undefined;
    },
    30_000,
    'the bot to log in',
  );
  child.send({ type: 'start', env, trace });
  const answer = await ready;
  if (answer.type === 'error') {
    child.kill('SIGKILL');
    throw new Error(`the bot did not start: ${answer.message}`);
  }
  return child;
}

async function waitUntil<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

const round = (value: number, digits = 1) =>
  Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : value;
/** A latency for print: "never" for an interaction that got no answer. */
const ms = (value: number) => (value === Number.POSITIVE_INFINITY ? 'never' : `${value} ms`);
const mb = (bytes: number) => round(bytes / 1_000_000, 1);
const kbToMb = (kb: number) => round(kb / 1024, 0);

// ——— part 1: first response under a burst ———

interface Part1Result {
  commands: number;
  users: number;
  dispatchSpanMs: number;
  answered: number;
  unanswered: number;
  overDiscordLimit: number;
  rejectedCallbacks: number;
  responseTypes: Record<string, number>;
  ephemeralErrors: number;
  submittedToRunComfy: number;
  /** Percentiles over every command; an unanswered one is +Infinity (null in the JSON). */
  firstResponseMs: { p50: number; p90: number; p99: number; max: number; mean: number; unanswered: number };
  firstResponseClockMaxMs: number;
  /** Dispatch → discord.js hands the interaction to the bot (gateway frame, the bot's loop backlog). */
  toBotMs: { p50: number; p99: number; max: number };
  /** interactionCreate → the callback stored by the emulator (handler, REST, HTTP). */
  inBotMs: { p50: number; p99: number; max: number };
  /** The bot's CPU time from the burst's start until every command was answered. */
  botCpuMs: number;
  burstToLastAnswerMs: number;
  botLoopDelay: LoopDelay;
  parentLoopDelay: LoopDelay;
  cardEdits: {
    firstEditLagMs: { p50: number; p99: number; max: number; edited: number; of: number };
    nonExemptRequests: number;
    maxNonExemptPerSecond: number;
    callbacks: number;
    maxCallbacksPerSecond: number;
    watchedMs: number;
  };
  runcomfyPolls: { status: number; result: number; perSecondMax: number };
  bot: ChildStopped | undefined;
}

async function partFirstResponse(): Promise<Part1Result> {
  const runcomfy = await startRunComfyEmulator({
    queueMs: ({ index }) => PART1_QUEUE_MS + index * 20,
    baseRunMs: 5_000,
    perImageMs: 500,
  });
  const discord = await startDiscordEmulator({ retainUploads: false, requestLogLimit: 1_000_000 });
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-discord-p1-'));
  let bot: ChildProcess | undefined;
  try {
    await deployCommands(discord);
    bot = await startBotChild(botEnv(discord, runcomfy, dataDir), false);
    const channel = discord.channelByName('general');
    const users = Array.from({ length: USERS }, (_, i) => discord.createUser({ username: `bench-user-${i}` }).id);

    // A few commands first, so the first measured one does not pay for the bot's first-use costs.
    const warm = Array.from({ length: WARMUP_COMMANDS }, (_, i) =>
      discord.runSlashCommand({ user: { username: `bench-warmup-${i}` }, channel }, 'imagine', {
        prompt: 'warm-up',
        count: 1,
      }),
    );
    await Promise.all(warm.map((h) => h.waitForResponse({ timeoutMs: 10_000 })));
    await sleep(1_500);
    const jobsBefore = runcomfy.jobs().length;

    // First card edit (PATCH @original) per interaction, for the 50 requests/s figure.
    const dispatchedAt = new Map<string, number>();
    const firstEditLag = new Map<string, number>();
    const onUpdate = (message: StoredMessage) => {
      const id = message.interactionId;
      if (!id || firstEditLag.has(id)) return;
      const at = dispatchedAt.get(id);
      if (at !== undefined) firstEditLag.set(id, epochNow() - at);
    };
    discord.events.on('messageUpdate', onUpdate);

    const parentLoop = loopDelayMonitor();
    bot.send({ type: 'mark' });
    await sleep(50);
    parentLoop.reset();

    const handles: InteractionHandle[] = [];
    const spacing = BURST_MS / COMMANDS;
    const burstStartClock = Date.now();
    const t0 = performance.now();
    let firstAt = 0;
    let lastAt = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const elapsed = performance.now() - t0;
        while (handles.length < COMMANDS && handles.length * spacing <= elapsed) {
          const i = handles.length;
          const at = epochNow();
          const handle = discord.runSlashCommand({ user: users[i % USERS]!, channel }, 'imagine', {
            prompt: `${PROMPTS[i % PROMPTS.length]} #${i}`,
            count: 1 + ((i * 7) % 15),
            aspect: ASPECTS[i % ASPECTS.length]!,
            ...(i % 3 === 0 ? { quality: 'fast' } : {}),
            ...(i % 5 === 0 ? { seed: 1000 + i } : {}),
          });
          dispatchedAt.set(handle.id, at);
          handles.push(handle);
          if (i === 0) firstAt = performance.now();
          lastAt = performance.now();
        }
        if (handles.length >= COMMANDS) resolve();
        else setTimeout(tick, Math.max(0, handles.length * spacing - (performance.now() - t0)));
      };
      tick();
    });
    const dispatchSpanMs = lastAt - firstAt;

    const answered = await Promise.all(
      handles.map((h) =>
        Promise.race([h.firstResponse.then(() => true), sleep(DISCORD_FIRST_RESPONSE_MS + 5_000).then(() => false)]),
      ),
    );
    const burstToLastAnswerMs = performance.now() - t0;
    const botChild = bot;
    const measured = nextMessage(
      botChild,
      (m) => ((m as BotMeasure).type === 'measure' ? (m as BotMeasure) : undefined),
      10_000,
      'the bot measure',
    );
    botChild.send({ type: 'measure' });
    const measure = await measured;
    const parentLoopDelay = parentLoop.read();
    // Let the card edits flow for a while (each card's edits are spaced by the card updater).
    const watchStart = performance.now();
    await waitUntil(
      () =>
        firstEditLag.size >= handles.length || performance.now() - watchStart > PART1_EDIT_WATCH_MS ? true : undefined,
      PART1_EDIT_WATCH_MS + 5_000,
      'card edits',
    );
    const watchedMs = performance.now() - t0;
    discord.events.off('messageUpdate', onUpdate);

    // An unanswered interaction counts as infinitely late.
    const wall = handles.map((h) => h.responseWallMs ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
    const clockMs = handles.map((h) => h.responseTimeMs).filter((v): v is number => v !== undefined);
    const types: Record<string, number> = {};
    let ephemeralErrors = 0;
    let rejected = 0;
    for (const h of handles) {
      const response = h.response;
      rejected += h.record.rejectedCallbacks.length;
      if (!response) continue;
      types[String(response.type)] = (types[String(response.type)] ?? 0) + 1;
      const flags = Number(response.data?.['flags'] ?? 0);
      if (flags & 64) ephemeralErrors++;
    }
    const lags = [...firstEditLag.values()].sort((a, b) => a - b);
    const toBot: number[] = [];
    const inBot: number[] = [];
    for (const h of handles) {
      const got = measure.received[h.id];
      const sent = dispatchedAt.get(h.id);
      if (got === undefined || sent === undefined || h.responseWallMs === undefined) continue;
      toBot.push(got - sent);
      inBot.push(h.responseWallMs - (got - sent));
    }
    const spread = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return {
        p50: round(percentile(sorted, 50)),
        p99: round(percentile(sorted, 99)),
        max: round(sorted.at(-1) ?? Number.NaN),
      };
    };

    // REST traffic during the burst and the watch, by second.
    const log = discord.state.requestLog.filter((e) => e.at >= burstStartClock);
    const perSecond = (entries: typeof log) => {
      const buckets = new Map<number, number>();
      for (const e of entries) {
        const second = Math.floor((e.at - burstStartClock) / 1000);
        buckets.set(second, (buckets.get(second) ?? 0) + 1);
      }
      return Math.max(0, ...buckets.values());
    };
    const callbacks = log.filter((e) => e.route.includes('/callback'));
    const nonExempt = log.filter((e) => !e.route.includes('/callback'));
    const polls = runcomfy.calls.filter(
      (c) => c.at >= burstStartClock && (c.route === 'status' || c.route === 'result'),
    );
    const pollBuckets = new Map<number, number>();
    for (const c of polls) {
      const second = Math.floor((c.at - burstStartClock) / 1000);
      pollBuckets.set(second, (pollBuckets.get(second) ?? 0) + 1);
    }

    const stopped = await stopChild(bot);
    bot = undefined;
    return {
      commands: handles.length,
      users: USERS,
      dispatchSpanMs: round(dispatchSpanMs),
      answered: answered.filter(Boolean).length,
      unanswered: answered.filter((a) => !a).length,
      overDiscordLimit: wall.filter((v) => v > DISCORD_FIRST_RESPONSE_MS).length,
      rejectedCallbacks: rejected,
      responseTypes: types,
      ephemeralErrors,
      submittedToRunComfy: runcomfy.jobs().length - jobsBefore,
      firstResponseMs: {
        p50: round(percentile(wall, 50)),
        p90: round(percentile(wall, 90)),
        p99: round(percentile(wall, 99)),
        max: round(wall.at(-1) ?? Number.NaN),
        mean: round(wall.reduce((a, b) => a + b, 0) / Math.max(1, wall.length)),
        unanswered: wall.filter((v) => v === Number.POSITIVE_INFINITY).length,
      },
      firstResponseClockMaxMs: Math.max(...clockMs),
      toBotMs: spread(toBot),
      inBotMs: spread(inBot),
      botCpuMs: round(measure.cpuMs, 0),
      burstToLastAnswerMs: round(burstToLastAnswerMs, 0),
      botLoopDelay: measure.loopDelay,
      parentLoopDelay,
      cardEdits: {
        firstEditLagMs: {
          p50: round(percentile(lags, 50), 0),
          p99: round(percentile(lags, 99), 0),
          max: round(lags.at(-1) ?? Number.NaN, 0),
          edited: lags.length,
          of: handles.length,
        },
        nonExemptRequests: nonExempt.length,
        maxNonExemptPerSecond: perSecond(nonExempt),
        callbacks: callbacks.length,
        maxCallbacksPerSecond: perSecond(callbacks),
        watchedMs: round(watchedMs, 0),
      },
      runcomfyPolls: {
        status: polls.filter((c) => c.route === 'status').length,
        result: polls.filter((c) => c.route === 'result').length,
        perSecondMax: Math.max(0, ...pollBuckets.values()),
      },
      bot: stopped,
    };
  } finally {
    if (bot) await stopChild(bot);
    await discord.close();
    await runcomfy.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ——— part 2: delivery of a 15-image set ———

interface PostedSet {
  /** Parent epoch ms the message with the last of the set's images was stored. */
  endAt: number;
  messages: Array<{ at: number; files: number; bytes: number }>;
  /** Bytes of the set's images as Discord stored them. */
  bytes: number;
  /** Other files of the job in the same messages (e.g. a contact sheet). */
  extraFiles: number;
  extraBytes: number;
  sizesOk: boolean;
}

/**
 * Resolves once messages carrying `expected` set images (`<prefix><n>.<ext>`) have been created.
 * Other attachments starting with `prefix` (a contact sheet…) are counted apart.
 */
function watchAttachments(
  discord: DiscordEmulator,
  prefix: string,
  expected: number,
  timeoutMs: number,
): Promise<PostedSet> {
  // Prefixes are made of letters, digits and dashes: nothing to escape.
  const image = new RegExp(`^${prefix}\\d+\\.(jpg|jpeg|png|webp)$`);
  return new Promise((resolve, reject) => {
    const messages: PostedSet['messages'] = [];
    let files = 0;
    let bytes = 0;
    let extraFiles = 0;
    let extraBytes = 0;
    let sizesOk = true;
    const onCreate = (message: StoredMessage) => {
      const mine = (message.data.attachments ?? []).filter((a) => a.filename.startsWith(prefix));
      if (mine.length === 0) return;
      const at = epochNow();
      const images = mine.filter((a) => image.test(a.filename));
      const extra = mine.filter((a) => !image.test(a.filename));
      const size = images.reduce((sum, a) => sum + a.size, 0);
      sizesOk &&= images.every((a) => a.width === SET_WIDTH && a.height === SET_HEIGHT);
      messages.push({ at, files: mine.length, bytes: size + extra.reduce((sum, a) => sum + a.size, 0) });
      files += images.length;
      bytes += size;
      extraFiles += extra.length;
      extraBytes += extra.reduce((sum, a) => sum + a.size, 0);
      if (files >= expected) {
        cleanup();
        resolve({ endAt: at, messages, bytes, extraFiles, extraBytes, sizesOk });
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out: ${files}/${expected} images named ${prefix}<n>`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      discord.events.off('messageCreate', onCreate);
    };
    discord.events.on('messageCreate', onCreate);
  });
}

interface BotRun {
  totalMs: number;
  bytes: number;
  messages: number;
  filesPerMessage: number[];
  sizesOk: boolean;
  /** Result available − RunComfy's completion (the engine's polling; not in the measured time). */
  detectionMs: number;
  /** Result available → set on local disk (the state `delivering` persisted). */
  downloadMs: number;
  /** Of which: result available → the state `fetching` persisted (the downloads start then). */
  toFetchingMs: number;
  /** → the first post starts (list the spool, take the bytes kept from the download or read the files, pack, record the step). */
  prepareMs: number;
  /** Last image message → the overview message (contact sheet and buttons) stored; not in the measured time. NaN: none. */
  overviewAfterMs: number;
  /** Files of the job posted beside the set's images (a contact sheet…) and their bytes. */
  extraFiles: number;
  extraBytes: number;
  /** → the last image message stored by Discord. */
  uploadMs: number;
  postMs: number[];
  /** The Discord emulator's time per image post, from the request's arrival to its answer (upload included). */
  servedMs: number[];
  /** Last image message → job `delivered` (the final card edit; not in the measured time). */
  finalCardMs: number;
  /** The bot's CPU ms (all threads) from `fetching` to `delivered` (final card edit included). */
  cpuMs: number;
  /** The bot's GC pause ms between result available and the last image message. */
  gcMs: number;
  /** The parent's (both emulators') GC pause ms in that window. */
  parentGcMs: number;
}

interface BaselineRun {
  totalMs: number;
  /** The Discord emulator's time per post, from the request's arrival to its answer (upload included). */
  servedMs: number[];
  bytes: number;
  messages: number;
  downloadMs: number;
  uploadMs: number;
  postMs: number[];
  /** The baseline process's CPU ms (all threads) for the run. */
  cpuMs: number;
  /** Its GC pause ms during the run. */
  gcMs: number;
  /** The parent's (both emulators') GC pause ms during the run. */
  parentGcMs: number;
}

/** One round: the bot, then every baseline on the same URLs; `ratio`: bot ÷ the fastest of them. */
interface Round {
  bot: BotRun;
  baselines: Record<BaselineEncoder, BaselineRun>;
  ratio: number;
}

interface Part2Result {
  imageBytesRequested: number;
  setBytes: number;
  extraFiles: number;
  extraBytes: number;
  messages: number;
  filesPerMessage: number[];
  warmup: Round;
  runs: Round[];
  median: {
    botMs: number;
    /** Per baseline: its median time, CPU, download and upload, and the bot's ratio to it. */
    baselines: Record<
      BaselineEncoder,
      {
        ms: number;
        cpuMs: number;
        gcMs: number;
        parentGcMs: number;
        downloadMs: number;
        uploadMs: number;
        ratio: number;
      }
    >;
    /** The baseline with the lowest median. */
    fastest: BaselineEncoder;
    /** Bot ÷ the fastest baseline (medians): the judged figure. */
    ratio: number;
    ratioOfRuns: number;
    botCpuMs: number;
    botGcMs: number;
    botParentGcMs: number;
    bot: {
      detectionMs: number;
      downloadMs: number;
      toFetchingMs: number;
      prepareMs: number;
      overviewAfterMs: number;
      uploadMs: number;
      finalCardMs: number;
    };
  };
  bot: ChildStopped | undefined;
  baselineChild: ChildStopped | undefined;
}

const TERMINAL = new Set(['delivered', 'failed', 'cancelled', 'timed_out', 'expired']);

async function partDelivery(): Promise<Part2Result> {
  const parentGc = gcRecorder();
  const runcomfy = await startRunComfyEmulator({
    clock: epochNow,
    // Done before the engine's first status poll (1 s after submit), so each run is quick.
    queueMs: 200,
    runMs: 600,
    imageFormat: 'jpeg',
  });
  const discord = await startDiscordEmulator({ retainUploads: false });
  const dataDir = mkdtempSync(join(process.env.BENCH_DATA_ROOT ?? tmpdir(), 'bench-discord-p2-'));
  let bot: ChildProcess | undefined;
  let baseline: ChildProcess | undefined;
  try {
    await deployCommands(discord);
    bot = await startBotChild(botEnv(discord, runcomfy, dataDir), true);
    baseline = await startChild('discord-baseline-run.ts');
    const baselineReady = nextMessage(
      baseline,
      (m) => ((m as { type?: string }).type === 'ready' ? true : undefined),
      10_000,
      'baseline init',
    );
    baseline.send({ type: 'init', apiUrl: discord.apiUrl, token: discord.botToken });
    await baselineReady;
    const channel = discord.channelByName('general');
    const botChild = bot;
    const baselineChild = baseline;

    /** How long the Discord emulator spent on each message post since log index `from` (arrival → answered). */
    const postsServed = (from: number) =>
      discord.state.requestLog
        .slice(from)
        .filter((e) => e.route === 'POST /channels/:channel/messages')
        .map((e) => round(e.durationMs, 0));

    const runBot = async (): Promise<{ run: BotRun; urls: string[] }> => {
      const logFrom = discord.state.requestLog.length;
      const states: BotStateEvent[] = [];
      const onState = (m: unknown) => {
        const message = m as BotStateEvent;
        if (message.type === 'state') states.push(message);
      };
      botChild.on('message', onState);
      try {
        const jobsBefore = runcomfy.jobs().length;
        const handle = discord.runSlashCommand({ user: { username: 'bench-deliverer' }, channel }, 'imagine', {
          prompt: 'a lighthouse at dusk, storm clouds, cinematic',
          count: SET_SIZE,
          aspect: SET_ASPECT,
        });
        const jobId = handle.id;
        const posted = watchAttachments(discord, `seedream-${jobId}-`, SET_SIZE, 60_000);
        const ended = nextMessage(
          botChild,
          (m) => {
            const message = m as BotStateEvent;
            return message.type === 'state' && message.jobId === jobId && TERMINAL.has(message.state)
              ? message
              : undefined;
          },
          60_000,
          `job ${jobId} to end`,
        );
        await handle.waitForResponse({ timeoutMs: 10_000 });
        const job = await waitUntil(() => runcomfy.jobs()[jobsBefore], 10_000, 'the RunComfy submit');
        if (IMAGE_BYTES > 0) {
          for (let index = 0; index < SET_SIZE; index++) {
            runcomfy.inject({ kind: 'oversize-image', index, bytes: IMAGE_BYTES, requestId: job.requestId });
          }
        }
        const set = await posted;
        const end = await ended;
        if (end.state !== 'delivered') throw new Error(`job ${jobId} ended ${end.state}`);
        const answer = nextMessage(
          botChild,
          (m) => {
            const message = m as BotJobAnswer;
            return message.type === 'job' && message.jobId === jobId ? message : undefined;
          },
          10_000,
          'the job record',
        );
        const view = runcomfy.job(job.requestId)!;
        const resultAt = view.firstSucceededResultAt!;
        botChild.send({ type: 'job', jobId, window: [resultAt, set.endAt] });
        const { job: record, gcMs } = await answer;
        if (!record) throw new Error(`job ${jobId} not in the store`);
        const readyAt = states.find((s) => s.jobId === jobId && s.state === 'ready')!.at;
        const fetchingAt = states.find((s) => s.jobId === jobId && s.state === 'fetching')?.at ?? Number.NaN;
        const parts = Object.keys(record.delivery)
          .filter((key) => key.startsWith('part:'))
          .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
          .map((key) => record.delivery[key]!);
        const firstPostAt = parts[0]?.startedAt ?? Number.NaN;
        const overview = record.delivery['overview'];
        return {
          urls: record.imageUrls,
          run: {
            totalMs: set.endAt - resultAt,
            parentGcMs: parentGc.msWithin(resultAt, set.endAt),
            servedMs: postsServed(logFrom).slice(0, set.messages.length),
            bytes: set.bytes,
            messages: set.messages.length,
            filesPerMessage: set.messages.map((m) => m.files),
            sizesOk: set.sizesOk,
            detectionMs: resultAt - view.completedAt,
            downloadMs: readyAt - resultAt,
            toFetchingMs: fetchingAt - resultAt,
            prepareMs: firstPostAt - readyAt,
            overviewAfterMs: overview ? (overview.doneAt ?? Number.NaN) - set.endAt : Number.NaN,
            extraFiles: set.extraFiles,
            extraBytes: set.extraBytes,
            uploadMs: set.endAt - firstPostAt,
            postMs: parts.map((p) => (p.doneAt ?? Number.NaN) - (p.startedAt ?? Number.NaN)),
            finalCardMs: end.at - set.endAt,
            cpuMs: end.cpuMs ?? Number.NaN,
            gcMs: gcMs ?? Number.NaN,
          },
        };
      } finally {
        botChild.off('message', onState);
      }
    };

    const runBaseline = async (tag: string, urls: string[], encoder: BaselineEncoder): Promise<BaselineRun> => {
      const logFrom = discord.state.requestLog.length;
      const posted = watchAttachments(discord, `baseline-${tag}-`, urls.length, 60_000);
      const done = nextMessage(
        baselineChild,
        (m) => {
          const message = m as BaselineDone;
          return message.type === 'done' && message.tag === tag ? message : undefined;
        },
        60_000,
        'the baseline',
      );
      const startedAt = epochNow();
      baselineChild.send({ type: 'run', tag, urls, channelId: channel.data.id, encoder });
      const set = await posted;
      const report = await done;
      return {
        totalMs: set.endAt - startedAt,
        parentGcMs: parentGc.msWithin(startedAt, set.endAt),
        servedMs: postsServed(logFrom),
        bytes: set.bytes,
        messages: set.messages.length,
        downloadMs: report.downloadedAt - report.startedAt,
        uploadMs: set.endAt - report.downloadedAt,
        postMs: report.posts.map((p) => p.endedAt - p.startedAt),
        cpuMs: report.cpuMs,
        gcMs: report.gcMs,
      };
    };

    // The baselines download the bot's URLs of the same run, so the bot goes first, then the
    // baselines in rotating order; the pause after each lets the other's tail (card edit,
    // overview, store writes) settle.
    let turn = 0;
    const one = async (tag: string): Promise<Round> => {
      const { run, urls } = await runBot();
      await sleep(SETTLE_MS);
      const shift = turn++ % BASELINE_ENCODERS.length;
      const order = [...BASELINE_ENCODERS.slice(shift), ...BASELINE_ENCODERS.slice(0, shift)];
      const baselines: Partial<Record<BaselineEncoder, BaselineRun>> = {};
      for (const encoder of order) {
        baselines[encoder] = await runBaseline(`${tag}-${encoder}`, urls, encoder);
        await sleep(SETTLE_MS);
      }
      const all = baselines as Record<BaselineEncoder, BaselineRun>;
      return { bot: run, baselines: all, ratio: run.totalMs / Math.min(...Object.values(all).map((b) => b.totalMs)) };
    };

    let warmup = await one('warmup-1');
    for (let i = 2; i <= WARMUP_RUNS; i++) warmup = await one(`warmup-${i}`);
    const runs: Part2Result['runs'] = [];
    for (let i = 0; i < RUNS; i++) {
      const result = await one(String(i + 1));
      runs.push(result);
      process.stdout.write(
        `  delivery run ${i + 1}/${RUNS}: bot ${round(result.bot.totalMs, 0)} ms, baselines ` +
          BASELINE_ENCODERS.map((e) => `${e} ${round(result.baselines[e].totalMs, 0)}`).join(' / ') +
          ' ms\n',
      );
    }
    const botStopped = await stopChild(bot);
    bot = undefined;
    const baselineStopped = await stopChild(baseline);
    baseline = undefined;

    const m = (pick: (r: Round) => number) => round(median(runs.map(pick)));
    const botMs = m((r) => r.bot.totalMs);
    const baselines = Object.fromEntries(
      BASELINE_ENCODERS.map((e) => {
        const ms = m((r) => r.baselines[e].totalMs);
        return [
          e,
          {
            ms,
            cpuMs: m((r) => r.baselines[e].cpuMs),
            gcMs: m((r) => r.baselines[e].gcMs),
            parentGcMs: m((r) => r.baselines[e].parentGcMs),
            downloadMs: m((r) => r.baselines[e].downloadMs),
            uploadMs: m((r) => r.baselines[e].uploadMs),
            ratio: round(botMs / ms, 2),
          },
        ];
      }),
    ) as Part2Result['median']['baselines'];
    const fastest = BASELINE_ENCODERS.reduce((best, e) => (baselines[e].ms < baselines[best].ms ? e : best));
    return {
      imageBytesRequested: IMAGE_BYTES,
      setBytes: runs[0]?.bot.bytes ?? 0,
      extraFiles: runs[0]?.bot.extraFiles ?? 0,
      extraBytes: runs[0]?.bot.extraBytes ?? 0,
      messages: runs[0]?.bot.messages ?? 0,
      filesPerMessage: runs[0]?.bot.filesPerMessage ?? [],
      warmup,
      runs,
      median: {
        botMs,
        baselines,
        fastest,
        ratio: baselines[fastest].ratio,
        ratioOfRuns: round(median(runs.map((r) => r.ratio)), 2),
        botCpuMs: m((r) => r.bot.cpuMs),
        botGcMs: m((r) => r.bot.gcMs),
        botParentGcMs: m((r) => r.bot.parentGcMs),
        bot: {
          detectionMs: m((r) => r.bot.detectionMs),
          downloadMs: m((r) => r.bot.downloadMs),
          toFetchingMs: m((r) => r.bot.toFetchingMs),
          prepareMs: m((r) => r.bot.prepareMs),
          overviewAfterMs: m((r) => r.bot.overviewAfterMs),
          uploadMs: m((r) => r.bot.uploadMs),
          finalCardMs: m((r) => r.bot.finalCardMs),
        },
      },
      bot: botStopped,
      baselineChild: baselineStopped,
    };
  } finally {
    if (bot) await stopChild(bot);
    if (baseline) await stopChild(baseline);
    await discord.close();
    await runcomfy.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ——— main ———

function line(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const wallStart = performance.now();
  const loadBefore = loadavg().map((l) => round(l, 2));
  console.log(
    `Discord bot benchmark — node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ` +
      `load average ${loadBefore.join(' ')}, ${startedAt.toISOString()}`,
  );
  let part1: Part1Result | undefined;
  let part2: Part2Result | undefined;
  if (PARTS.has('1')) {
    console.log(`Part 1: ${COMMANDS} /imagine from ${USERS} users over ${BURST_MS} ms …`);
    part1 = await partFirstResponse();
  }
  if (PARTS.has('2')) {
    console.log(
      `Part 2: delivery of ${SET_SIZE} × ${SET_WIDTH}×${SET_HEIGHT}, ${WARMUP_RUNS} warm-up + ${RUNS} runs …`,
    );
    part2 = await partDelivery();
  }
  const parentRssKb = peakRssKb();
  const loadAfter = loadavg().map((l) => round(l, 2));
  const totalS = (performance.now() - wallStart) / 1000;

  const checks: Array<{ target: string; value: string; limit: string; pass: boolean }> = [];
  console.log('');
  if (part1) {
    const r = part1.firstResponseMs;
    const e = part1.cardEdits;
    console.log(
      `Part 1 — first response: ${part1.commands} /imagine from ${part1.users} users, dispatched over ${part1.dispatchSpanMs} ms (real timers)`,
    );
    console.log(
      `  bot: ${STORE === 'memory' ? 'memory' : 'SQLite'} store, MAX_ACTIVE_JOBS_PER_USER ${MAX_ACTIVE}, POLL_RATE ${POLL_RATE}/s, ` +
        `POLL_CONCURRENCY ${POLL_CONCURRENCY}, LOG_LEVEL info, everything else (card edit spacing, jobs in flight) at its default; ` +
        `RunComfy queue ${PART1_QUEUE_MS / 1000} s per job`,
    );
    console.log(
      `  time to first response (gateway dispatch → interaction callback, real time): p50 ${ms(r.p50)}  p90 ${ms(r.p90)}  p99 ${ms(r.p99)}  max ${ms(r.max)}  mean ${ms(r.mean)}` +
        (r.unanswered > 0 ? ` ("never": ${r.unanswered} got no answer in time)` : ''),
    );
    console.log(
      `  answered ${part1.answered}/${part1.commands}; over Discord's 3,000 ms: ${part1.overDiscordLimit}; refused callbacks (10062/40060): ${part1.rejectedCallbacks}; ` +
        `response types ${JSON.stringify(part1.responseTypes)}; ephemeral errors ${part1.ephemeralErrors}; jobs submitted to RunComfy ${part1.submittedToRunComfy}`,
    );
    console.log(
      `  split: dispatch → bot's interactionCreate p50 ${part1.toBotMs.p50} p99 ${part1.toBotMs.p99} max ${part1.toBotMs.max}; ` +
        `interactionCreate → callback stored p50 ${part1.inBotMs.p50} p99 ${part1.inBotMs.p99} max ${part1.inBotMs.max} (ms)`,
    );
    console.log(
      `  bot CPU from burst start to last answer (${part1.burstToLastAnswerMs} ms): ${part1.botCpuMs} ms = ${round(part1.botCpuMs / part1.commands, 2)} ms/command; ` +
        `event-loop delay bot p99 ${part1.botLoopDelay.p99} max ${part1.botLoopDelay.max} ms, parent (emulators) p99 ${part1.parentLoopDelay.p99} max ${part1.parentLoopDelay.max} ms`,
    );
    console.log(
      `  callbacks (exempt from discord.js's global 50/s): ${e.callbacks}, peak ${e.maxCallbacksPerSecond}/s; ` +
        `other REST (card edits through the interaction webhook, exempt too; channel routes under the global 50/s): ${e.nonExemptRequests} in ${round(e.watchedMs / 1000, 1)} s, peak ${e.maxNonExemptPerSecond}/s`,
    );
    console.log(
      `  dispatch → first card edit: p50 ${e.firstEditLagMs.p50} ms  p99 ${e.firstEditLagMs.p99} ms  max ${e.firstEditLagMs.max} ms ` +
        `(${e.firstEditLagMs.edited}/${e.firstEditLagMs.of} cards edited within ${round(e.watchedMs / 1000, 1)} s)`,
    );
    console.log(
      `  RunComfy polls during the run: ${part1.runcomfyPolls.status} status + ${part1.runcomfyPolls.result} result, peak ${part1.runcomfyPolls.perSecondMax}/s`,
    );
    checks.push({
      target: 'first response p99',
      value: ms(r.p99),
      limit: `≤ ${TARGET_P99_MS} ms`,
      pass: r.p99 <= TARGET_P99_MS && part1.unanswered === 0,
    });
    checks.push({
      target: "first response within Discord's 3 s",
      value: `${part1.overDiscordLimit} late / ${part1.commands} (max ${ms(r.max)})`,
      limit: '0 late',
      pass: part1.overDiscordLimit === 0 && part1.rejectedCallbacks === 0,
    });
  }
  if (part2) {
    const md = part2.median;
    console.log(
      `Part 2 — delivery of ${SET_SIZE} × ${SET_WIDTH}×${SET_HEIGHT} JPEG, ${mb(part2.setBytes)} MB in ${part2.messages} messages (${part2.filesPerMessage.join(' + ')} files)` +
        (part2.imageBytesRequested > 0
          ? `; each file padded to ${part2.imageBytesRequested.toLocaleString('en-US')} bytes (oversize-image)`
          : '; files as rendered'),
    );
    if (part2.extraFiles > 0) {
      console.log(
        `  the bot also posts ${part2.extraFiles} file(s) of its own in those messages (${mb(part2.extraBytes)} MB: contact sheet), which the baseline does not`,
      );
    }
    console.log(
      `  bot      result available → last image message: median ${md.botMs} ms  runs [${part2.runs.map((r) => round(r.bot.totalMs, 0)).join(', ')}] (warm-up ${round(part2.warmup.bot.totalMs, 0)})`,
    );
    for (const e of BASELINE_ENCODERS) {
      const b = md.baselines[e];
      console.log(
        `  baseline ${e.padEnd(9)} download + upload, same bytes, ${BASELINE_LABELS[e]}: median ${b.ms} ms  runs [${part2.runs.map((r) => round(r.baselines[e].totalMs, 0)).join(', ')}] (warm-up ${round(part2.warmup.baselines[e].totalMs, 0)})`,
      );
    }
    console.log(
      `  ratio against the fastest baseline (${md.fastest}) ${md.ratio}× (medians; ` +
        BASELINE_ENCODERS.map((e) => `${md.baselines[e].ratio}× against ${e}`).join(', ') +
        `); median of per-run ratios ${md.ratioOfRuns}×`,
    );
    console.log(
      `  CPU (all threads; hardly affected by the machine's load): bot ${md.botCpuMs} ms (fetching → delivered: spool, contact sheet, overview and final card edit included), ` +
        `baselines ${BASELINE_ENCODERS.map((e) => `${e} ${md.baselines[e].cpuMs} ms`).join(', ')}; the emulators' share (parent) is the same for all`,
    );
    console.log(
      `  garbage-collection pauses inside the measured window (main thread, medians): bot ${md.botGcMs} ms, ` +
        `baselines ${BASELINE_ENCODERS.map((e) => `${e} ${md.baselines[e].gcMs} ms`).join(', ')}; ` +
        `the emulators' (parent) in the same windows: bot's ${md.botParentGcMs} ms, ` +
        `baselines' ${BASELINE_ENCODERS.map((e) => `${e} ${md.baselines[e].parentGcMs} ms`).join(', ')}`,
    );
    console.log(
      `  bot breakdown (medians): download to spool ${md.bot.downloadMs} ms (of which result → fetching recorded ${md.bot.toFetchingMs} ms), prepare+pack ${md.bot.prepareMs} ms, upload ${md.bot.uploadMs} ms; ` +
        `not measured: detection after completion ${md.bot.detectionMs} ms` +
        (Number.isNaN(md.bot.overviewAfterMs)
          ? ''
          : `, overview message (contact sheet, rendered once the images are up, and the buttons) +${md.bot.overviewAfterMs} ms after the last image`) +
        `, final card edit ${md.bot.finalCardMs} ms after the last image`,
    );
    console.log(
      `  baseline breakdown (medians): ` +
        BASELINE_ENCODERS.map(
          (e) => `${e} download ${md.baselines[e].downloadMs} ms, upload ${md.baselines[e].uploadMs} ms`,
        ).join('; '),
    );
    checks.push({
      target: 'delivery vs download+upload',
      value: `${md.ratio}× (${md.botMs} / ${md.baselines[md.fastest].ms} ms)`,
      limit: `≤ ${TARGET_RATIO}×`,
      pass: md.ratio <= TARGET_RATIO && part2.runs.every((r) => r.bot.sizesOk),
    });
  }
  console.log(
    `Peak RSS (process.resourceUsage().maxRSS = VmHWM, per process): ` +
      [
        part1?.bot ? `bot (part 1) ${kbToMb(part1.bot.maxRssKb)} MiB` : undefined,
        part2?.bot ? `bot (part 2) ${kbToMb(part2.bot.maxRssKb)} MiB` : undefined,
        part2?.baselineChild ? `baseline child ${kbToMb(part2.baselineChild.maxRssKb)} MiB` : undefined,
        `parent with both emulators ${kbToMb(parentRssKb)} MiB`,
      ]
        .filter(Boolean)
        .join(', '),
  );
  const logs = [part1?.bot, part2?.bot].filter((s): s is ChildStopped => s !== undefined);
  console.log(
    `Load average before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')} (other work on this machine inflates every figure). ` +
      `Bot logs: ${logs.map((s) => `${s.logLines.total} lines (${s.logLines.warn} warn, ${s.logLines.error} error)`).join('; ')}; run took ${round(totalS, 1)} s`,
  );
  for (const s of logs) for (const sample of s.logLines.samples.slice(0, 3)) console.log(`  ${sample.trim()}`);

  console.log('');
  const widths = [38, 44, 10, 6];
  console.log(line(['target', 'measured', 'limit', 'result'], widths));
  for (const c of checks) console.log(line([c.target, c.value, c.limit, c.pass ? 'PASS' : 'FAIL'], widths));

  const out =
    args.out ?? join(here, 'results', `discord-${startedAt.toISOString().slice(0, 19).replace(/:/g, '-')}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        node: process.version,
        cpus: cpus().length,
        options: {
          commands: COMMANDS,
          users: USERS,
          burstMs: BURST_MS,
          runs: RUNS,
          imageBytes: IMAGE_BYTES,
          maxActive: MAX_ACTIVE,
          pollRate: POLL_RATE,
          pollConcurrency: POLL_CONCURRENCY,
        },
        part1,
        part2,
        parentMaxRssKb: parentRssKb,
        loadAverage: { before: loadBefore, after: loadAfter },
        checks,
        totalSeconds: round(totalS, 1),
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nJSON: ${out}`);
  process.exitCode = checks.every((c) => c.pass) ? 0 : 1;
}

await main();
