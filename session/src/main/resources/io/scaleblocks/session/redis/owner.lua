-- Whether a session is live and belongs to a principal, without touching it.
-- KEYS[1] the hash; ARGV[1] now, ARGV[2] the principal. Returns 1 or 0.
local m = redis.call('HMGET', KEYS[1], '_c', '_a', '_r', '_i', '_x', '_n', '_p')
if not m[1] or m[7] ~= ARGV[2] then
  return 0
end
local now = tonumber(ARGV[1])
local hard = tonumber(m[1]) + tonumber(m[5])
if tonumber(m[6]) > 0 then
  hard = math.min(hard, tonumber(m[3]) + tonumber(m[6]))
end
if now >= math.min(tonumber(m[2]) + tonumber(m[4]), hard) then
  return 0
end
return 1
