/**
 * The two hot decisions of the job engine as one Lua script each, so that processes sharing
 * a Redis never collide on them: admitting a request (every limit checked, quota reserved,
 * the job recorded and given a slot of the global cap or a place in the fair queue) and
 * popping the next waiting job round-robin with a slot. Redis runs a script alone: the check
 * and the writes are one step for every process, with no compare-and-set to lose and retry.
 * The records are the ones every other reader reads (keyv's JSON; see lua-records.ts).
 */
import { LUA_RECORDS } from './lua-records.js';
import { storeScript } from './run-script.js';

/** Replaced in the waiting record by the job's place in the queue (a number JSON cannot hold otherwise here). */
export const POSITION_SENTINEL = 987_654_321;

const LUA_QUEUE = `
local function queue_json(queue)
  local entries = {}
  for i, e in ipairs(queue.jobs) do
    entries[i] = '{"id":' .. cjson.encode(e.id) .. ',"userId":' .. cjson.encode(e.userId) ..
      ',"at":' .. string.format('%d', e.at) .. '}'
  end
  return '{"v":1,"ring":' .. list_json(queue.ring) .. ',"jobs":[' .. table.concat(entries, ',') .. ']}'
end
-- Takes a job's lease for this process (NX): '1' taken or already this process's, '0' held by another.
local function take_lease(key, token, ms)
  if ms == nil or ms == '' then return '0' end
  if redis.call('SET', key, token, 'NX', 'PX', ms) then return '1' end
  if redis.call('GET', key) == token then return '1' end
  return '0'
end
local function user_has_jobs(queue, user)
  for _, e in ipairs(queue.jobs) do if e.userId == user then return true end end
  return false
end
-- Takes a job out; its user leaves the ring, and goes to its back if served and still waiting.
local function take(queue, id, user, served)
  local kept = {}
  for _, e in ipairs(queue.jobs) do if e.id ~= id then kept[#kept + 1] = e end end
  queue.jobs = kept
  local still = user_has_jobs(queue, user)
  if served or not still then queue.ring = list_without(queue.ring, user) end
  if served and still then queue.ring[#queue.ring + 1] = user end
end
`;

/**
 * KEYS: job, user index, active bucket, fair queue, in-flight slots, then the usage counters,
 * then (when the job is charged to a server) the server's active index.
 * ARGV: now (Date.now), submitted record (raw), waiting record (raw, POSITION_SENTINEL as its
 * place), user id, job id (as keyv writes them), queued-at, max active per user, per server,
 * max in flight (-1: none), may take a slot (1/0), counter base JSON, number of counters, then
 * per counter: ttl ms, delta JSON, limited field ('' none), limit; then the job's lease key,
 * this process's token and the lease time ('' : no lease), taken with the slot.
 * Returns {'exists', raw} | {'active_limit'} | {'quota', raw…} | {'slot', leased 1/0} |
 * {'queued', place, queue JSON}.
 */
