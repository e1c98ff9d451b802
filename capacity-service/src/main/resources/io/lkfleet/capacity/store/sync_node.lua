-- Records one node's liveness and LiveKit's measured load. A node that stopped reporting is
-- marked GONE once: its rooms are marked lost and their load released from it, and its hash
-- expires after the gone-node TTL (LiveKit gives a restarted node a new id); once it has, the node
-- leaves the region's index too.
-- KEYS[1] = fleet:{region}:node:<id>, KEYS[2] = fleet:{region}:model (the gate, model_gate.lua);
-- ARGV: prefix, node id, alive (1|0), gone-node TTL (s), the writer's claim ('' for the registry
-- poller), then measured field/value pairs
if modelClosed(KEYS[2], ARGV[5]) then return redis.error_reply(MODEL_CLOSED) end
local nodeKey = KEYS[1]
local prefix, node, alive, goneTtl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local measured = {}
for i = 6, #ARGV do measured[#measured + 1] = ARGV[i] end
if alive == '1' then
  redis.call('SADD', prefix .. 'nodes', node)
  redis.call('HSET', nodeKey, unpack(measured))
  redis.call('PERSIST', nodeKey)
  return -1
end
if redis.call('EXISTS', nodeKey) == 0 then
  redis.call('SREM', prefix .. 'nodes', node)
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
redis.call('EXPIRE', nodeKey, goneTtl)
return #rooms
