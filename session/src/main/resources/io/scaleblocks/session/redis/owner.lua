-- Whether a session is live and belongs to a principal, without touching it.
-- KEYS[1] the hash; ARGV[1] now, ARGV[2] the principal. Returns 1 or 0 (0 for a garbled hash).
local m = redis.call('HMGET', KEYS[1], '_c', '_a', '_r', '_i', '_x', '_n', '_p')
if not m[1] or m[7] ~= ARGV[2] then
  return 0
end
local now = tonumber(ARGV[1])
local created, last, renewed = tonumber(m[1]), tonumber(m[2]), tonumber(m[3])
local idle, absolute, renewal = tonumber(m[4]), tonumber(m[5]), tonumber(m[6])
if not (created and last and renewed and idle and absolute and renewal) then
  return 0
end
local hard = created + absolute
if renewal > 0 then
  hard = math.min(hard, renewed + renewal)
end
if now >= math.min(last + idle, hard) then
  return 0
end
return 1
