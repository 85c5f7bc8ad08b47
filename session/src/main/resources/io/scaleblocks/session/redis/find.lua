-- Finds and touches one session in one round trip.
-- KEYS[1] the session hash; ARGV[1] now (epoch ms), ARGV[2] '1' to return the fields, '0' not to.
-- Returns false when absent, 0 when it was past its deadline (and is deleted now), -1 when a
-- timing field or the sequence ('_s') is missing or not an integer (the garbled hash is deleted
-- now), else 1 or the hash's fields as they were before the touch.
-- A field the store wrote as a decimal integer, or nil when missing or anything else.
local function int(v)
  if v and #v <= 18 and string.match(v, '^%-?%d+$') then
    return tonumber(v)
  end
  return nil
end
local m = redis.call('HMGET', KEYS[1], '_c', '_a', '_r', '_i', '_x', '_n', '_s')
if not m[1] then
  return false
end
local now = tonumber(ARGV[1])
local created, last, renewed = int(m[1]), int(m[2]), int(m[3])
local idle, absolute, renewal = int(m[4]), int(m[5]), int(m[6])
if not (created and last and renewed and idle and absolute and renewal and int(m[7])) then
  redis.call('DEL', KEYS[1])
  return -1
end
local hard = created + absolute
if renewal > 0 then
  hard = math.min(hard, renewed + renewal)
end
if now >= math.min(last + idle, hard) then
  redis.call('DEL', KEYS[1])
  return 0
end
local touched = math.max(last, now)
redis.call('HSET', KEYS[1], '_a', string.format('%d', touched))
redis.call('PEXPIRE', KEYS[1], string.format('%d', math.min(touched + idle, hard) - now))
if ARGV[2] == '1' then
  return redis.call('HGETALL', KEYS[1])
end
return 1
