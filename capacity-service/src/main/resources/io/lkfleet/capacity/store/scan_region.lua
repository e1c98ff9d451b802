-- One SCAN step over the keys of one region, on the Redis that holds them: KEYS[1] = fleet:{region}:model
-- names the region's slot, so on a Redis Cluster the call goes to the master that holds the region's
-- keys (a plain SCAN goes to any one master); ARGV[1] cursor, ARGV[2] MATCH pattern, ARGV[3] COUNT.
-- Returns SCAN's reply: the next cursor and a page of keys.
return redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', ARGV[3])
