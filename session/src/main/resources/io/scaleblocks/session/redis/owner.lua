-- Whether a session is live and belongs to a principal, without touching it.
-- KEYS[1] the hash; ARGV[1] now, ARGV[2] the principal. Returns 1 or 0 (0 for a garbled hash:
-- timing fields or sequence missing or not integers).
local m = redis.call('HMGET', KEYS[1], '_c', '_a', '_r', '_i', '_x', '_n', '_p', '_s')
if not m[1] or m[7] ~= ARGV[2] then
  return 0
end
local now = tonumber(ARGV[1])
local created, last, renewed, idle, absolute, renewal = timing(m, 8)
if not created then
  return 0
end
if now >= deadline(created, last, renewed, idle, absolute, renewal) then
  return 0
end
return 1
