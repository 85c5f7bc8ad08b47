-- Finds and touches one session in one round trip.
-- KEYS[1] the session hash; ARGV[1] now (epoch ms), ARGV[2] '1' to return the fields, '0' not to.
-- Returns false when absent, 0 when it was past its deadline (and is deleted now), -1 when a
-- timing field or the sequence ('_s') is missing or not an integer (the garbled hash is deleted
-- now), else 1 or the hash's fields as they were before the touch.
local m = redis.call('HMGET', KEYS[1], '_c', '_a', '_r', '_i', '_x', '_n', '_s')
if not m[1] then
  return false
end
local now = tonumber(ARGV[1])
local created, last, renewed, idle, absolute, renewal = timing(m, 7)
if not created then
  redis.call('DEL', KEYS[1])
  return -1
end
if now >= deadline(created, last, renewed, idle, absolute, renewal) then
  redis.call('DEL', KEYS[1])
  return 0
end
local touched = math.max(last, now)
redis.call('HSET', KEYS[1], '_a', string.format('%d', touched))
redis.call('PEXPIRE', KEYS[1], string.format('%d', deadline(created, touched, renewed, idle, absolute, renewal) - now))
if ARGV[2] == '1' then
  return redis.call('HGETALL', KEYS[1])
end
return 1
