-- The ids in a principal's index, after dropping the members past their deadline.
-- KEYS[1] the index; ARGV[1] now; ARGV[2..] ids to remove first (found gone by the caller).
for i = 2, #ARGV do
  redis.call('ZREM', KEYS[1], ARGV[i])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZRANGE', KEYS[1], 0, -1)
