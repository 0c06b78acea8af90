import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/emulators/discord/index.js';
import { type BotHarness, createBotHarness } from '../helpers/bot-harness.js';
import { buttonIds, resultMessages, waitForCardTitle } from '../helpers/discord-waits.js';

let h: BotHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('restarts', () => {
  it('a restart in the middle of 20 jobs (queued, running, delivering) delivers all 20 exactly once and updates their cards', {
    timeout: 120_000,
  }, async () => {
    h = await createBotHarness({
      runcomfy: {
        queueMs: ({ index }) => 200 + (index % 5) * 600,
        runMs: ({ index }) => 300 + (index % 4) * 400,
        imageFormat: 'png',
      },
    });
    const channel = h.discord.channelByName('general');
    // Slow posts keep some jobs in "delivering" long enough for the restart to catch them there.
    h.discord.faults.slow('POST /channels/*/messages', 400);
    const handles = Array.from({ length: 20 }, (_, i) =>
      h!.discord.runSlashCommand({ user: h!.discord.createUser({ username: `r${i}` }), channel }, 'imagine', {
        prompt: `restart set ${i}`,
        count: 1 + (i % 4),
      }),
    );
    const cards = await Promise.all(handles.map((handle) => handle.waitForOriginal()));
    // Stop when the jobs are spread across states.
    let spread = new Set<string | undefined>();
    for (let i = 0; i < 400; i++) {
      const jobs = await Promise.all(handles.map((handle) => h!.bot.engine.get(handle.id)));
      spread = new Set(jobs.map((job) => job?.state));
      if (spread.has('queued') && spread.has('running') && spread.has('delivering')) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await h.bot.stop();
    await h.restart();

    for (const [i, card] of cards.entries()) {
      const final = await waitForCardTitle(h.discord, card.data.id, 'Done', 60_000);
      expect(buttonIds(final)).toEqual([]);
      const attachments = resultMessages(h.discord, channel.data.id, handles[i]!.id).flatMap(
        (m) => m.data.attachments ?? [],
      );
      expect(attachments.map((a) => a.filename).sort()).toEqual(
        Array.from({ length: 1 + (i % 4) }, (_, n) => `seedream-${handles[i]!.id}-${n + 1}.png`).sort(),
      );
    }
    // The card's final edit is the last delivery step; the record says delivered right after it.
    for (const handle of handles) {
      let state: string | undefined;
      for (let i = 0; i < 100 && state !== 'delivered'; i++) {
        state = (await h.bot.engine.get(handle.id))?.state;
        if (state !== 'delivered') await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(state).toBe('delivered');
    }
    // The stop caught jobs queued, running and delivering.
    expect([...spread]).toEqual(expect.arrayContaining(['queued', 'running', 'delivering']));
    console.info('states at the restart:', [...spread].join(', '));
  });

  it('a job longer than 15 minutes (injected clock) still updates its card, through the channel route, and delivers', {
    timeout: 60_000,
  }, async () => {
    const clock = createManualClock();
    // Real time still flows (timers, sockets); the clock adds the jump on top of it.
    const base = Date.now();
    const now = () => clock.now() + (Date.now() - base);
    h = await createBotHarness({
      clock: now,
      discord: { clock: now },
      runcomfy: { clock: now, queueMs: 500, runMs: 16 * 60_000 },
    });
    const channel = h.discord.channelByName('general');
    const handle = h.discord.runSlashCommand(
      { user: h.discord.createUser({ username: 'patient' }), channel },
      'imagine',
      {
        prompt: 'a very slow lighthouse',
        count: 2,
      },
    );
    const card = await handle.waitForOriginal();
    await waitForCardTitle(h.discord, card.data.id, 'Generating…', 20_000);
    const webhookEditsBefore = h.discord.state.requestLog.filter(
      (r) => r.method === 'PATCH' && r.path.includes('/webhooks/'),
    ).length;
    clock.advance(17 * 60_000); // past the 15-minute token life, and past the job's running time
    await waitForCardTitle(h.discord, card.data.id, 'Done', 30_000);
    expect(resultMessages(h.discord, channel.data.id, handle.id).flatMap((m) => m.data.attachments ?? [])).toHaveLength(
      2,
    );
    const log = h.discord.state.requestLog;
    const channelEdits = log.filter(
      (r) => r.method === 'PATCH' && r.path.startsWith(`/channels/${channel.data.id}/messages/${card.data.id}`),
    );
    expect(channelEdits.length).toBeGreaterThan(0);
    expect(channelEdits.every((r) => r.status === 200)).toBe(true);
    // No edit was tried with the dead token after the jump.
    const webhookEditsAfter = log.filter((r) => r.method === 'PATCH' && r.path.includes('/webhooks/')).length;
    expect(webhookEditsAfter).toBe(webhookEditsBefore);
  });
});