export const ADMIT_SCRIPT = `${LUA_RECORDS}${LUA_QUEUE}
local now = tonumber(ARGV[1])
local existing = redis.call('GET', KEYS[1])
if existing and load(KEYS[1], now) then return {'exists', existing} end
local user_id, job_id, at = ARGV[4], ARGV[5], tonumber(ARGV[6])
local max_user, max_guild, max_in_flight = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local n_counters = tonumber(ARGV[12])
local guild_key = KEYS[5 + n_counters + 1]
local index = load(KEYS[2], now) or {}
local active, history = index.active or {}, index.history or {}
if max_user >= 0 and #active >= max_user then return {'active_limit'} end
local guild_active = {}
if guild_key then
  guild_active = load(guild_key, now) or {}
  if max_guild >= 0 and #guild_active >= max_guild then return {'active_limit'} end
end
local counters, raws = {}, {}
for c = 1, n_counters do
  local a = 13 + (c - 1) * 4
  local value = load(KEYS[5 + c], now) or cjson.decode(ARGV[11])
  local delta = cjson.decode(ARGV[a + 1])
  local field, limit = ARGV[a + 2], tonumber(ARGV[a + 3])
  if field ~= '' and (tonumber(value[field]) or 0) + (delta[field] or 0) > limit then
    for k = 1, n_counters do raws[k] = redis.call('GET', KEYS[5 + k]) or '' end
    return {'quota', unpack(raws)}
  end
  counters[c] = { ttl = tonumber(ARGV[a]), delta = ARGV[a + 1] }
end
local queue = load(KEYS[4], now) or {}
queue.ring, queue.jobs = queue.ring or {}, queue.jobs or {}
local slots = load(KEYS[5], now) or {}
local outcome, record
if ARGV[10] == '1' and #queue.jobs == 0 and (max_in_flight < 0 or #slots < max_in_flight) then
  slots[#slots + 1] = job_id
  put(KEYS[5], list_json(slots), 0, now)
  local lease_at = 13 + n_counters * 4
  outcome, record = {'slot', take_lease(ARGV[lease_at], ARGV[lease_at + 1], ARGV[lease_at + 2])}, ARGV[2]
else
  queue.jobs[#queue.jobs + 1] = { id = job_id, userId = user_id, at = at }
  if not list_has(queue.ring, user_id) then queue.ring[#queue.ring + 1] = user_id end
  -- Its place in the round-robin order: rounds before its own, then the users ahead in the ring.
  local lines = {}
  for _, e in ipairs(queue.jobs) do lines[e.userId] = (lines[e.userId] or 0) + 1 end
  local round = lines[user_id] - 1
  local place, ahead = 1, true
  for _, u in ipairs(queue.ring) do
    if u == user_id then ahead = false end
    place = place + math.min(lines[u] or 0, round)
    if ahead and (lines[u] or 0) > round then place = place + 1 end
  end
  local json = queue_json(queue)
  put(KEYS[4], json, 0, now)
  outcome = {'queued', tostring(place), json}
  record = string.gsub(ARGV[3], '"queuePosition":${POSITION_SENTINEL}', '"queuePosition":' .. place, 1)
end
for c = 1, n_counters do add_fields(KEYS[5 + c], ARGV[11], counters[c].delta, counters[c].ttl, now) end
if not list_has(active, job_id) then active[#active + 1] = job_id end
put(KEYS[2], '{"active":' .. list_json(active) .. ',"history":' .. list_json(history) .. '}', 0, now)
local bucket = load(KEYS[3], now) or {}
if not list_has(bucket, job_id) then bucket[#bucket + 1] = job_id; put(KEYS[3], list_json(bucket), 0, now) end
if guild_key then
  if not list_has(guild_active, job_id) then guild_active[#guild_active + 1] = job_id end
  put(guild_key, list_json(guild_active), 0, now)
end
redis.call('SET', KEYS[1], record)
return outcome
`;

/**
 * KEYS: fair queue, in-flight slots. ARGV: now, max in flight (-1: none), the full key prefix
 * of job records (a job's state is read to skip entries no longer waiting: Redis standalone
 * lets a script read keys it was not given; the store is not for Redis Cluster), the full key
 * prefix of leases, this process's token and the lease time ('': no lease).
 * Returns {'none', queue JSON or ''} | {'popped', id, user id, queued-at, queue JSON, leased 1/0}.
 */
