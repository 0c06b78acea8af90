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

/** The custom ids in a message's action rows (a V2 message's container is not a row). */
export function buttonIds(message: StoredMessage | undefined): string[] {
  return actionRows(message).flatMap((row) => (row.components ?? []).map((c) => c.custom_id ?? ''));
}

/** A message's top-level action rows. */
export function actionRows(message: StoredMessage | undefined) {
  return (message?.data.components ?? []).filter((component) => component.type === 1);
}

interface GalleryItemView {
  url: string;
  description: string | undefined;
}

/** A Components V2 message's media galleries (in a container or at the top level), in order. */
export function mediaGalleries(message: StoredMessage | undefined): GalleryItemView[][] {
  const galleries: GalleryItemView[][] = [];
  const walk = (components: unknown[]) => {
    for (const component of components as Array<Record<string, unknown>>) {
      if (component['type'] === 12) {
        const items = component['items'] as Array<{ media: { url: string }; description?: string }>;
        galleries.push(items.map((item) => ({ url: item.media.url, description: item.description })));
      } else if (Array.isArray(component['components'])) walk(component['components']);
    }
  };
  walk((message?.data.components ?? []) as unknown[]);
  return galleries;
}

/** The text displays of a Components V2 message (in a container or at the top level), joined. */
export function displayedText(message: StoredMessage | undefined): string {
  const texts: string[] = [];
  const walk = (components: unknown[]) => {
    for (const component of components as Array<Record<string, unknown>>) {
      if (component['type'] === 10) texts.push(String(component['content']));
      else if (Array.isArray(component['components'])) walk(component['components']);
    }
  };
  walk((message?.data.components ?? []) as unknown[]);
  return texts.join('\n');
}

/** Whether a message is a Components V2 one (flag 1 << 15) with no content or embeds. */
export function isComponentsV2(message: StoredMessage | undefined): boolean {
  const data = message?.data;
  return (
    data !== undefined && ((data.flags ?? 0) & (1 << 15)) !== 0 && !data.content && (data.embeds ?? []).length === 0
  );
}

/** Result messages of a job (their attachments are named after the job id). */
export function resultMessages(discord: DiscordEmulator, channelId: string, jobId: string): StoredMessage[] {
  return discord
    .channelMessages(channelId)
    .filter((m) => (m.data.attachments ?? []).some((a) => a.filename.startsWith(`seedream-${jobId}-`)));
}
