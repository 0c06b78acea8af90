/**
 * Card edits through the interaction's webhook are not held by discord.js's global limit of
 * 50 requests a second (Discord exempts interaction endpoints): real discord.js REST over
 * real HTTP, counting the limiter's own `rateLimited` events rather than timing anything.
 */
import { type RateLimitData, REST } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordApi, interactionRestClient } from '../../src/discord/discord-api.js';
import type { CardMessage } from '../../src/discord/status-card.js';
import { jobFixture } from '../helpers/job-fixture.js';
import { type LocalServer, startLocalServer } from '../helpers/local-server.js';

let local: LocalServer;
let patches = 0;

beforeAll(async () => {
  local = await startLocalServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'PATCH') patches++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"1"}');
    });
  });
});

afterAll(async () => {
  await local.close();
});

const EDITS = 120;
const card = { embeds: [], components: [] } as unknown as CardMessage;

/** 120 cards of 120 jobs, each edited once through its live interaction token, all at once. */
async function editAll(api: DiscordApi): Promise<RateLimitData[]> {
  const limited: RateLimitData[] = [];
  for (const rest of new Set([api.rest, api.interactionRest])) rest.on('rateLimited', (info) => limited.push(info));
  const now = Date.now();
  await Promise.all(
    Array.from({ length: EDITS }, (_, i) =>
      api.editCard(
        jobFixture({ id: String(1_000 + i), surface: { interactionToken: `token-${i}`, interactionAt: now } }),
        card,
      ),
    ),
  );
  return limited;
}

describe('interaction endpoints and the global limit', () => {
  it('sends 120 card edits without waiting on the global limit', async () => {
    const rest = new REST({ api: `${local.url}/api` }).setToken('bot-token');
    patches = 0;
    const limited = await editAll(new DiscordApi(rest, 'app', Date.now, interactionRestClient(`${local.url}/api`)));
    expect(patches).toBe(EDITS);
    expect(limited.filter((info) => info.global)).toEqual([]);
  });

  it('(control) the same edits on the bot client do wait on it', async () => {
    const rest = new REST({ api: `${local.url}/api` }).setToken('bot-token');
    patches = 0;
    const limited = await editAll(new DiscordApi(rest, 'app'));
    expect(patches).toBe(EDITS);
    expect(limited.some((info) => info.global)).toBe(true);
  });
});
