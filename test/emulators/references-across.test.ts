/**
 * The two emulators together, as the bot will use them: a member attaches references to a
 * command on the Discord emulator, their signed CDN URLs go to the RunComfy emulator's
 * edit-sequential model, which fetches them from that CDN. A URL kept past its expiry is what
 * Discord's CDN refuses, so the job fails with RunComfy's validation error; a file named .png
 * that is not one fails it too.
 */
import type { Client } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createManualClock,
  type DiscordEmulator,
  type ManualClock,
  startDiscordEmulator,
} from '../../src/emulators/discord/index.js';
import { type RunComfyEmulator, startRunComfyEmulator } from '../../src/emulators/runcomfy/index.js';
import { loginClient, pngImage } from './discord/helpers.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('references from Discord attachments to RunComfy edit-sequential', () => {
  let clock: ManualClock;
  let discord: DiscordEmulator;
  let runcomfy: RunComfyEmulator;
  let client: Client<true>;

  beforeAll(async () => {
    clock = createManualClock();
    discord = await startDiscordEmulator({ clock });
    runcomfy = await startRunComfyEmulator({ clock, allowLoopbackReferences: true, queueMs: 0 });
    // Interactions go to a logged-in bot; this one need not answer.
    client = await loginClient(discord);
  });

  afterAll(async () => {
    await client?.destroy();
    await runcomfy?.close();
    await discord?.close();
  });

  /** The attachment URLs a command's options carry, as the bot reads them from the interaction. */
  function attach(files: Record<string, { filename: string; data: Buffer | string; contentType?: string }>) {
    const handle = discord.runSlashCommand({ user: 'alice', guild: discord.defaultGuild.id }, 'imagine', {
      prompt: 'a fox',
      ...files,
    });
    const resolved = (handle.payload['data'] as { resolved: { attachments: Record<string, { url: string }> } }).resolved
      .attachments;
    return Object.values(resolved).map((a) => a.url);
  }

  async function submit(images: string[]): Promise<string> {
    const res = await fetch(`${runcomfy.url}/v1/models/bytedance/seedream-4-0/edit-sequential`, {
      method: 'POST',
      headers: { authorization: `Bearer ${runcomfy.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Generate 2 images of this fox', images, sequential_image_generation_options: 2 }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { request_id: string }).request_id;
  }

  it('fetches fresh CDN URLs, and fails the job on an expired one or a text file named .png', async () => {
    const urls = attach({
      reference1: { filename: 'fox.png', data: await pngImage(40, 30, 1) },
      reference2: { filename: 'fox-side.png', data: await pngImage(30, 40, 5) },
    });
    const fresh = await runcomfy.referencesFetched(await submit(urls));
    expect(fresh!.references!.map((r) => [r.ok, r.format, r.width])).toEqual([
      [true, 'png', 40],
      [true, 'png', 30],
    ]);
    expect(fresh!.outcome).toBe('succeeded');

    const [renamed] = attach({ reference1: { filename: 'notes.png', data: 'not an image at all' } });
    const notImage = await runcomfy.referencesFetched(await submit([renamed!]));
    expect(notImage!.references![0]).toMatchObject({ ok: false, contentType: 'image/png' });
    expect(notImage!.references![0]!.error).toMatch(/not an image/);

    // A day later the URLs the interaction carried are dead on the CDN: the job fails.
    clock.advance(DAY_MS);
    const stale = await runcomfy.referencesFetched(await submit(urls));
    expect(stale!.outcome).toBe('failed');
    expect(stale!.references!.map((r) => r.error)).toEqual([
      'Could not fetch the image: HTTP 404',
      'Could not fetch the image: HTTP 404',
    ]);
  });
});
