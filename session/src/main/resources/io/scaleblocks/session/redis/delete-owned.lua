-- Deletes, in one atomic step, those of the given hashes that belong to a principal. Every key is
-- in one slot: the ids a session had across its rotations share its tag, so a rotation between
-- two of these ids happens wholly before or wholly after this script, never between two deletes.
-- KEYS the hashes; ARGV[1] now, ARGV[2] the principal.
-- Returns per key: 0 when absent or of another principal (left as it is), 1 when a live session
-- was deleted, 2 when a hash past its deadline or with garbled timing fields was deleted.
local function int(v)
  if v and #v <= 18 and string.match(v, '^%-?%d+$') then
    return tonumber(v)
  end
  return nil
end
local now = tonumber(ARGV[1])
local result = {}
for i = 1, #KEYS do
  local m = redis.call('HMGET', KEYS[i], '_c', '_a', '_r', '_i', '_x', '_n', '_p', '_s')
  if not m[1] or m[7] ~= ARGV[2] then
    result[i] = 0
  else
    redis.call('DEL', KEYS[i])
    local created, last, renewed = int(m[1]), int(m[2]), int(m[3])
    local idle, absolute, renewal = int(m[4]), int(m[5]), int(m[6])
    if not (created and last and renewed and idle and absolute and renewal and int(m[8])) then
      result[i] = 2
    else
      local hard = created + absolute
      if renewal > 0 then
        hard = math.min(hard, renewed + renewal)
      end
      if now >= math.min(last + idle, hard) then
        result[i] = 2
      else
        result[i] = 1
      end
    end
  end
end
return result
