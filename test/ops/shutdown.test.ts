/**
 * Graceful shutdown of the real bot process (src/main.ts): SIGTERM in the middle of a
 * 15-image delivery. The process turns new commands away ("restarting"), exits within
 * SHUTDOWN_TIMEOUT with the delivery parked, and the next start posts the rest: every image
 * exactly once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageFlags, REST, Routes } from 'discord.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { emulatorBotEnv } from '../../src/emulators/bot-env.js';
import { type DiscordEmulator, startDiscordEmulator } from '../../src/emulators/discord/index.js';
import { type RunComfyEmulator, startRunComfyEmulator } from '../../src/emulators/runcomfy/index.js';
import { type BotProcess, killBotProcess, startBotProcess } from '../helpers/bot-process.js';
import { cardTitle, resultMessages, waitForCardTitle, waitUntil } from '../helpers/discord-waits.js';

let discord: DiscordEmulator;
let runcomfy: RunComfyEmulator;
let bot: BotProcess | undefined;

beforeAll(async () => {
  runcomfy = await startRunComfyEmulator({ queueMs: 200, baseRunMs: 500, perImageMs: 20 });
  discord = await startDiscordEmulator();
  await new REST({ api: discord.apiUrl })
    .setToken(discord.botToken)
    .put(Routes.applicationCommands(discord.applicationId), { body: commands.map((c) => c.definition) });
});
afterEach(async () => {
  await killBotProcess(bot);
  bot = undefined;
});
afterAll(async () => {
  await discord?.close();
  await runcomfy?.close();
});

describe('SIGTERM', () => {
  it('during a 15-image delivery: "restarting" to new commands, exit within SHUTDOWN_TIMEOUT, the rest delivered exactly once after the restart', {
    timeout: 90_000,
  }, async () => {
    const timeoutMs = 2_000;
    const env = {
      ...emulatorBotEnv({ discord, runcomfy, dataDir: mkdtempSync(join(tmpdir(), 'seedream-shutdown-')) }),
      SHUTDOWN_TIMEOUT: `${timeoutMs}ms`,
      POLL_RATE: '200',
      LOG_LEVEL: 'debug',
    };
    bot = await startBotProcess({ env });
    const channel = discord.channelByName('general');
    // Each result message takes 1.5 s to post: the 15 images (two messages and an overview)
    // cannot all be posted within the shutdown's time.
    const slow = discord.faults.slow('POST /channels/*/messages', 1_500);
    const handle = discord.runSlashCommand({ user: discord.createUser({ username: 'long' }), channel }, 'imagine', {
      prompt: 'fifteen lighthouses along one coast',
      count: 15,
    });
    const card = await handle.waitForOriginal();
    await waitUntil(
      () => resultMessages(discord, channel.data.id, handle.id).length >= 1,
      'the first result message',
      30_000,
    );

    const signalledAt = Date.now();
    bot.child.kill('SIGTERM');
    // A command that arrives during the shutdown is answered at once, privately, in the member's language.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const late = discord.runSlashCommand({ user: discord.createUser({ username: 'late' }), channel }, 'imagine', {
      prompt: 'a late lighthouse',
    });
    const answer = await late.waitForResponse({ timeoutMs: 3_000 });
    expect(answer.type).toBe(4);
    expect(answer.data?.content).toBe('The bot is restarting; try again in a moment.');
    expect(Number(answer.data?.flags) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);

    const code = await bot.exited;
    const tookMs = Date.now() - signalledAt;
    if (code !== 0) console.log(JSON.stringify(bot.logs.slice(-15), null, 1), bot.stderr.join(''));
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(timeoutMs + 500);
    const messages = bot.logs.map((l) => l.msg);
    expect(messages).toContain('shutting down: deliveries still under way are parked; they resume at the next start');
    expect(messages).toContain('bot stopped');
    // Parked: the set's last steps (the overview, the card's final edit) were not done. A post
    // already on its way when the time ran out may still land; the next start finds it by its nonce.
    const postedBefore = resultMessages(discord, channel.data.id, handle.id).flatMap((m) => m.data.attachments ?? []);
    expect(cardTitle(discord, card.data.id)).not.toBe('Done');
    // Nothing was sent to RunComfy for the late command.
    expect(runcomfy.jobs()).toHaveLength(1);

    slow.remove();
    bot = await startBotProcess({ env });
    await waitForCardTitle(discord, card.data.id, 'Done', 40_000);
    const names = resultMessages(discord, channel.data.id, handle.id)
      .flatMap((m) => m.data.attachments ?? [])
      .map((a) => a.filename);
    console.info('attachments after the restart:', names.join(' '));
    // Every file once: the 15 images and the overview's contact sheet.
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((name) => /-\d+\.jpe?g$/.test(name)).sort()).toEqual(
      Array.from({ length: 15 }, (_, n) => `seedream-${handle.id}-${n + 1}.jpg`).sort(),
    );
    console.info(
      `exited ${tookMs} ms after SIGTERM (SHUTDOWN_TIMEOUT ${timeoutMs} ms) with ${postedBefore.length} of 15 images posted then`,
    );
  });
});
