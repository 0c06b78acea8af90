/**
 * `/_emulator/…` on the RunComfy emulator (with `controlApi: true`): what a sandbox page needs
 * to watch the jobs and make the service misbehave on purpose.
 *
 *   GET    /_emulator/state    timing, jobs (newest first), armed faults, the last API calls
 *   POST   /_emulator/timing   {queueMs?, baseRunMs?, perImageMs?}  for jobs submitted from now on
 *   POST   /_emulator/faults   a FaultSpec (see types.ts), e.g. {kind:'rate-limit', route:'status', times:3}
 *   DELETE /_emulator/faults   disarms every fault
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { FaultSpec, RunComfyEmulator } from './types.js';

export const CONTROL_PREFIX = '/_emulator/';
const MAX_CONTROL_BODY = 64 * 1024;
const RECENT_CALLS = 40;

const route = z.enum(['submit', 'status', 'result', 'cancel', 'model', 'file']);
const target = {
  route: route.optional(),
  requestId: z.string().optional(),
  times: z.int().min(1).max(1000).optional(),
};
/** The faults a panel may arm; the rest of FaultSpec stays for tests in code. */
const faultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('rate-limit'), retryAfterSeconds: z.number().min(0).nullable().optional(), ...target }),
  z.object({ kind: z.literal('server-error'), status: z.int().min(500).max(599).optional(), ...target }),
  z.object({ kind: z.literal('slow'), delayMs: z.int().min(0).max(60_000), ...target }),
  z.object({ kind: z.literal('connection-reset'), afterProcessing: z.boolean().optional(), ...target }),
  z.object({ kind: z.literal('malformed-json'), ...target }),
  z.object({ kind: z.literal('job-fails'), error: z.unknown().optional(), ...target }),
  z.object({ kind: z.literal('fewer-images'), count: z.int().min(0).max(15), ...target }),
  z.object({ kind: z.literal('image-404'), index: z.int().min(0).max(14), ...target }),
]);
const timingSchema = z.object({
  queueMs: z.number().min(0).max(3_600_000).optional(),
  baseRunMs: z.number().min(0).max(3_600_000).optional(),
  perImageMs: z.number().min(0).max(600_000).optional(),
});

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_CONTROL_BODY) throw new Error('body too large');
    chunks.push(chunk);
  }
  return chunks.length === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export function createControlHandler(emulator: RunComfyEmulator) {
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const method = req.method ?? 'GET';
    const name = path.split('?')[0];
    try {
      if (method === 'GET' && name === 'state') {
        const jobs = emulator.jobs().sort((a, b) => b.index - a.index);
        send(res, 200, {
          timing: emulator.timing(),
          jobs,
          faults: emulator.pendingFaults(),
          calls: emulator.calls.slice(-RECENT_CALLS),
          totalCalls: emulator.calls.length,
        });
        return;
      }
      if (method === 'POST' && name === 'timing') {
        emulator.setTiming(timingSchema.parse(await readJson(req)));
        send(res, 200, { timing: emulator.timing() });
        return;
      }
      if (method === 'POST' && name === 'faults') {
        const fault = faultSchema.parse(await readJson(req)) as FaultSpec;
        emulator.inject(fault);
        send(res, 200, { faults: emulator.pendingFaults() });
        return;
      }
      if (method === 'DELETE' && name === 'faults') {
        emulator.clearFaults();
        send(res, 200, { faults: [] });
        return;
      }
      send(res, 404, { message: 'Unknown control route' });
    } catch (error) {
      const message = error instanceof z.ZodError ? z.prettifyError(error) : String((error as Error).message ?? error);
      send(res, 400, { message });
    }
  };
}
