/**
 * /settings and /usage end to end: Manage Server only; limits, defaults, channels, roles and
 * DMs take effect for the very next request, without a restart; and every command and reply
 * in en-US, zh-TW and zh-CN, chosen by the member's Discord locale (server's as fallback).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextDayStart, nextMonthStart } from '../../src/accounting/usage.js';
import { resetTime } from '../../src/discord/quota-text.js';
import type { InteractionHandle } from '../../src/emulators/discord/index.js';
import { type MessageArgs, type MessageKey, SUPPORTED_LOCALES, t } from '../../src/i18n/index.js';
import { type BotHarness, createBotHarness } from '../helpers/bot-harness.js';
import { waitUntil } from '../helpers/discord-waits.js';

let h: BotHarness;
let admin: { id: string };

beforeAll(async () => {
  // Jobs stay queued at RunComfy: these tests look at what is accepted and what is said.
  h = await createBotHarness({ runcomfy: { queueMs: 3_600_000 } });
  admin = h.discord.createUser({ username: 'owner-admin' });
  h.discord.addMember(h.discord.defaultGuild, { user: admin, permissions: ['ManageGuild'] });
});
afterAll(async () => {
  await h?.close();
});

const general = () => h.discord.channelByName('general');

/** Everything the member saw: first response, @original (unless deleted) and follow-ups. */
function seen(handle: InteractionHandle): string {
  const parts: unknown[] = [handle.response?.data];
  const original = handle.original();
  if (original && !original.deleted) parts.push(original.data.content, original.data.embeds);
  for (const message of handle.followUps()) parts.push(message.data.content, message.data.embeds);
  return JSON.stringify(parts);
}

async function answered(handle: InteractionHandle): Promise<string> {
  await handle.waitForResponse();
  // Deferred answers arrive in an edit of @original.
  await waitUntil(() => !(handle.original()?.loading ?? false) || undefined, 'the answer');
  return seen(handle);
}

async function settings(sub: string, options: Record<string, unknown> = {}, locale = 'en-US') {
  const handle = h.discord.runSlashCommand(
    { user: admin, channel: general(), locale },
    `settings ${sub}`,
    options as never,
  );
  const text = await answered(handle);
  expect(Number(handle.response?.data?.['flags'] ?? 0) & 64).toBe(64);
  return text;
}

function imagine(
  user: { id: string },
  options: Record<string, unknown>,
  where: { channel?: string; locale?: string } = {},
) {
  return h.discord.runSlashCommand(
    {
      user,
      ...(where.channel === 'dm'
        ? {}
        : { channel: where.channel ? h.discord.channelByName(where.channel) : general() }),
      ...(where.locale ? { locale: where.locale } : {}),
    },
    'imagine',
    { prompt: 'a lighthouse at dusk', ...options } as never,
  );
}

