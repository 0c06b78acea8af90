/** Calls to the emulators' control APIs (proxied by the sandbox server under /discord and /runcomfy). */
import type { z } from 'zod';

export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(path: string, schema: z.ZodType<T> | null, init?: RequestInit): Promise<T> {
  const response = await fetch(path, {
    ...init,
    headers: { 'content-type': 'application/json' },
    signal: AbortSignal.timeout(10_000),
  });
  const body: unknown = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = typeof body === 'object' && body && 'message' in body ? String(body.message) : response.statusText;
    throw new ControlError(response.status, message);
  }
  return schema ? schema.parse(body) : (body as T);
}

export const getJson = <T>(path: string, schema: z.ZodType<T>) => call(path, schema);
export const postJson = <T>(path: string, body: unknown, schema: z.ZodType<T> | null = null) =>
  call<T>(path, schema, { method: 'POST', body: JSON.stringify(body) });
export const deleteJson = (path: string) => call(path, null, { method: 'DELETE' });
