-- Deletes one session; KEYS[1] the hash. Returns {1, principal or ''} when it existed, else {0}.
local p = redis.call('HGET', KEYS[1], '_p')
if redis.call('DEL', KEYS[1]) == 0 then
  return {0}
end
return {1, p or ''}
