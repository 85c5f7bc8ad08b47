-- Whether a session is live and belongs to a principal, without touching it.
-- KEYS[1] the hash; ARGV[1] now, ARGV[2] the principal. Returns 1 or 0 (0 for a garbled hash:
-- timing fields or sequence missing or not integers).
-- A field the store wrote as a decimal integer, or nil when missing or anything else.
local function int(v)
  if v and #v <= 18 and string.match(v, '^%-?%d+$') then
    return tonumber(v)
  end
  return nil
end
local m = redis.call('HMGET', KEYS[1], '_c', '_a', '_r', '_i', '_x', '_n', '_p', '_s')
if not m[1] or m[7] ~= ARGV[2] then
  return 0
end
local now = tonumber(ARGV[1])
local created, last, renewed = int(m[1]), int(m[2]), int(m[3])
local idle, absolute, renewal = int(m[4]), int(m[5]), int(m[6])
if not (created and last and renewed and idle and absolute and renewal and int(m[8])) then
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
