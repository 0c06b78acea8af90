/** Small polling waits on the Discord emulator's state (real time; the bot runs for real). */
import type { DiscordEmulator, StoredMessage } from '../../src/emulators/discord/index.js';

export async function waitUntil<T>(
  check: () => T | undefined | false,
  what: string | (() => string),
  timeoutMs = 30_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > timeoutMs) {
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function cardTitle(discord: DiscordEmulator, messageId: string): string | undefined {
  return discord.message(messageId)?.data.embeds?.[0]?.title;
}

export function waitForCardTitle(discord: DiscordEmulator, messageId: string, title: string, timeoutMs = 30_000) {
  return waitUntil(
    () => (cardTitle(discord, messageId) === title ? discord.message(messageId) : undefined),
    () => `card ${messageId} to say "${title}" (it says "${cardTitle(discord, messageId)}")`,
    timeoutMs,
  );
}

export function buttonIds(message: StoredMessage | undefined): string[] {
  return (message?.data.components ?? []).flatMap((row) => (row.components ?? []).map((c) => c.custom_id ?? ''));
}

/** Result messages of a job (their attachments are named after the job id). */
export function resultMessages(discord: DiscordEmulator, channelId: string, jobId: string): StoredMessage[] {
  return discord
    .channelMessages(channelId)
    .filter((m) => (m.data.attachments ?? []).some((a) => a.filename.startsWith(`seedream-${jobId}-`)));
}