/** Accepted: a public card and a recorded job. Refused: a private answer, and nothing recorded. */
async function outcome(handle: InteractionHandle): Promise<{ accepted: boolean; text: string }> {
  const first = await handle.waitForResponse();
  const isPrivate = (Number(first.data?.['flags'] ?? 0) & 64) === 64;
  if (isPrivate) return { accepted: false, text: seen(handle) };
  for (let i = 0; i < 200; i++) {
    if (await h.bot.engine.get(handle.id)) return { accepted: true, text: seen(handle) };
    if (handle.original()?.deleted) return { accepted: false, text: seen(handle) };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no outcome for ${handle.id}: ${seen(handle).slice(0, 300)}`);
}

describe('/settings', () => {
  it('is for Manage Server only, and shows the bot’s defaults where the server chose nothing', async () => {
    const member = h.discord.createUser({ username: 'plain-member' });
    const refused = h.discord.runSlashCommand({ user: member, channel: general() }, 'settings show', {});
    expect(await answered(refused)).toContain(t('en-US', 'errors.settings_forbidden'));
    const definition = h.discord.commands().find((c) => c.name === 'settings');
    expect(definition?.default_member_permissions).toBe('32'); // Manage Server
    expect(definition?.dm_permission).toBe(false);

    const shown = await settings('show');
    expect(shown).toContain('Settings of this server');
    expect(shown).toContain('Images per member per day: no limit (the bot’s default)');
    expect(shown).toContain('Everyone');
    expect(shown).toContain('Every channel');
    expect(shown).toContain('Allowed, charged to this server (the bot’s default)');
  });

  it('limits apply to the next request, without a restart', async () => {
    const member = h.discord.createUser({ username: 'limited-member' });
    expect(await settings('limits', { 'member-images-per-day': 3 })).toContain(
      'Saved. It applies from the next request.',
    );
    const tooMany = await outcome(imagine(member, { count: 4 }));
    expect(tooMany.accepted).toBe(false);
    expect(tooMany.text).toContain('You have used 0 of your 3 images for today and this request needs 4');
    expect(tooMany.text).toContain(resetTime(nextDayStart(Date.now())).replace(/\(.*/, '').trim());
    expect((await outcome(imagine(member, { count: 3 }))).accepted).toBe(true);
    expect((await outcome(imagine(member, { count: 1 }))).accepted).toBe(false);

    // A money budget: 2 images at US$0.03 are US$0.06, over a US$0.05 month.
    await settings('limits', { 'member-images-per-day': 0, 'server-budget-usd': 0.05 });
    const budget = await outcome(imagine(member, { count: 2 }));
    expect(budget.accepted).toBe(false);
    expect(budget.text).toContain('monthly budget');
    expect(budget.text).toContain('US$ 0.05');
    expect(budget.text).toContain(`<t:${Math.round(nextMonthStart(Date.now()) / 1000)}:R>`);

    expect(await settings('limits', { reset: true })).toContain('(the bot’s default)');
    expect((await outcome(imagine(member, { count: 4 }))).accepted).toBe(true);
  });

  it('defaults apply to the next /imagine', async () => {
    const member = h.discord.createUser({ username: 'defaults-member' });
    const saved = await settings('defaults', { count: 1, aspect: '1:1', quality: 'standard' });
    expect(saved).toContain('Images: 1');
    const handle = imagine(member, {});
    expect((await outcome(handle)).accepted).toBe(true);
    const job = await h.bot.engine.get(handle.id);
    expect(job?.input.sequential_image_generation_options).toBe(1);
    expect(job?.input.image_size).toBe('2048:2048 (1:1)');
    expect(job?.input.optimize_prompt_options).toBe('standard');
    await settings('defaults', { reset: true });
    const after = imagine(member, {});
    await outcome(after);
    expect((await h.bot.engine.get(after.id))?.input.sequential_image_generation_options).toBe(3);
  });

  it('channels: /imagine only where the server allows it', async () => {
    const art = h.discord.createChannel(h.discord.defaultGuild, { name: 'art' });
    const member = h.discord.createUser({ username: 'channel-member' });
    await settings('channels', { add: { id: art.data.id } });
    const elsewhere = await outcome(imagine(member, { count: 1 }));
    expect(elsewhere.accepted).toBe(false);
    expect(elsewhere.text).toContain(`Images cannot be generated in this channel. Use one of these: <#${art.data.id}>`);
    expect((await outcome(imagine(member, { count: 1 }, { channel: 'art' }))).accepted).toBe(true);
    await settings('channels', { reset: true });
    expect((await outcome(imagine(member, { count: 1 }))).accepted).toBe(true);
  });

  it('roles: only members with an allowed role, and members with Manage Server always', async () => {
    const role = h.discord.createRole(h.discord.defaultGuild, { name: 'artists' });
    const outsider = h.discord.createUser({ username: 'no-role' });
    const artist = h.discord.createUser({ username: 'with-role' });
    h.discord.addMember(h.discord.defaultGuild, { user: artist, roles: [role.id] });
    expect(await settings('roles', { add: { id: role.id } })).toContain(`<@&${role.id}>`);
    const refused = await outcome(imagine(outsider, { count: 1 }));
    expect(refused.accepted).toBe(false);
    expect(refused.text).toContain(`Only members with one of these roles can generate images here: <@&${role.id}>`);
    expect((await outcome(imagine(artist, { count: 1 }))).accepted).toBe(true);
    expect((await outcome(imagine(admin, { count: 1 }))).accepted).toBe(true);
    await settings('roles', { remove: { id: role.id } });
    expect((await outcome(imagine(outsider, { count: 1 }))).accepted).toBe(true);
  });

  it('DMs: charged to the server the member shares with the bot; the server can turn them off', async () => {
    const member = h.discord.createUser({ username: 'dm-member' });
    const stranger = h.discord.createUser({ username: 'dm-stranger' }); // shares no server with the bot
    h.discord.addMember(h.discord.defaultGuild, { user: member });
    const dm = imagine(member, { count: 1 }, { channel: 'dm' });
    expect((await outcome(dm)).accepted).toBe(true);
    expect((await h.bot.engine.get(dm.id))?.reservation?.guildId).toBe(h.discord.defaultGuild.id);
    const lonely = await outcome(imagine(stranger, { count: 1 }, { channel: 'dm' }));
    expect(lonely.accepted).toBe(false);
    expect(lonely.text).toContain(t('en-US', 'errors.dm_not_allowed'));

    expect(await settings('dms', { allowed: false })).toContain('Not allowed');
    const off = await outcome(imagine(member, { count: 1 }, { channel: 'dm' }));
    expect(off.accepted).toBe(false);
    expect(off.text).toContain(t('en-US', 'errors.dm_not_allowed'));
    const usage = await answered(h.discord.runSlashCommand({ user: member }, 'usage', {}));
    expect(usage).toContain(t('en-US', 'usage.no_server'));
    await settings('dms', { allowed: true });
    const usageAgain = await answered(h.discord.runSlashCommand({ user: member }, 'usage', {}));
    expect(usageAgain).toContain('In DMs your generations are charged to the server');
  });
});

