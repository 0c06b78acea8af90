/** Fault injection: 429s that discord.js waits out, 5xx it retries, slow answers. */
import type { Client, TextChannel } from 'discord.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, type DiscordEmulator, startDiscordEmulator } from '../../../src/emulators/discord/index.js';
import { loginClient, rejectionOf } from './helpers.js';

describe('fault injection', () => {
  let emulator: DiscordEmulator;
  let client: Client<true>;
  let channel: TextChannel;
  let randomValues: number[] = [];
  const clock = createManualClock();

  beforeAll(async () => {
    emulator = await startDiscordEmulator({ clock, random: () => randomValues.shift() ?? 0.99 });
    client = await loginClient(emulator);
    channel = client.channels.cache.get(emulator.channelByName('general').data.id) as TextChannel;
  });

  afterAll(async () => {
    await client?.destroy();
    await emulator?.close();
  });

  beforeEach(() => {
    emulator.faults.clear();
    emulator.state.requestLog.length = 0;
  });

  const statuses = (route: string) => emulator.state.requestLog.filter((r) => r.route === route).map((r) => r.status);

  it('answers 429 with Retry-After, X-RateLimit-* and {retry_after, global}; discord.js waits and retries', async () => {
    const fault = emulator.faults.rateLimit('POST /channels/*/messages', { retryAfterMs: 120, times: 1 });
    const limited: unknown[] = [];
    client.rest.on('rateLimited', (info) => limited.push(info));
    const started = performance.now();
    const message = await channel.send('after the limit');
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    expect(message.content).toBe('after the limit');
    expect(fault.hits).toBe(1);
    expect(limited).toHaveLength(1);
    expect(statuses('POST /channels/:channel/messages')).toEqual([429, 200]);

    // The raw answer, as Discord shapes it.
    emulator.faults.rateLimit('GET /gateway/bot', { retryAfterMs: 250, times: 1 });
    const res = await fetch(`${emulator.apiUrl}/v10/gateway/bot`, {
      headers: { Authorization: `Bot ${emulator.botToken}` },
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('retry-after')).toBe('0.25');
    expect(res.headers.get('x-ratelimit-limit')).toBe('5');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(res.headers.get('x-ratelimit-reset-after')).toBe('0.25');
    expect(res.headers.get('x-ratelimit-bucket')).toBeTruthy();
    expect(res.headers.get('x-ratelimit-scope')).toBe('user');
    expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect(await res.json()).toEqual({ message: 'You are being rate limited.', retry_after: 0.25, global: false });
  });

  it('answers a global 429 with X-RateLimit-Global', async () => {
    emulator.faults.rateLimit(undefined, { global: true, retryAfterMs: 60, times: 1 });
    const res = await fetch(`${emulator.apiUrl}/v10/gateway`);
    expect(res.status).toBe(429);
    expect(res.headers.get('x-ratelimit-global')).toBe('true');
    expect(res.headers.get('x-ratelimit-scope')).toBe('global');
    expect(await res.json()).toMatchObject({ retry_after: 0.06, global: true });
    emulator.faults.rateLimit(undefined, { global: true, retryAfterMs: 60, times: 1 });
    await channel.send('through a global limit');
    expect(emulator.state.requestLog.slice(1).map((r) => r.status)).toEqual([429, 200]);
  });

  it('rate-limits interaction callbacks too, and the response still lands', async () => {
    const fault = emulator.faults.rateLimit('POST /interactions/**', { retryAfterMs: 50, times: 1 });
    client.once('interactionCreate', async (interaction) => {
      if (interaction.isChatInputCommand()) await interaction.reply({ content: 'eventually' });
    });
    const handle = emulator.runSlashCommand({ user: 'u', guild: emulator.defaultGuild.id }, 'ping');
    expect((await handle.waitForOriginal()).data.content).toBe('eventually');
    expect(fault.hits).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the log entry is written as the answer goes out
    expect(statuses('POST /interactions/:interaction/:token/callback')).toEqual([429, 204]);
  });

  it('answers 5xx; discord.js retries a few times, then gives up', async () => {
    emulator.faults.serverError('POST /channels/*/messages', { status: 502, times: 2 });
    await channel.send('after two 502s');
    expect(emulator.state.requestLog.map((r) => r.status)).toEqual([502, 502, 200]);

    emulator.faults.serverError('POST /channels/*/messages', { status: 500 });
    const error = await rejectionOf(() => channel.send('never'));
    expect(error.status).toBe(500);
  });

  it('hits at random with a probability', async () => {
    randomValues = [0.1, 0.9, 0.2];
    emulator.faults.serverError('GET /channels/:channel', { status: 503, probability: 0.5 });
    const codes: number[] = [];
    for (let i = 0; i < 3; i++)
      codes.push(
        (
          await fetch(`${emulator.apiUrl}/v10/channels/${channel.id}`, {
            headers: { Authorization: `Bot ${emulator.botToken}` },
          })
        ).status,
      );
    expect(codes).toEqual([503, 200, 503]);
  });

  it('slows answers down', async () => {
    emulator.faults.slow('POST /channels/*/messages', 200, { times: 1 });
    const started = performance.now();
    await channel.send('slow');
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(emulator.state.requestLog[0]!.fault).toBe('slow');
  });

  it('a callback slowed past 3 s on the clock is too late (10062)', async () => {
    const handleErrors: unknown[] = [];
    const deferred = new Promise<void>((resolve) => {
      client.once('interactionCreate', async (interaction) => {
        if (interaction.isChatInputCommand())
          await interaction.deferReply().catch((e: unknown) => handleErrors.push(e));
        resolve();
      });
    });
    emulator.faults.slow('POST /interactions/**', 150, { times: 1 });
    const handle = emulator.runSlashCommand({ user: 'u', guild: emulator.defaultGuild.id }, 'slow');
    // While the callback is held up in transit, 3 s pass on Discord's clock.
    await new Promise((resolve) => setTimeout(resolve, 50));
    clock.advance(3_001);
    await deferred;
    expect(handle.response).toBeUndefined();
    expect((handleErrors[0] as { code: number }).code).toBe(10062);
  });
});
