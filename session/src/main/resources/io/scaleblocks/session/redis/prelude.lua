-- Prepended to every session script (LuaScript.load): how a session hash's timing fields are
-- read and its deadline found, in one place.

-- A field the store wrote as a decimal integer, or nil when missing or anything else.
local function int(v)
  if v and #v <= 18 and string.match(v, '^%-?%d+$') then
    return tonumber(v)
  end
  return nil
end

-- The timing fields of an HMGET whose first six values are _c, _a, _r, _i, _x, _n (created, last
-- access, renewed, idle, absolute, renewal), as integers; nothing when one of them or the
-- sequence, m[seq], is missing or not an integer (a garbled hash).
local function timing(m, seq)
  local created, last, renewed = int(m[1]), int(m[2]), int(m[3])
  local idle, absolute, renewal = int(m[4]), int(m[5]), int(m[6])
  if not (created and last and renewed and idle and absolute and renewal and int(m[seq])) then
    return nil
  end
  return created, last, renewed, idle, absolute, renewal
end

-- The deadline no access moves: the absolute timeout from creation, and the renewal timeout
-- (0 for none) from the last id change, whichever comes first.
local function hard_deadline(created, absolute, renewed, renewal)
  local hard = created + absolute
  if renewal > 0 then
    hard = math.min(hard, renewed + renewal)
  end
  return hard
end

-- The first deadline of a session last accessed at last: idle, absolute or renewal.
local function deadline(created, last, renewed, idle, absolute, renewal)
  return math.min(last + idle, hard_deadline(created, absolute, renewed, renewal))
end
