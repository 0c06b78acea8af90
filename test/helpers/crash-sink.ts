/**
 * What the kill -9 tests share: a sink that receives the deliverer's posts and dedupes on the
 * nonce like Discord's enforce_nonce, the jobs as the store has them, and the check that every
 * job ended exactly once (delivered with each part posted once, or ended saying why with
 * nothing posted).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { isTerminal, type JobRecord } from '../../src/engine/job.js';
import { JobRepository } from '../../src/store/job-repository.js';
import { openStore } from '../../src/store/store.js';

export interface SinkMessage {
  jobId: string;
  key: string;
  nonce: string;
  images: number;
}

/** Receives the deliverer's posts; dedupes on the nonce like Discord's enforce_nonce. */
export async function startSink(): Promise<{
  server: Server;
  url: string;
  messages: Map<string, SinkMessage & { id: string }>;
  attempts: number;
}> {
  const sink = { messages: new Map<string, SinkMessage & { id: string }>(), attempts: 0 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      sink.attempts++;
      const message = JSON.parse(body) as SinkMessage;
      let stored = sink.messages.get(message.nonce);
      if (!stored) {
        stored = { ...message, id: `msg-${sink.messages.size + 1}` };
        sink.messages.set(message.nonce, stored);
      }
      // The message exists from here on; the answer comes late, so some kills land between a
      // post and its record (the restart must re-post with the same nonce, never a new one).
      // Slow enough that delivering lasts across a kill even where adoption waits out a lease.
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: stored.id }));
      }, 400);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(sink, { server, url });
}

/** The jobs' records as stored now (`prefix` undefined: the bot's own default prefix). */
export async function readJobs(
  storeUrl: string,
  prefix: string | undefined,
  ids: string[],
): Promise<Array<JobRecord | undefined>> {
  const store = await openStore({ url: storeUrl, ...(prefix === undefined ? {} : { prefix }) });
  try {
    const jobs = new JobRepository(store);
    return await Promise.all(ids.map((id) => jobs.get(id)));
  } finally {
    await store.close();
  }
}

export type Sink = Awaited<ReturnType<typeof startSink>>;

/** Every job ended exactly once; returns how many were delivered. */
export function assertEachJobOnce(jobs: Array<JobRecord | undefined>, sink: Sink): number {
  const byJob = new Map<string, Array<SinkMessage & { id: string }>>();
  for (const message of sink.messages.values()) {
    byJob.set(message.jobId, [...(byJob.get(message.jobId) ?? []), message]);
  }
  let delivered = 0;
  for (const job of jobs) {
    expect(job, 'every job exists').toBeDefined();
    expect(isTerminal(job!.state), `job ${job!.id} ended (is ${job!.state})`).toBe(true);
    const messages = byJob.get(job!.id) ?? [];
    if (job!.state === 'delivered') {
      delivered++;
      const parts = Object.entries(job!.delivery);
      // Exactly one message per part, each the one the record names.
      expect(messages.map((m) => m.key).sort()).toEqual(parts.map(([key]) => key).sort());
      expect(new Set(messages.map((m) => m.key)).size).toBe(messages.length);
      for (const [key, step] of parts) expect(messages.find((m) => m.key === key)?.id).toBe(step.result);
      expect(messages.reduce((n, m) => n + m.images, 0)).toBe(job!.imageUrls.length - job!.missingImages.length);
    } else {
      // Not delivered: it says why, and nothing of it was posted.
      expect(job!.failure?.code, `job ${job!.id} in ${job!.state} says why`).toBeTruthy();
      expect(messages).toEqual([]);
    }
  }
  return delivered;
}
