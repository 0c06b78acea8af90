/**
 * A stand-in for the RunComfy emulator's edit-sequential model, until the emulator has it (being
 * added in another branch): a proxy on 127.0.0.1 that takes the edit model's submit, records
 * its body, and passes it on to the real emulator's sequential model without `images`; every
 * other call (status, result, image files) is passed through as is.
 * INTEGRATOR: once src/emulators/runcomfy implements edit-sequential, point the test at the
 * emulator itself and delete this file.
 */
import type { IncomingMessage } from 'node:http';
import type { RunComfyEmulator } from '../../src/emulators/runcomfy/index.js';
import { type LocalServer, startLocalServer } from '../helpers/local-server.js';

export const EDIT_MODEL_PATH = '/v1/models/bytedance/seedream-4-0/edit-sequential';
const SEQUENTIAL_PATH = '/v1/models/bytedance/seedream-4-0/sequential';

export interface EditModelStub extends LocalServer {
  /** The bodies the edit model's submit received, as sent. */
  editSubmits: Array<Record<string, unknown>>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startEditModelStub(emulator: RunComfyEmulator): Promise<EditModelStub> {
  const editSubmits: Array<Record<string, unknown>> = [];
  const server = await startLocalServer((req, res) => {
    void (async () => {
      let path = req.url ?? '/';
      let body: Buffer | undefined = req.method === 'GET' ? undefined : await readBody(req);
      if (req.method === 'POST' && path === EDIT_MODEL_PATH) {
        const input = JSON.parse(body!.toString('utf8')) as Record<string, unknown>;
        editSubmits.push(input);
        const { images: _images, ...sequential } = input;
        body = Buffer.from(JSON.stringify(sequential));
        path = SEQUENTIAL_PATH;
      }
      const headers: Record<string, string> = {};
      for (const name of ['authorization', 'content-type']) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const answer = await fetch(`${emulator.url}${path}`, {
        method: req.method ?? 'GET',
        headers,
        ...(body ? { body: new Uint8Array(body) } : {}),
      });
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await answer.arrayBuffer()));
    })().catch((error: unknown) => {
      res.writeHead(502);
      res.end(String(error));
    });
  });
  return Object.assign(server, { editSubmits });
}
