-- Deletes one session; KEYS[1] the hash, ARGV[1] now (epoch ms). Returns {0} when it was absent,
-- {1, principal or ''} when a live session was deleted, {2, principal or ''} when a hash past its
-- deadline or with garbled timing fields was deleted (an expiry the store counts as such).
local function int(v)
  if v and #v <= 18 and string.match(v, '^%-?%d+$') then
    return tonumber(v)
  end
  return nil
end
local m = redis.call('HMGET', KEYS[1], '_c', '_a', '_r', '_i', '_x', '_n', '_p', '_s')
if redis.call('DEL', KEYS[1]) == 0 then
  return {0}
end
local created, last, renewed = int(m[1]), int(m[2]), int(m[3])
local idle, absolute, renewal = int(m[4]), int(m[5]), int(m[6])
if not (created and last and renewed and idle and absolute and renewal and int(m[8])) then
  return {2, m[7] or ''}
end
local hard = created + absolute
if renewal > 0 then
  hard = math.min(hard, renewed + renewal)
end
if tonumber(ARGV[1]) >= math.min(last + idle, hard) then
  return {2, m[7] or ''}
end
return {1, m[7] or ''}
