/** RunComfy's answers are read up to a cap, over real sockets: a huge body fails typed, unread, and is not retried. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunComfyClient } from '../../src/runcomfy/client.js';
import { RunComfyResponseTooLargeError } from '../../src/runcomfy/errors.js';
import { type LocalServer, startLocalServer } from '../helpers/local-server.js';

const CAP = 64 * 1024;
let local: LocalServer;
let requests = 0;

/** A valid status answer padded with a huge extra field: the shape fits, only the size is wrong. */
function hugeStatus(bytes: number): Buffer {
  return Buffer.from(JSON.stringify({ request_id: 'r1', status: 'in_queue', pad: 'x'.repeat(bytes) }));
}

beforeAll(async () => {
  local = await startLocalServer((req, res) => {
    requests++;
    const body = hugeStatus(4 * 1024 * 1024);
    if (req.url?.includes('/declared/')) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked: no length to refuse up front
    }
    // Written piece by piece, so a client that stops reading stops the transfer.
    let at = 0;
    const pump = () => {
      while (at < body.length) {
        const piece = body.subarray(at, at + 16 * 1024);
        at += piece.length;
        if (!res.write(piece)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('error', () => undefined);
    pump();
  });
});
afterAll(async () => {
  await local.close();
});

function client(): RunComfyClient {
  return new RunComfyClient({
    baseUrl: local.url,
    token: 't',
    timeoutMs: 5_000,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    maxBodyBytes: CAP,
  });
}

describe('RunComfy body cap', () => {
  it.each(['declared', 'chunked'])('a %s 4 MiB answer is RunComfyResponseTooLargeError, asked once', async (kind) => {
    requests = 0;
    const c = client();
    try {
      const error = await c.status(`${kind}/x`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RunComfyResponseTooLargeError);
      expect((error as RunComfyResponseTooLargeError).code).toBe('runcomfy_response_too_large');
      expect(requests).toBe(1);
    } finally {
      await c.close();
    }
  });

  it('answers under the cap still parse', async () => {
    const c = new RunComfyClient({ baseUrl: local.url, token: 't', maxBodyBytes: 8 * 1024 * 1024 });
    try {
      await expect(c.status('declared/ok')).resolves.toMatchObject({ status: 'in_queue' });
    } finally {
      await c.close();
    }
  });
});
