/**
 * Atomic multi-key compare-and-set on Redis: the one primitive every cross-process invariant
 * of the bot rests on (quota reservation, active limits, the global in-flight cap, the fair
 * queue, job records fenced by their lease). A transaction reads raw values, decides in
 * TypeScript, and commits with this script only if nothing it read has changed since; else
 * it reads again and retries. Redis runs a script alone, so the check and the writes are one
 * step for every process: optimistic concurrency (what WATCH/MULTI gives) in one round trip.
 */
import { LUA_RECORDS } from './lua-records.js';
import { storeScript } from './run-script.js';

/**
 * ARGV: nFences, then per fence (key index, value that key must hold);
 *       nCompares, then per compare (key index, value it must still hold, '' = absent);
 *       nWrites, then per write (key index, new value or '' = delete, time to live in ms or 0);
 *       now (epoch ms), nAdds, then per add (key index, base record JSON, delta JSON, ttl ms or 0);
 *       nListOps, then per op (key index, 'add' | 'remove', the id as keyv writes it).
 * Adds and list operations are not compared: they commute, so two processes adding to the
 * same counter or id list at once never make each other retry (the hot records of admission).
 * Returns 1 committed, 0 something read has changed (retry), -1 a fence failed (lease lost).
 */
const CAS_SCRIPT = `${LUA_RECORDS}
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
local now = tonumber(ARGV[i]); i = i + 1
local na = tonumber(ARGV[i]); i = i + 1
for _ = 1, na do
  add_fields(KEYS[tonumber(ARGV[i])], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3]), now)
  i = i + 4
end
local nl = tonumber(ARGV[i]); i = i + 1
for _ = 1, nl do
  local key = KEYS[tonumber(ARGV[i])]
  local list = load(key, now) or {}
  if ARGV[i + 1] == 'add' then
    if not list_has(list, ARGV[i + 2]) then
      list[#list + 1] = ARGV[i + 2]
      put(key, list_json(list), 0, now)
    end
  elseif list_has(list, ARGV[i + 2]) then
    put(key, list_json(list_without(list, ARGV[i + 2])), 0, now)
  end
  i = i + 3
end
return 1
`;

export const CAS = storeScript(CAS_SCRIPT);

export interface CasWrite {
  key: string;
  /** undefined: delete. */
  value: string | undefined;
  ttlMs: number | undefined;
}

/** Adds `delta` to each numeric field of a JSON record (from `base` when absent), never below 0. */
export interface CasAdd {
  key: string;
  base: string;
  delta: string;
  ttlMs: number | undefined;
}

/** Adds an id to (or removes it from) a JSON array record; `id` as keyv writes it. */
export interface CasListOp {
  key: string;
  op: 'add' | 'remove';
  id: string;
}

/** Builds the script's KEYS and ARGV. `compares` maps a key to the raw value read (undefined: absent). */
export function casArguments(
  fences: ReadonlyMap<string, string>,
  compares: ReadonlyMap<string, string | undefined>,
  writes: readonly CasWrite[],
  adds: readonly CasAdd[] = [],
  listOps: readonly CasListOp[] = [],
  now = Date.now(),
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
    args.push(slot(write.key), write.value ?? '', ttlArgument(write.ttlMs));
  }
  args.push(String(now), String(adds.length));
  for (const add of adds) args.push(slot(add.key), add.base, add.delta, ttlArgument(add.ttlMs));
  args.push(String(listOps.length));
  for (const op of listOps) args.push(slot(op.key), op.op, op.id);
  return { keys, args };
}

function ttlArgument(ttlMs: number | undefined): string {
  return String(ttlMs && ttlMs > 0 ? Math.ceil(ttlMs) : 0);
}
