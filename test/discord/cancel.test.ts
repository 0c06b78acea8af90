import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotHarness, createBotHarness } from '../helpers/bot-harness.js';
import { buttonIds, resultMessages, waitForCardTitle, waitUntil } from '../helpers/discord-waits.js';

let h: BotHarness;
const queueMsByPrompt = new Map<string, number>();

beforeAll(async () => {
  h = await createBotHarness({
    runcomfy: {
      // The prompt picks the job's timing, so each test gets the queue it needs.
      queueMs: ({ index }) => queueMsByPrompt.get(String(index)) ?? 60_000,
      baseRunMs: 1_500,
      perImageMs: 50,
    },
  });
});
afterAll(async () => {
  await h?.close();
});

const users = new Map<string, { id: string }>();
function user(name: string): { id: string } {
  let found = users.get(name);
  if (!found) {
    found = h.discord.createUser({ username: name });
    users.set(name, found);
  }
  return found;
}

function imagine(name: string, prompt: string, queueMs: number) {
  queueMsByPrompt.set(String(h.runcomfy.jobs().length), queueMs);
  const channel = h.discord.channelByName('general');
  return h.discord.runSlashCommand({ user: user(name), channel }, 'imagine', { prompt, count: 2 });
}

describe('Cancel', () => {
  it('by the owner while queued: cancelled on RunComfy, and the card says so', async () => {
    const handle = imagine('owner1', 'a queued lighthouse', 60_000);
    const card = await handle.waitForOriginal();
    await waitUntil(
      () => buttonIds(h.discord.message(card.data.id)).includes(`sd1:cancel:${handle.id}`),
      'Cancel button',
    );
    const click = h.discord.clickButton(user('owner1'), card.data.id, `sd1:cancel:${handle.id}`);
    const answer = await click.waitForResponse();
    expect(click.responseTimeMs).toBeLessThan(3_000);
    expect(answer.type).toBe(5); // deferred, ephemeral
    const followUp = await click.waitForOriginal((m) => !m.loading);
    expect(followUp.ephemeral).toBe(true);
    expect(followUp.data.content).toContain('Cancelled');
    const final = await waitForCardTitle(h.discord, card.data.id, 'Cancelled');
    expect(buttonIds(final)).toEqual([]);
    const upstream = h.runcomfy.jobs().find((j) => j.input.text.includes('a queued lighthouse'));
    expect(upstream?.cancelled).toBe(true);
  });

  it('by another member is refused, ephemerally, and nothing changes', async () => {
    const handle = imagine('owner2', 'a guarded lighthouse', 60_000);
    const card = await handle.waitForOriginal();
    await waitUntil(() => buttonIds(h.discord.message(card.data.id)).length > 0, 'Cancel button');
    const click = h.discord.clickButton(user('stranger'), card.data.id, `sd1:cancel:${handle.id}`);
    const answer = await click.waitForResponse();
    expect(answer.type).toBe(4);
    expect((answer.data?.['flags'] as number) & 64).toBe(64);
    expect(String(answer.data?.['content'])).toContain('Only the person who started');
    const upstream = h.runcomfy.jobs().find((j) => j.input.text.includes('a guarded lighthouse'));
    expect(upstream?.cancelled).toBe(false);
    expect(buttonIds(h.discord.message(card.data.id))).toContain(`sd1:cancel:${handle.id}`);
  });

  it('by a member with Manage Messages is allowed', async () => {
    const moderator = h.discord.createUser({ username: 'moderator' });
    h.discord.addMember(h.discord.defaultGuild, { user: moderator, permissions: ['ManageMessages'] });
    const handle = imagine('owner3', 'a moderated lighthouse', 60_000);
    const card = await handle.waitForOriginal();
    await waitUntil(() => buttonIds(h.discord.message(card.data.id)).length > 0, 'Cancel button');
    const click = h.discord.clickButton(moderator, card.data.id, `sd1:cancel:${handle.id}`);
    await click.waitForOriginal((m) => !m.loading);
    await waitForCardTitle(h.discord, card.data.id, 'Cancelled');
  });

  it('has no button once RunComfy reports in_progress, and the set is delivered', async () => {
    const handle = imagine('owner4', 'a running lighthouse', 300);
    const card = await handle.waitForOriginal();
    const running = await waitForCardTitle(h.discord, card.data.id, 'Generating…', 15_000);
    expect(buttonIds(running)).toEqual([]);
    await waitForCardTitle(h.discord, card.data.id, 'Done', 30_000);
    expect(resultMessages(h.discord, card.channelId, handle.id).flatMap((m) => m.data.attachments ?? [])).toHaveLength(
      2,
    );
  });

  it('that races with the start is answered honestly: too late, and the set still arrives', async () => {
    const handle = imagine('owner5', 'a racing lighthouse', 1_200);
    const card = await handle.waitForOriginal();
    await waitUntil(() => buttonIds(h.discord.message(card.data.id)).length > 0, 'Cancel button');
    // Wait until RunComfy has started it but before the card (throttled) lost its button.
    const upstream = await waitUntil(
      () => h.runcomfy.jobs().find((j) => j.input.text.includes('a racing lighthouse') && j.state === 'in_progress'),
      'the job to start on RunComfy',
    );
    expect(upstream).toBeDefined();
    const click = h.discord.clickButton(user('owner5'), h.discord.message(card.data.id)!, `sd1:cancel:${handle.id}`);
    const reply = await click.waitForOriginal((m) => !m.loading);
    expect(reply.data.content).toMatch(/already generating|already ended/);
    await waitForCardTitle(h.discord, card.data.id, 'Done', 30_000);
  });
});

describe('/jobs and /cancel', () => {
  it('lists your active jobs ephemerally with Cancel buttons, and /cancel autocompletes and cancels', async () => {
    const a = imagine('lister', 'first pending lighthouse', 60_000);
    await a.waitForOriginal();
    const b = imagine('lister', 'second pending lighthouse', 60_000);
    await b.waitForOriginal();
    await waitUntil(
      () => h.runcomfy.jobs().filter((j) => j.input.text.includes('pending lighthouse')).length === 2 || undefined,
      'both jobs submitted',
    );
    const list = h.discord.runSlashCommand(
      { user: user('lister'), channel: h.discord.channelByName('general') },
      'jobs',
    );
    const listed = await list.waitForResponse();
    expect((listed.data?.['flags'] as number) & 64).toBe(64);
    const text = JSON.stringify(listed.data);
    expect(text).toContain('first pending lighthouse');
    expect(text).toContain('second pending lighthouse');
    expect(text).toContain(`sd1:cancel:${a.id}`);

    const complete = h.discord.autocomplete(
      { user: user('lister'), channel: h.discord.channelByName('general') },
      'cancel',
      { job: 'second' },
      'job',
    );
    const choices = await complete.choices();
    expect(choices.map((c) => c.value)).toEqual([b.id]);

    const cancel = h.discord.runSlashCommand(
      { user: user('lister'), channel: h.discord.channelByName('general') },
      'cancel',
      { job: b.id },
    );
    const reply = await cancel.waitForOriginal((m) => !m.loading);
    expect(reply.data.content).toContain('Cancelled');
    // Tidy up the other one.
    const other = h.discord.runSlashCommand(
      { user: user('lister'), channel: h.discord.channelByName('general') },
      'cancel',
      { job: a.id },
    );
    await other.waitForOriginal((m) => !m.loading);
  });
});
