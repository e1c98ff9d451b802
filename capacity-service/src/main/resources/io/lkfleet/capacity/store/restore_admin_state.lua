-- Puts region-router's drains and bookings back (AdminStateStore), adding only what is missing:
-- whatever the router wrote since the topic was read is newer and stays.
-- KEYS[1] = fleet:{region}:draining (set of node ids), KEYS[2] = fleet:{region}:scheduled
-- (hash node id -> room|participants|until ms); ARGV: number of drained nodes, their ids, then
-- node id / booking pairs. Returns how many decisions were added.
local drains = tonumber(ARGV[1])
local added = 0
for i = 2, drains + 1 do
  added = added + redis.call('SADD', KEYS[1], ARGV[i])
end
for i = drains + 2, #ARGV, 2 do
  added = added + redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i + 1])
end
return added
