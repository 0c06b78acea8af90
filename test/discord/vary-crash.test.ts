/**
 * kill -9 during a Vary job: the bot (src/app.ts in its own process, as in gallery-crash.test.ts)
 * is killed the moment Discord creates the variation's result message, before the bot learns its
 * id; started again on the same store, it finishes the set, and the variation is delivered
 * exactly once, made from the chosen image.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REST, Routes } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { emulatorBotEnv } from '../../src/emulators/bot-env.js';
import { type DiscordEmulator, type StoredMessage, startDiscordEmulator } from '../../src/emulators/discord/index.js';
import { type RunComfyEmulator, startRunComfyEmulator } from '../../src/emulators/runcomfy/index.js';
import type { JobRecord } from '../../src/engine/job.js';
import { readJobs } from '../helpers/crash-sink.js';
import { resultMessages, waitForCardTitle } from '../helpers/discord-waits.js';
import { killHard, spawnWorker } from '../helpers/worker-process.js';

const WORKER = join(import.meta.dirname, 'fixtures', 'gallery-bot-worker.ts');

let discord: DiscordEmulator;
let runcomfy: RunComfyEmulator;

beforeAll(async () => {
  runcomfy = await startRunComfyEmulator({
    queueMs: 300,
    baseRunMs: 600,
    perImageMs: 60,
    allowLoopbackReferences: true,
  });
  discord = await startDiscordEmulator();
  await new REST({ api: discord.apiUrl })
    .setToken(discord.botToken)
    .put(Routes.applicationCommands(discord.applicationId), { body: commands.map((c) => c.definition) });
});
afterAll(async () => {
  await discord?.close();
  await runcomfy?.close();
});

describe('Vary across a kill -9', () => {
  it('delivers the variation exactly once', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vary-crash-'));
    const logFile = join(dataDir, 'bot.log');
    const env: Record<string, string> = {
      ...emulatorBotEnv({ discord, runcomfy, dataDir }),
      LOG_LEVEL: 'debug',
      MAX_ACTIVE_JOBS_PER_USER: '20',
      POLL_RATE: '200',
      POLL_CONCURRENCY: '32',
      COMMAND_COOLDOWN: '0',
    };
    let child = await spawnWorker(WORKER, { env, logFile });
    const general = discord.channelByName('general');
    const user = discord.createUser({ username: 'vary-crasher' });
    const handle = discord.runSlashCommand({ user, channel: general }, 'imagine', {
      prompt: 'a tin robot',
      count: 2,
      seed: 77,
    });
    const card = await handle.waitForOriginal();
    await waitForCardTitle(discord, card.data.id, 'Done', 40_000);
    const last = resultMessages(discord, general.data.id, handle.id).at(-1)!;

    const vary = discord.selectMenu(user, last, `sd1:vary:${handle.id}`, ['2']);
    // Killed the moment the variation's result message is created, before the bot hears back.
    const killed = new Promise<void>((resolve) => {
      const listener = (message: StoredMessage) => {
        const ours = (message.data.attachments ?? []).some((a) => a.filename.startsWith(`seedream-${vary.id}-`));
        if (!ours) return;
        discord.events.off('messageCreate', listener as never);
        void killHard(child).then(resolve);
      };
      discord.events.on('messageCreate', listener as never);
    });
    await vary.waitForResponse({ timeoutMs: 10_000 });
    await killed;
    child = await spawnWorker(WORKER, { env, logFile });

    const deadline = Date.now() + 60_000;
    let job: JobRecord | undefined;
    for (;;) {
      [job] = await readJobs(env.STORE_URL!, undefined, [vary.id]);
      if (job?.state === 'delivered') break;
      if (Date.now() > deadline) throw new Error(`variation still ${job?.state}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await killHard(child);

    expect(job.parent).toEqual({ jobId: handle.id, image: 1 });
    const files = resultMessages(discord, general.data.id, vary.id).flatMap((m) => m.data.attachments ?? []);
    expect(files, 'the variation posted exactly once').toHaveLength(2);
    const input = runcomfy.job(job.requestId!)!.input as unknown as Record<string, unknown>;
    const imageTwo = (last.data.attachments ?? []).find((a) => a.filename.startsWith(`seedream-${handle.id}-2.`))!;
    expect((input['images'] as string[]).map((url) => url.split('?')[0])).toEqual([imageTwo.url.split('?')[0]]);
  });
});