export const POP_SCRIPT = `${LUA_RECORDS}${LUA_QUEUE}
local now, max_in_flight, job_prefix = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local queue = load(KEYS[1], now)
if not queue then return {'none', ''} end
queue.ring, queue.jobs = queue.ring or {}, queue.jobs or {}
local slots = load(KEYS[2], now) or {}
if max_in_flight >= 0 and #slots >= max_in_flight then return {'none', queue_json(queue)} end
local changed = false
while #queue.ring > 0 do
  local user = queue.ring[1]
  local entry
  for _, e in ipairs(queue.jobs) do if e.userId == user then entry = e; break end end
  if not entry then
    table.remove(queue.ring, 1)
    changed = true
  else
    -- The id as it is in key names (keyv doubles a leading ':' inside records).
    local id = entry.id
    if string.sub(id, 1, 2) == '::' then id = string.sub(id, 2) end
    local job = load(job_prefix .. id, now)
    if job and job.state == 'waiting' then
      take(queue, entry.id, user, true)
      local json = queue_json(queue)
      put(KEYS[1], json, 0, now)
      if not list_has(slots, entry.id) then slots[#slots + 1] = entry.id; put(KEYS[2], list_json(slots), 0, now) end
      local leased = take_lease(ARGV[4] .. id, ARGV[5], ARGV[6])
      return {'popped', entry.id, entry.userId, string.format('%d', entry.at), json, leased}
    end
    -- Sent or ended meanwhile: it leaves without a slot.
    take(queue, entry.id, user, false)
    changed = true
  end
end
local json = queue_json(queue)
if changed then put(KEYS[1], json, 0, now) end
return {'none', json}
`;

/**
 * Puts waiting jobs that are missing from the queue (a process died between popping and
 * sending one) back at its very front, and drops entries whose job no longer waits. Each job
 * is read here, in the same step: one sent meanwhile, or popped by a live process that holds
 * its lease, is not put back (it would jump its member ahead of everyone in the ring).
 * KEYS: fair queue. ARGV: now, full key prefix of job records, of leases, the number of
 * waiting jobs, then per job (id, user id, queued-at, '1'; oldest first). Returns
 * {queue JSON, restored id…}.
 */
export const RECONCILE_SCRIPT = `${LUA_RECORDS}${LUA_QUEUE}
local now, job_prefix, lease_prefix, n = tonumber(ARGV[1]), ARGV[2], ARGV[3], tonumber(ARGV[4])
local queue = load(KEYS[1], now) or {}
queue.ring, queue.jobs = queue.ring or {}, queue.jobs or {}
local function key_id(id)
  if string.sub(id, 1, 2) == '::' then return string.sub(id, 2) end
  return id
end
local function waits(id)
  local job = load(job_prefix .. key_id(id), now)
  return job ~= nil and job.state == 'waiting'
end
local listed, changed = {}, false
for i = 0, n - 1 do listed[ARGV[5 + i * 4]] = ARGV[8 + i * 4] end
-- Entries the caller did not list as waiting go when their job is read as not waiting now.
for _, e in ipairs({unpack(queue.jobs)}) do
  if listed[e.id] == nil and not waits(e.id) then take(queue, e.id, e.userId, false); changed = true end
end
local in_queue = {}
for _, e in ipairs(queue.jobs) do in_queue[e.id] = true end
local fresh, users, seen, restored = {}, {}, {}, {}
for i = 0, n - 1 do
  local id, user, at = ARGV[5 + i * 4], ARGV[6 + i * 4], tonumber(ARGV[7 + i * 4])
  if not in_queue[id] and waits(id) and redis.call('EXISTS', lease_prefix .. key_id(id)) == 0 then
    fresh[#fresh + 1] = { id = id, userId = user, at = at }
    restored[#restored + 1] = id
    if not seen[user] then seen[user] = true; users[#users + 1] = user end
  end
end
if #fresh > 0 then
  for _, e in ipairs(queue.jobs) do fresh[#fresh + 1] = e end
  queue.jobs = fresh
  for _, u in ipairs(queue.ring) do if not seen[u] then users[#users + 1] = u end end
  queue.ring = users
  changed = true
end
local json = queue_json(queue)
if changed then put(KEYS[1], json, 0, now) end
return {json, unpack(restored)}
`;

export const ADMIT = storeScript(ADMIT_SCRIPT);
export const POP = storeScript(POP_SCRIPT);
export const RECONCILE = storeScript(RECONCILE_SCRIPT);
