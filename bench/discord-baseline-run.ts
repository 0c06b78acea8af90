/**
 * Child of bench/discord.bench.ts: the least work that moves a finished set from RunComfy to
 * Discord on the same loopback, to compare the bot's delivery with. It downloads every file
 * with undici into memory (all at once), packs them into messages exactly as Discord requires
 * (≤ 10 attachments and ≤ 25 MiB per request) and posts the messages in order with
 * discord.js's REST client (the same client and global rate limit the bot uses), the files
 * either as discord.js encodes them or as one multipart buffer like the bot (the order says
 * which). No disk, no store, no embeds, no retries.
 */
import { type RawFile, REST, Routes } from 'discord.js';
import { request } from 'undici';
import { multipartRequest } from '../src/discord/multipart.js';
import {
  type BaselineMessage,
  type BaselineOrder,
  type BaselinePost,
  type BaselineRunOrder,
  epochNow,
  stoppedReport,
} from './discord-shared.js';

const ATTACHMENTS_PER_MESSAGE = 10;
const REQUEST_BYTES = 25 * 1024 * 1024;
/** Room for the JSON part and the multipart framing. */
const REQUEST_MARGIN_BYTES = 64 * 1024;

const send = (message: BaselineMessage) => process.send?.(message);
const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

let rest: REST | undefined;

async function download(url: string): Promise<Buffer> {
  const response = await request(url);
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new Error(`${url} answered ${response.statusCode}`);
  }
  return Buffer.from(await response.body.arrayBuffer());
}

/** Consecutive groups of at most 10 files and at most 25 MiB (less the margin) each. */
export function packBaseline(sizes: readonly number[]): number[][] {
  const budget = REQUEST_BYTES - REQUEST_MARGIN_BYTES;
  const parts: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const [index, size] of sizes.entries()) {
    if (current.length > 0 && (current.length >= ATTACHMENTS_PER_MESSAGE || bytes + size > budget)) {
      parts.push(current);
      current = [];
      bytes = 0;
    }
    current.push(index);
    bytes += size;
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

async function run(order: BaselineRunOrder): Promise<void> {
  if (!rest) throw new Error('baseline child not initialised');
  const startedAt = epochNow();
  const cpu = process.cpuUsage();
  const data = await Promise.all(order.urls.map(download));
  const downloadedAt = epochNow();
  const posts: BaselinePost[] = [];
  for (const part of packBaseline(data.map((d) => d.length))) {
    const files: RawFile[] = part.map((index) => ({
      name: `baseline-${order.tag}-${index + 1}.jpg`,
      data: data[index]!,
      contentType: 'image/jpeg',
    }));
    const postStarted = epochNow();
    const body = { attachments: files.map((file, id) => ({ id, filename: file.name })) };
    await rest.post(
      Routes.channelMessages(order.channelId),
      order.encoder === 'buffer' ? multipartRequest(body, files) : { body, files },
    );
    posts.push({
      files: files.length,
      bytes: part.reduce((sum, index) => sum + data[index]!.length, 0),
      startedAt: postStarted,
      endedAt: epochNow(),
    });
  }
  send({
    type: 'done',
    tag: order.tag,
    startedAt,
    downloadedAt,
    endedAt: epochNow(),
    bytes: data.reduce((sum, d) => sum + d.length, 0),
    posts,
    cpuMs: cpuMs(process.cpuUsage(cpu)),
  });
}

process.on('message', (order: BaselineOrder) => {
  switch (order.type) {
    case 'init':
      rest = new REST({ api: order.apiUrl }).setToken(order.token);
      send({ type: 'ready' });
      return;
    case 'run':
      run(order).catch((error: unknown) => {
        console.error('baseline run failed:', error);
        process.exit(1);
      });
      return;
    case 'stop':
      process.send?.(stoppedReport({ total: 0, warn: 0, error: 0, samples: [] }), () => process.exit(0));
      return;
  }
});
send({ type: 'alive' });
