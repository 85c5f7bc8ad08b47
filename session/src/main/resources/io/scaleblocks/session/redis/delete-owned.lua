-- Deletes, in one atomic step, those of the given hashes that belong to a principal. Every key is
-- in one slot: the ids a session had across its rotations share its tag, so a rotation between
-- two of these ids happens wholly before or wholly after this script, never between two deletes.
-- KEYS the hashes; ARGV[1] now, ARGV[2] the principal.
-- Returns per key: 0 when absent or of another principal (left as it is), 1 when a live session
-- was deleted, 2 when a hash past its deadline or with garbled timing fields was deleted.
local now = tonumber(ARGV[1])
local result = {}
for i = 1, #KEYS do
  local m = redis.call('HMGET', KEYS[i], '_c', '_a', '_r', '_i', '_x', '_n', '_p', '_s')
  if not m[1] or m[7] ~= ARGV[2] then
    result[i] = 0
  else
    redis.call('DEL', KEYS[i])
    local created, last, renewed, idle, absolute, renewal = timing(m, 8)
    if not created or now >= deadline(created, last, renewed, idle, absolute, renewal) then
      result[i] = 2
    else
      result[i] = 1
    end
  end
end
return result
