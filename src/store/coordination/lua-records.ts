/**
 * Lua helpers shared by the store's Redis scripts: they read and write records exactly as
 * keyv stores them (`{"value":…,"expires":…}`), so a script can change a counter or an id
 * list in place, atomically, while every other reader keeps reading the same records.
 * Redis's cjson writes an empty table as `{}`, so id lists are written by hand.
 */

/** Lua: `load(key, now)` the record's value (nil when absent or expired); `put`, `list_json`. */
export const LUA_RECORDS = `
local function load(key, now)
  local raw = redis.call('GET', key)
  if not raw then return nil end
  local data = cjson.decode(raw)
  if type(data.expires) == 'number' and data.expires < now then return nil end
  if data.value == cjson.null then return nil end
  return data.value
end
local function put(key, value_json, ttl, now)
  if ttl > 0 then
    redis.call('SET', key, '{"value":' .. value_json .. ',"expires":' .. string.format('%d', now + ttl) .. '}', 'PX', ttl)
  else
    redis.call('SET', key, '{"value":' .. value_json .. '}')
  end
end
local function list_json(list)
  local parts = {}
  for i, v in ipairs(list) do parts[i] = cjson.encode(v) end
  return '[' .. table.concat(parts, ',') .. ']'
end
local function list_has(list, id)
  for _, v in ipairs(list) do if v == id then return true end end
  return false
end
local function list_without(list, id)
  local out = {}
  for _, v in ipairs(list) do if v ~= id then out[#out + 1] = v end end
  return out
end
-- Adds each field of delta to the record (from base when absent), never below 0.
local function add_fields(key, base_json, delta_json, ttl, now)
  local value = load(key, now) or cjson.decode(base_json)
  for field, d in pairs(cjson.decode(delta_json)) do
    local next_value = (tonumber(value[field]) or 0) + d
    if next_value < 0 then next_value = 0 end
    value[field] = next_value
  end
  put(key, cjson.encode(value), ttl, now)
  return value
end
`;
