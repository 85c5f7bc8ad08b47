-- Moves a live session to a new id in one atomic step (both keys share a hash tag, so a slot).
-- KEYS[1] the old hash, KEYS[2] the new one; ARGV[1] now.
-- Returns 1 when moved, 0 when the old id has no live session, -1 when the new id is taken.
local m = redis.call('HMGET', KEYS[1], '_c', '_a', '_r', '_i', '_x', '_n')
if not m[1] then
  return 0
end
local now = tonumber(ARGV[1])
local created, last, renewed = tonumber(m[1]), tonumber(m[2]), tonumber(m[3])
local idle, absolute, renewal = tonumber(m[4]), tonumber(m[5]), tonumber(m[6])
local hard = created + absolute
if renewal > 0 then
  hard = math.min(hard, renewed + renewal)
end
if now >= math.min(last + idle, hard) then
  redis.call('DEL', KEYS[1])
  return 0
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  return -1
end
redis.call('RENAME', KEYS[1], KEYS[2])
local touched = math.max(last, now)
redis.call('HSET', KEYS[2], '_r', string.format('%d', now), '_a', string.format('%d', touched))
hard = created + absolute
if renewal > 0 then
  hard = math.min(hard, now + renewal)
end
redis.call('PEXPIRE', KEYS[2], string.format('%d', math.min(touched + idle, hard) - now))
return 1
