/** Reading RunComfy's answer bodies: capped in size, and JSON when they are JSON. */
import type { Dispatcher } from 'undici';
import { RunComfyResponseTooLargeError } from './errors.js';

/**
 * The body as text, at most `max` bytes: a declared length over it is refused unread, and a
 * stream that passes it is cut off (undici's own `text()` would buffer any size).
 */
export async function readCapped(
  body: Dispatcher.ResponseData['body'],
  declared: string | string[] | undefined,
  max: number,
  about: { status: number; requestId: string | undefined; route: string },
): Promise<string> {
  const tooLarge = (size: string) =>
    new RunComfyResponseTooLargeError(`RunComfy's answer to ${about.route} is ${size}, over ${max} bytes`, {
      status: about.status,
      requestId: about.requestId,
      params: { max },
    });
  const length = Number(Array.isArray(declared) ? declared[0] : declared);
  if (Number.isFinite(length) && length > max) {
    body.destroy();
    throw tooLarge(`${length} bytes`);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of body) {
    received += (chunk as Buffer).length;
    if (received > max) {
      body.destroy();
      throw tooLarge('larger');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, received).toString('utf8');
}

export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