describe('every command and reply in the member’s language', () => {
  /** The text of a message up to its first placeholder value, which may be markup. */
  const lead = <K extends MessageKey>(locale: string, key: K, ...params: MessageArgs<K>) =>
    t(locale, key, ...params)
      .split(/<t:|\{/)[0]!
      .slice(0, 40);

  it.each(SUPPORTED_LOCALES)('%s', { timeout: 60_000 }, async (locale) => {
    const member = h.discord.createUser({ username: `speaker-${locale}` });
    const at = { channel: general(), locale };
    const chinese = locale !== 'en-US';
    const check = (text: string, expected: string) => {
      expect(text).toContain(expected);
      if (chinese) expect(text).toMatch(/\p{Script=Han}/u);
    };

    // /imagine: the card, with the estimated cost.
    const job = imagine(member, { count: 2 }, { locale });
    const card = await job.waitForOriginal();
    const cardText = JSON.stringify(card.data.embeds);
    check(cardText, t(locale, 'spending.cost_field'));
    check(cardText, t(locale, 'spending.cost_estimate', { usd: '0.06', count: 2, price: '0.03' }));
    await waitUntil(
      () => h.discord.message(card.data.id)?.data.embeds?.[0]?.title === t(locale, 'card.title.queued') || undefined,
      'the card to say queued',
    );
    const button = h.discord.message(card.data.id)?.data.components?.[0]?.components?.[0];
    expect(button?.label).toBe(t(locale, 'buttons.cancel'));

    // /jobs and /cancel.
    check(
      await answered(h.discord.runSlashCommand({ user: member, ...at }, 'jobs', {})),
      t(locale, 'replies.jobs_title'),
    );
    check(
      await answered(h.discord.runSlashCommand({ user: member, ...at }, 'cancel', { job: job.id })),
      t(locale, 'replies.cancel_cancelled'),
    );

    // /settings (its answers, and a refusal for someone without Manage Server).
    check(await settings('show', {}, locale), t(locale, 'settings.title'));
    check(await settings('limits', { 'member-images-per-day': 1 }, locale), t(locale, 'settings.saved'));
    check(
      await answered(h.discord.runSlashCommand({ user: member, ...at }, 'settings show', {})),
      t(locale, 'errors.settings_forbidden'),
    );

    // A quota refusal, with when it resets.
    const refusal = await outcome(imagine(member, { count: 2 }, { locale }));
    expect(refusal.accepted).toBe(false);
    check(
      refusal.text,
      lead(locale, 'errors.quota_user_daily', { used: 0, limit: 1, requested: 2, left: 1, resets: '<t:0:R>' }),
    );
    expect(refusal.text).toMatch(/<t:\d+:R>/);

    // /usage.
    const usage = await answered(h.discord.runSlashCommand({ user: member, ...at }, 'usage', {}));
    check(usage, t(locale, 'usage.title'));
    check(usage, t(locale, 'usage.you_today'));
    check(usage, t(locale, 'usage.server_month'));
    await settings('limits', { reset: true }, locale);
  });

  it('falls back to the server’s language when the member’s is not one the bot speaks', async () => {
    const guild = h.discord.createGuild({ name: 'taipei', preferredLocale: 'zh-TW' });
    const member = h.discord.createUser({ username: 'french-speaker' });
    const handle = h.discord.runSlashCommand({ user: member, guild, locale: 'fr' }, 'usage', {});
    expect(await answered(handle)).toContain(t('zh-TW', 'usage.title'));
  });

  it('registers /settings and /usage with their zh-TW and zh-CN names and descriptions', () => {
    for (const name of ['settings', 'usage']) {
      const command = h.discord.commands().find((c) => c.name === name)!;
      expect(command.name_localizations?.['zh-TW']).toMatch(/\p{Script=Han}/u);
      expect(command.description_localizations?.['zh-CN']).toMatch(/\p{Script=Han}/u);
    }
  });
});
