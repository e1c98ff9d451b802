-- Records one node's liveness and LiveKit's measured load. A node that stopped reporting is
-- marked GONE once: its rooms are marked lost and their load released from it.
-- KEYS[1] = fleet:{region}:node:<id>; ARGV: prefix, node id, alive (1|0), then measured field/value pairs
local nodeKey = KEYS[1]
local prefix, node, alive = ARGV[1], ARGV[2], ARGV[3]
local measured = {}
for i = 4, #ARGV do measured[#measured + 1] = ARGV[i] end
redis.call('SADD', prefix .. 'nodes', node)
if alive == '1' then
  redis.call('HSET', nodeKey, unpack(measured))
  return -1
end
if redis.call('HGET', nodeKey, 'state') == 'GONE' then return -1 end
local rooms = redis.call('SMEMBERS', nodeKey .. ':rooms')
for _, room in ipairs(rooms) do
  redis.call('HSET', roomKeyOf(prefix, room), 'lost', 1)
end
redis.call('DEL', nodeKey .. ':rooms')
redis.call('HSET', nodeKey, 'rooms', 0, 'participants', 0, 'subscriptions', 0, 'egress_kbps', 0)
if #measured > 0 then redis.call('HSET', nodeKey, unpack(measured)) end
redis.call('HSET', nodeKey, 'state', 'GONE')
return #rooms
