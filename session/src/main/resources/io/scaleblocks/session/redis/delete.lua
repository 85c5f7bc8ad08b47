-- Deletes one session; KEYS[1] the hash, ARGV[1] now (epoch ms). Returns {0} when it was absent,
-- {1, principal or ''} when a live session was deleted, {2, principal or ''} when a hash past its
-- deadline or with garbled timing fields was deleted (an expiry the store counts as such).
local m = redis.call('HMGET', KEYS[1], '_c', '_a', '_r', '_i', '_x', '_n', '_p', '_s')
if redis.call('DEL', KEYS[1]) == 0 then
  return {0}
end
local created, last, renewed, idle, absolute, renewal = timing(m, 8)
if not created then
  return {2, m[7] or ''}
end
if tonumber(ARGV[1]) >= deadline(created, last, renewed, idle, absolute, renewal) then
  return {2, m[7] or ''}
end
return {1, m[7] or ''}
