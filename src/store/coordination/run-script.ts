/**
 * Lua scripts on Redis, sent by their SHA1 (EVALSHA): a call carries a few dozen bytes
 * instead of the script's text, and Redis does not hash the text again on every call. A
 * Redis that does not know the script (restarted, flushed) gets its text once (EVAL).
 */
import { createHash } from 'node:crypto';
import type { RawRedis, StoreScript } from '../store-types.js';

export function storeScript(text: string): StoreScript {
  return { text, sha: createHash('sha1').update(text).digest('hex') };
}

export async function runStoreScript(
  client: RawRedis,
  script: StoreScript,
  keys: string[],
  args: string[],
): Promise<unknown> {
  try {
    return await client.evalSha(script.sha, { keys, arguments: args });
  } catch (error) {
    if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
    return client.eval(script.text, { keys, arguments: args });
  }
}
