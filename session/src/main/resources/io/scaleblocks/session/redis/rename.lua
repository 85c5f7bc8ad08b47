-- Moves a live session to a new id in one atomic step (both keys share a hash tag, so a slot).
-- KEYS[1] the old hash, KEYS[2] the new one; ARGV[1] now; ARGV[2], when given, the principal
-- the caller indexed the new id under ('' for none).
-- Returns {1} when moved, {0} when the old id has no session (a garbled one is deleted), {2} when
-- it had one past its deadline (deleted now, an expiry the store counts), {-1} when the new id is taken,
-- {-2, stored principal or ''} when ARGV[2] is not the stored principal (nothing moved). A hash
-- whose timing fields or sequence ('_s') are missing or not integers counts as no live session.
local m = redis.call('HMGET', KEYS[1], '_c', '_a', '_r', '_i', '_x', '_n', '_p', '_s')
if not m[1] then
  return {0}
end
local now = tonumber(ARGV[1])
local created, last, renewed, idle, absolute, renewal = timing(m, 8)
if not created then
  redis.call('DEL', KEYS[1])
  return {0}
end
if now >= deadline(created, last, renewed, idle, absolute, renewal) then
  redis.call('DEL', KEYS[1])
  return {2}
end
if ARGV[2] and (m[7] or '') ~= ARGV[2] then
  return {-2, m[7] or ''}
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {-1}
end
redis.call('RENAME', KEYS[1], KEYS[2])
local touched = math.max(last, now)
redis.call('HSET', KEYS[2], '_r', string.format('%d', now), '_a', string.format('%d', touched))
-- renewed now: the renewal deadline starts again
redis.call('PEXPIRE', KEYS[2], string.format('%d', deadline(created, touched, now, idle, absolute, renewal) - now))
return {1}
