/**
 * Acceptance: with a forum, a media and a text gallery channel in turn, 5 sets make exactly 5
 * gallery posts (titles, tags, images, back-links), even though the bot is kill -9'd during
 * delivery. The bot runs in a child process (the real src/app.ts and discord.js) against both
 * emulators in this process, on a SQLite store that survives the kills.
 *
 * Each run kills the bot twice:
 *  1. at the very moment Discord creates the first gallery post (inside the emulator's handler,
 *     before the answer is written): the post exists, the bot never learned its id. This is the
 *     window a forum post cannot close with a nonce; the resumed step must find the post.
 *  2. while a later set's result message is being posted.
 * After the restarts every set must be delivered once and mirrored once.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REST, Routes } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { emulatorBotEnv } from '../../src/emulators/bot-env.js';
import {
  type ChannelRecord,
  type DiscordEmulator,
  type StoredMessage,
  startDiscordEmulator,
} from '../../src/emulators/discord/index.js';
import { type RunComfyEmulator, startRunComfyEmulator } from '../../src/emulators/runcomfy/index.js';
import { isTerminal, type JobRecord } from '../../src/engine/job.js';
import { readJobs } from '../helpers/crash-sink.js';
import { resultMessages } from '../helpers/discord-waits.js';
import {
  createGalleryChannel,
  forumPosts,
  postAttachments,
  setUpGallery,
  textPosts,
} from '../helpers/gallery-waits.js';
import { killHard, spawnWorker } from '../helpers/worker-process.js';

const WORKER = join(import.meta.dirname, 'fixtures', 'gallery-bot-worker.ts');
const SETS = [
  { prompt: 'a lighthouse at dusk', count: 2, aspect: '1:1' },
  { prompt: 'koi pond posters', count: 3, aspect: '16:9' },
  { prompt: '一座燈塔 在海邊', count: 5, aspect: '9:16' },
  { prompt: 'a paper boat on a rainy street', count: 1, aspect: '16:9' },
  { prompt: 'the four seasons of one tree', count: 11, aspect: '21:9' },
] as const;

let discord: DiscordEmulator;
let runcomfy: RunComfyEmulator;

beforeAll(async () => {
  runcomfy = await startRunComfyEmulator({ queueMs: 300, baseRunMs: 600, perImageMs: 60 });
  discord = await startDiscordEmulator();
  await new REST({ api: discord.apiUrl })
    .setToken(discord.botToken)
    .put(Routes.applicationCommands(discord.applicationId), { body: commands.map((c) => c.definition) });
});
afterAll(async () => {
  await discord?.close();
  await runcomfy?.close();
});

function botEnv(dataDir: string): Record<string, string> {
  return {
    ...emulatorBotEnv({ discord, runcomfy, dataDir }),
    LOG_LEVEL: 'debug',
    MAX_ACTIVE_JOBS_PER_USER: '20',
    POLL_RATE: '200',
    POLL_CONCURRENCY: '32',
    COMMAND_COOLDOWN: '0',
  };
}

const hasSetFiles = (message: StoredMessage) =>
  (message.data.attachments ?? []).some((a) => a.filename.startsWith('seedream-'));

async function crashRun(type: 'forum' | 'media' | 'text') {
  const dataDir = mkdtempSync(join(tmpdir(), `gallery-crash-${type}-`));
  const logFile = join(dataDir, 'bot.log');
  const env = botEnv(dataDir);
  const gallery = createGalleryChannel(discord, `crash-${type}`, type);
  const general = discord.channelByName('general');

  let child = await spawnWorker(WORKER, { env, logFile });
  expect(await setUpGallery(discord, gallery)).toContain('Done');

  // The kills, in order: each fires inside the emulator, the moment its event happens.
  const kills: string[] = [];
  const triggers: Array<{ name: string; event: 'channelCreate' | 'messageCreate'; hit: (x: never) => boolean }> = [
    type === 'text'
      ? {
          name: 'gallery message created',
          event: 'messageCreate',
          hit: ((m: StoredMessage) => m.channelId === gallery.data.id && hasSetFiles(m)) as (x: never) => boolean,
        }
      : {
          name: 'gallery post created',
          event: 'channelCreate',
          hit: ((c: ChannelRecord) => c.data.parent_id === gallery.data.id) as (x: never) => boolean,
        },
    {
      name: 'result message posted',
      event: 'messageCreate',
      hit: ((m: StoredMessage) => m.channelId === general.data.id && hasSetFiles(m)) as (x: never) => boolean,
    },
  ];
  let killed: Promise<void> = new Promise(() => {});
  const arm = () => {
    const trigger = triggers[kills.length];
    if (!trigger) return;
    const target = child;
    let resolveKilled!: () => void;
    killed = new Promise((resolve) => {
      resolveKilled = resolve;
    });
    const listener = (value: never) => {
      if (!trigger.hit(value)) return;
      discord.events.off(trigger.event, listener as never);
      // SIGKILL at once, before the emulator even answers the request.
      void killHard(target).then(resolveKilled);
      kills.push(trigger.name);
    };
    discord.events.on(trigger.event, listener as never);
  };
  arm();

  // Five people ask at once (while the bot is up to answer within 3 s).
  const handles = SETS.map((set, i) =>
    discord.runSlashCommand(
      { user: discord.createUser({ username: `${type}-maker-${i}` }), channel: general },
      'imagine',
      { prompt: set.prompt, count: set.count, aspect: set.aspect, seed: 500 + i },
    ),
  );
  await Promise.all(handles.map((handle) => handle.waitForResponse({ timeoutMs: 10_000 })));
  const ids = handles.map((handle) => handle.id);

  const deadline = Date.now() + 180_000;
  let jobs: Array<JobRecord | undefined> = [];
  for (;;) {
    const outcome = await Promise.race([
      killed.then(() => 'killed' as const),
      new Promise<'tick'>((resolve) => setTimeout(() => resolve('tick'), 300)),
    ]);
    if (outcome === 'killed') {
      killed = new Promise(() => {});
      child = await spawnWorker(WORKER, { env, logFile });
      arm();
      continue;
    }
    jobs = await readJobs(env.STORE_URL!, undefined, ids);
    if (jobs.every((job) => job && isTerminal(job.state) && job.delivery['gallery:index']?.state === 'done')) break;
    if (Date.now() > deadline) throw new Error(`jobs still running: ${jobs.map((j) => j?.state).join(', ')}`);
  }
  await killHard(child);
  return { gallery, general, jobs: jobs as JobRecord[], kills, log: readFileSync(logFile, 'utf8') };
}

function checkResults(run: Awaited<ReturnType<typeof crashRun>>) {
  const { general, jobs } = run;
  for (const [i, job] of jobs.entries()) {
    expect(job.state, `set ${i}`).toBe('delivered');
    const files = resultMessages(discord, general.data.id, job.id).flatMap((m) => m.data.attachments ?? []);
    // The contact sheet rides with a set over more than one message (over 10 images) only.
    expect(files, `result of set ${i} posted exactly once`).toHaveLength(
      SETS[i]!.count + (SETS[i]!.count > 10 ? 1 : 0),
    );
  }
}

const backLink = (run: Awaited<ReturnType<typeof crashRun>>, job: JobRecord) =>
  `https://discord.com/channels/${discord.defaultGuild.id}/${run.general.data.id}/${job.delivery['part:0']!.result}`;

describe('gallery mirroring survives kill -9', () => {
  it.each(['forum', 'media'] as const)(
    '%s: 5 sets → exactly 5 posts after two kills',
    { timeout: 300_000 },
    async (type) => {
      const run = await crashRun(type);
      expect(run.kills).toEqual(['gallery post created', 'result message posted']);
      checkResults(run);
      const posts = forumPosts(discord, run.gallery);
      expect(posts).toHaveLength(5);
      const tags = new Map(
        (discord.state.channels.get(run.gallery.data.id)!.data.available_tags ?? []).map((t) => [t.id, t.name]),
      );
      for (const [i, job] of run.jobs.entries()) {
        const mine = posts.filter((p) => p.starter?.data.embeds?.[0]?.footer?.text === `Job ${job.id}`);
        expect(mine, `one post for set ${i}`).toHaveLength(1);
        const { thread, starter } = mine[0]!;
        expect(thread.data.name).toBe(SETS[i]!.prompt);
        expect((thread.data.applied_tags ?? []).map((id) => tags.get(id))).toEqual([SETS[i]!.aspect]);
        expect(starter!.data.embeds![0]!.url).toBe(backLink(run, job));
        expect(postAttachments(discord, starter, thread.data.id)).toHaveLength(
          SETS[i]!.count + (SETS[i]!.count > 4 ? 1 : 0),
        );
      }
      // The set whose post was cut off was resumed by finding its post, not by making another.
      const resumed = run.jobs.filter((job) => (job.delivery.gallery?.attempts ?? 0) > 1);
      expect(resumed.length).toBeGreaterThanOrEqual(1);
      expect(run.log).toContain('found the gallery post of an interrupted run');
      console.info(`${type}: kills at ${run.kills.join(' / ')}; resumed gallery steps: ${resumed.length}`);
    },
  );

  it('text: 5 sets → exactly 5 gallery messages (with their threads) after two kills', {
    timeout: 300_000,
  }, async () => {
    const run = await crashRun('text');
    expect(run.kills).toEqual(['gallery message created', 'result message posted']);
    checkResults(run);
    const posts = textPosts(discord, run.gallery);
    expect(posts).toHaveLength(5);
    for (const [i, job] of run.jobs.entries()) {
      const mine = posts.filter((m) => m.data.embeds?.[0]?.footer?.text === `Job ${job.id}`);
      expect(mine, `one message for set ${i}`).toHaveLength(1);
      expect(mine[0]!.data.embeds![0]!.title).toBe(SETS[i]!.prompt);
      expect(mine[0]!.data.embeds![0]!.url).toBe(backLink(run, job));
      expect(postAttachments(discord, mine[0], mine[0]!.id)).toHaveLength(
        SETS[i]!.count + (SETS[i]!.count > 4 ? 1 : 0),
      );
    }
    const resumed = run.jobs.filter((job) => (job.delivery.gallery?.attempts ?? 0) > 1);
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    console.info(`text: kills at ${run.kills.join(' / ')}; resumed gallery steps: ${resumed.length}`);
  });
});
