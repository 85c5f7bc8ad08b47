-- Writes one session's delta atomically, in one round trip.
-- KEYS[1] the session hash.
-- ARGV[1] now; ARGV[2] 'n' (insert a new session) or 'u' (update);
-- ARGV[3..8] created, last access, renewed, idle, absolute, renewal (used by 'n');
-- ARGV[9] '1' when the principal changed, ARGV[10] the principal ('' for none);
-- ARGV[11] the number of changes, then per change: name, expected version, 's' or 'd', value.
-- Returns {'ok', seq}, {'taken'}, {'gone'} (also for a hash whose timing fields or sequence are
-- missing or not integers, deleted now), {'expired'} or {'conflict', name...}.
local now = tonumber(ARGV[1])
local count = tonumber(ARGV[11])
if ARGV[2] == 'n' then
  if redis.call('EXISTS', KEYS[1]) == 1 then
    return {'taken'}
  end
  redis.call('HSET', KEYS[1], '_c', ARGV[3], '_a', ARGV[4], '_r', ARGV[5], '_i', ARGV[6], '_x', ARGV[7],
    '_n', ARGV[8], '_s', '1')
  if ARGV[10] ~= '' then
    redis.call('HSET', KEYS[1], '_p', ARGV[10])
  end
  for i = 0, count - 1 do
    local at = 12 + i * 4
    if ARGV[at + 2] == 's' then
      redis.call('HSET', KEYS[1], 'a:' .. ARGV[at], ARGV[at + 3], 'v:' .. ARGV[at], '1')
    end
  end
  local created, last, renewed = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
  local idle, absolute, renewal = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
  redis.call('PEXPIRE', KEYS[1], string.format('%d',
    math.max(1, deadline(created, last, renewed, idle, absolute, renewal) - now)))
  return {'ok', 1}
end
local m = redis.call('HMGET', KEYS[1], '_c', '_a', '_r', '_i', '_x', '_n', '_s')
if not m[1] then
  return {'gone'}
end
local created, last, renewed, idle, absolute, renewal = timing(m, 7)
if not created then
  redis.call('DEL', KEYS[1])
  return {'gone'}
end
if now >= deadline(created, last, renewed, idle, absolute, renewal) then
  redis.call('DEL', KEYS[1])
  return {'expired'}
end
-- An attribute's version as the store reads it: 0 when it has no value, -1 when its version field
-- is garbled (the store reads that attribute as unreadable, and a set or removal replaces it).
local function version_of(name)
  if redis.call('HEXISTS', KEYS[1], 'a:' .. name) == 0 then
    return 0
  end
  local v = redis.call('HGET', KEYS[1], 'v:' .. name)
  if not v then
    return 0
  end
  return int(v) or -1
end
local conflicts = {'conflict'}
for i = 0, count - 1 do
  local at = 12 + i * 4
  local version = version_of(ARGV[at])
  if version ~= tonumber(ARGV[at + 1]) then
    conflicts[#conflicts + 1] = ARGV[at]
  end
end
if #conflicts > 1 then
  return conflicts
end
local seq = redis.call('HINCRBY', KEYS[1], '_s', 1)
for i = 0, count - 1 do
  local at = 12 + i * 4
  if ARGV[at + 2] == 's' then
    redis.call('HSET', KEYS[1], 'a:' .. ARGV[at], ARGV[at + 3], 'v:' .. ARGV[at], seq)
  else
    redis.call('HDEL', KEYS[1], 'a:' .. ARGV[at], 'v:' .. ARGV[at])
  end
end
if ARGV[9] == '1' then
  if ARGV[10] == '' then
    redis.call('HDEL', KEYS[1], '_p')
  else
    redis.call('HSET', KEYS[1], '_p', ARGV[10])
  end
end
local touched = math.max(last, now)
redis.call('HSET', KEYS[1], '_a', string.format('%d', touched))
redis.call('PEXPIRE', KEYS[1], string.format('%d', deadline(created, touched, renewed, idle, absolute, renewal) - now))
return {'ok', seq}
