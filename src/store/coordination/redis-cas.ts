/**
 * Atomic multi-key compare-and-set on Redis: the one primitive every cross-process invariant
 * of the bot rests on (quota reservation, active limits, the global in-flight cap, the fair
 * queue, job records fenced by their lease). A transaction reads raw values, decides in
 * TypeScript, and commits with this script only if nothing it read has changed since; else
 * it reads again and retries. Redis runs a script alone, so the check and the writes are one
 * step for every process: optimistic concurrency (what WATCH/MULTI gives) in one round trip.
 */
import { createHash } from 'node:crypto';

/**
 * ARGV: nFences, then per fence (key index, value that key must hold);
 *       nCompares, then per compare (key index, value it must still hold, '' = absent);
 *       nWrites, then per write (key index, new value or '' = delete, time to live in ms or 0).
 * Returns 1 committed, 0 something read has changed (retry), -1 a fence failed (lease lost).
 */
export const CAS_SCRIPT = `
local i = 1
local nf = tonumber(ARGV[i]); i = i + 1
for _ = 1, nf do
  local current = redis.call('GET', KEYS[tonumber(ARGV[i])])
  if current ~= ARGV[i + 1] then return -1 end
  i = i + 2
end
local nc = tonumber(ARGV[i]); i = i + 1
for _ = 1, nc do
  local current = redis.call('GET', KEYS[tonumber(ARGV[i])])
  local expected = ARGV[i + 1]
  if expected == '' then
    if current then return 0 end
  elseif current ~= expected then
    return 0
  end
  i = i + 2
end
local nw = tonumber(ARGV[i]); i = i + 1
for _ = 1, nw do
  local key = KEYS[tonumber(ARGV[i])]
  local value = ARGV[i + 1]
  local ttl = tonumber(ARGV[i + 2])
  if value == '' then
    redis.call('DEL', key)
  elseif ttl > 0 then
    redis.call('SET', key, value, 'PX', ttl)
  else
    redis.call('SET', key, value)
  end
  i = i + 3
end
return 1
`;

export const CAS_SHA = createHash('sha1').update(CAS_SCRIPT).digest('hex');

export interface CasWrite {
  key: string;
  /** undefined: delete. */
  value: string | undefined;
  ttlMs: number | undefined;
}

/** Builds the script's KEYS and ARGV. `compares` maps a key to the raw value read (undefined: absent). */
export function casArguments(
  fences: ReadonlyMap<string, string>,
  compares: ReadonlyMap<string, string | undefined>,
  writes: readonly CasWrite[],
): { keys: string[]; args: string[] } {
  const keys: string[] = [];
  const indexOf = new Map<string, number>();
  const slot = (key: string): string => {
    let index = indexOf.get(key);
    if (index === undefined) {
      keys.push(key);
      index = keys.length;
      indexOf.set(key, index);
    }
    return String(index);
  };
  const args: string[] = [String(fences.size)];
  for (const [key, value] of fences) args.push(slot(key), value);
  args.push(String(compares.size));
  for (const [key, raw] of compares) args.push(slot(key), raw ?? '');
  args.push(String(writes.length));
  for (const write of writes) {
    args.push(slot(write.key), write.value ?? '', String(write.ttlMs && write.ttlMs > 0 ? Math.ceil(write.ttlMs) : 0));
  }
  return { keys, args };
}
