/**
 * Child of bench/discord.bench.ts: the least work that moves a finished set from RunComfy to
 * Discord on the same loopback, to compare the bot's delivery with. It downloads every file
 * with undici into memory (all at once), packs them into messages exactly as Discord requires
 * (≤ 10 attachments and ≤ 25 MiB per request) and posts the messages in order with
 * discord.js's REST client (the same client and global rate limit the bot uses), the files
 * held and sent as the order's encoder says (BASELINE_ENCODERS). No disk, no store, no embeds,
 * no retries.
 */
import { type RawFile, REST, Routes } from 'discord.js';
import { Agent, request } from 'undici';
import { MultipartBody, multipartRequest, sendRestRequest, type UploadFile } from '../src/discord/multipart.js';
import { byteLength } from '../src/util/bytes.js';
import {
  type BaselineMessage,
  type BaselineOrder,
  type BaselinePost,
  type BaselineRunOrder,
  epochNow,
  gcRecorder,
  stoppedReport,
} from './discord-shared.js';

const ATTACHMENTS_PER_MESSAGE = 10;
const REQUEST_BYTES = 25 * 1024 * 1024;
/** Room for the JSON part and the multipart framing. */
const REQUEST_MARGIN_BYTES = 64 * 1024;

const send = (message: BaselineMessage) => process.send?.(message);
const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

const gc = gcRecorder();
let rest: REST | undefined;
/** The same, sending with the bot's request function (multipart bodies as their pieces). */
let restPieces: REST | undefined;

/** The whole file in one buffer (`pieces`: the chunks as they arrived). */
async function download(url: string, pieces: boolean, dispatcher: Agent): Promise<Buffer | Buffer[]> {
  const response = await request(url, { dispatcher });
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new Error(`${url} answered ${response.statusCode}`);
  }
  if (!pieces) return Buffer.from(await response.body.arrayBuffer());
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    response.body.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.body.once('end', resolve);
    response.body.once('error', reject);
  });
  return chunks;
}

/** The multipart body joined into one buffer, as discord.js sends a pass-through body. */
function inOneBuffer<T extends { body?: unknown }>(request: T): T {
  return request.body instanceof MultipartBody ? { ...request, body: request.body.toBuffer() } : request;
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
  if (!rest || !restPieces) throw new Error('baseline child not initialised');
  const startedAt = epochNow();
  const cpu = process.cpuUsage();
  const pieces = order.encoder === 'pieces';
  // New connections for every run, as the bot's download has (its last one, a round earlier,
  // is past undici's 4 s keep-alive; and a CDN is seldom called twice within it in production).
  const downloads = new Agent();
  const data = await Promise.all(order.urls.map((url) => download(url, pieces, downloads)));
  void downloads.close();
  const downloadedAt = epochNow();
  const posts: BaselinePost[] = [];
  const sizes = data.map(byteLength);
  for (const part of packBaseline(sizes)) {
    const files: UploadFile[] = part.map((index) => ({
      name: `baseline-${order.tag}-${index + 1}.jpg`,
      data: data[index]!,
      contentType: 'image/jpeg',
    }));
    const postStarted = epochNow();
    const body = { attachments: files.map((file, id) => ({ id, filename: file.name })) };
    if (order.encoder === 'discordjs') {
      await rest.post(Routes.channelMessages(order.channelId), { body, files: files as RawFile[] });
    } else if (order.encoder === 'buffer') {
      await rest.post(Routes.channelMessages(order.channelId), inOneBuffer(multipartRequest(body, files)));
    } else {
      await restPieces.post(Routes.channelMessages(order.channelId), multipartRequest(body, files));
    }
    posts.push({
      files: files.length,
      bytes: part.reduce((sum, index) => sum + sizes[index]!, 0),
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
    bytes: sizes.reduce((sum, size) => sum + size, 0),
    posts,
    cpuMs: cpuMs(process.cpuUsage(cpu)),
    gcMs: gc.msWithin(startedAt, epochNow()),
  });
}

process.on('message', (order: BaselineOrder) => {
  switch (order.type) {
    case 'init':
      rest = new REST({ api: order.apiUrl }).setToken(order.token);
      restPieces = new REST({ api: order.apiUrl, makeRequest: sendRestRequest }).setToken(order.token);
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
