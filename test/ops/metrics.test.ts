/**
 * /metrics of the real bot against both emulators: three sets through a cap of one job in
 * flight (so the fair queue fills), one Discord 429 on the way. Scraped while jobs wait and
 * after all are delivered: every listed metric is there with figures that fit the run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type BotHarness, createBotHarness } from '../helpers/bot-harness.js';
import { waitForCardTitle, waitUntil } from '../helpers/discord-waits.js';
import { freePort } from '../helpers/free-port.js';

let h: BotHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** `name{labels} value` lines of a Prometheus text page, as a lookup. */
function parse(text: string) {
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of match[2]?.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g) ?? []) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  const find = (name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  const value = (name: string, labels: Record<string, string> = {}) => {
    const found = find(name, labels);
    if (found.length !== 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${found.length} samples`);
    return found[0]!.value;
  };
  const sum = (name: string, labels: Record<string, string> = {}) =>
    find(name, labels).reduce((a, s) => a + s.value, 0);
  return { samples, find, value, sum };
}

async function scrape(url: string) {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return parse(await response.text());
}

describe('/metrics', () => {
  it('shows jobs by state and outcome, the fair queue, calls to both APIs, 429s, timings and spending per server', {
    timeout: 60_000,
  }, async () => {
    h = await createBotHarness({
      runcomfy: { queueMs: 300, runMs: 1500 },
      env: { METRICS_PORT: String(await freePort()), MAX_JOBS_IN_FLIGHT: '1' },
    });
    const url = h.bot.opsUrl!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const channel = h.discord.channelByName('general');
    const guildId = channel.data.guild_id!;
    h.discord.faults.rateLimit('POST /channels/*/messages', { retryAfterMs: 50, times: 1 });
    const counts = [2, 3, 1];
    const handles = counts.map((count, i) =>
      h!.discord.runSlashCommand({ user: h!.discord.createUser({ username: `m${i}` }), channel }, 'imagine', {
        prompt: `metrics set ${i}`,
        count,
      }),
    );
    const cards = await Promise.all(handles.map((handle) => handle.waitForOriginal()));

    // While one job is at RunComfy the others wait in the fair queue.
    let mid: Awaited<ReturnType<typeof scrape>> | undefined;
    for (let i = 0; i < 100 && !mid; i++) {
      const page = await scrape(url);
      if (page.value('seedream_fair_queue_depth') >= 1) mid = page;
      else await new Promise((resolve) => setTimeout(resolve, 30));
    }
    expect(mid, 'a scrape while jobs waited').toBeDefined();
    expect(mid!.value('seedream_jobs_in_flight')).toBe(1);
    expect(mid!.value('seedream_jobs', { state: 'waiting' })).toBe(mid!.value('seedream_fair_queue_depth'));

    for (const card of cards) await waitForCardTitle(h.discord, card.data.id, 'Done', 40_000);
    await waitUntil(() => h!.bot.engine.inFlightCount === 0 && !h!.bot.engine.busy, 'the engine to go quiet');
    const m = await scrape(url);

    // Default process metrics.
    expect(m.value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(m.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(1_000_000);
    // Jobs by state (every unfinished state listed, none left) and by outcome.
    for (const state of ['waiting', 'submitted', 'queued', 'running', 'fetching', 'delivering']) {
      expect(m.value('seedream_jobs', { state })).toBe(0);
    }
    expect(m.value('seedream_jobs_ended_total', { outcome: 'delivered' })).toBe(3);
    for (const outcome of ['cancelled', 'failed', 'timed_out', 'expired']) {
      expect(m.value('seedream_jobs_ended_total', { outcome })).toBe(0);
    }
    expect(m.value('seedream_fair_queue_depth')).toBe(0);
    expect(m.value('seedream_jobs_in_flight')).toBe(0);
    // The emulator made every image at the size asked for.
    expect(m.value('seedream_image_size_mismatches_total')).toBe(0);
    // Time to the first answer of each /imagine: three, each well inside Discord's 3 s.
    expect(m.value('seedream_interaction_first_response_seconds_count', { kind: 'command' })).toBe(3);
    expect(m.value('seedream_interaction_first_response_seconds_sum', { kind: 'command' })).toBeLessThan(3 * 3);
    // Queue waits: the jobs behind the cap waited in the bot's queue for the first ones' whole runs.
    expect(m.value('seedream_job_queue_wait_seconds_count', { queue: 'bot' })).toBe(3);
    expect(m.value('seedream_job_queue_wait_seconds_sum', { queue: 'bot' })).toBeGreaterThan(2 * 1.5);
    expect(m.value('seedream_job_queue_wait_seconds_count', { queue: 'runcomfy' })).toBe(3);
    expect(m.value('seedream_job_queue_wait_seconds_sum', { queue: 'runcomfy' })).toBeGreaterThan(3 * 0.2);
    // Generation: the emulator runs each for 1.5 s (plus per image); polls see most of it.
    const generated = m.value('seedream_job_generation_seconds_count');
    expect(generated).toBeGreaterThanOrEqual(1);
    expect(m.value('seedream_job_generation_seconds_sum') / generated).toBeGreaterThan(0.5);
    expect(m.value('seedream_job_delivery_seconds_count')).toBe(3);
    // RunComfy calls by endpoint and status.
    expect(m.value('seedream_runcomfy_requests_total', { endpoint: 'submit', status: '200' })).toBe(3);
    expect(m.sum('seedream_runcomfy_requests_total', { endpoint: 'status' })).toBeGreaterThanOrEqual(3);
    expect(m.sum('seedream_runcomfy_requests_total', { endpoint: 'result' })).toBeGreaterThanOrEqual(3);
    expect(m.sum('seedream_runcomfy_requests_total', { endpoint: 'model_info' })).toBeGreaterThanOrEqual(1);
    expect(m.value('seedream_runcomfy_request_seconds_count', { endpoint: 'submit' })).toBe(3);
    // Discord REST calls: the interaction callbacks, the result posts (one of them refused with a 429 first).
    expect(
      m.value('seedream_discord_requests_total', {
        client: 'bot',
        method: 'POST',
        route: '/interactions/:id/:token/callback',
        status: '200',
      }),
    ).toBeGreaterThanOrEqual(3);
    expect(
      m.sum('seedream_discord_requests_total', { method: 'POST', route: '/channels/:id/messages', status: '200' }),
    ).toBeGreaterThanOrEqual(3);
    expect(m.sum('seedream_discord_requests_total', { route: '/channels/:id/messages', status: '429' })).toBe(1);
    expect(m.value('seedream_discord_429_total', { scope: 'user' })).toBe(1);
    expect(m.find('seedream_discord_rate_limit_waits_total')).toHaveLength(2);
    // Route labels carry no id and no token.
    const routes = new Set(m.find('seedream_discord_requests_total').map((s) => s.labels.route!));
    expect([...routes].some((r) => r.startsWith('/webhooks/:id/:token/'))).toBe(true);
    for (const route of routes) expect(route).toMatch(/^(\/([a-z@_-]+|:id|:token|:emoji))+$/);
    // Spending per server this month: this server by id (6 images at the emulator's price), "other" empty.
    expect(m.value('seedream_guild_month_images', { guild: guildId })).toBe(6);
    expect(m.value('seedream_guild_month_spend_usd', { guild: guildId })).toBeGreaterThan(0);
    expect(m.value('seedream_guild_month_images', { guild: 'other' })).toBe(0);
    expect(m.value('seedream_guild_month_spend_usd', { guild: 'other' })).toBe(0);
  });

  it('/healthz answers, unknown paths are 404, and without METRICS_PORT there is no server', {
    timeout: 30_000,
  }, async () => {
    h = await createBotHarness({ env: { METRICS_PORT: String(await freePort()) } });
    const url = h.bot.opsUrl!;
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok\n');
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { store: 'ok', gateway: 'connected' } });
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
    await h.close();
    h = await createBotHarness();
    expect(h.bot.opsUrl).toBeUndefined();
  });
});
