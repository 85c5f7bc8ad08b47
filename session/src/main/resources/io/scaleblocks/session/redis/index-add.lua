-- Adds a session id to a principal's index. KEYS[1] the index (a sorted set scored by the
-- session's hard deadline); ARGV[1] now, ARGV[2] the id, ARGV[3] its hard deadline.
-- Members past their deadline are dropped, and the index expires with its last member.
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now))
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', KEYS[1], string.format('%d', math.max(1, tonumber(last[2]) - now)))
return 1
