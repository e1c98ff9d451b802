-- Pins a room's load to the node LiveKit's room_node_map names, moving it off the previous node.
-- Rooms that finished, and nodes already marked gone, are left alone.
-- KEYS[1] = fleet:{region}:room:<room>; ARGV: prefix, room, node id
local roomKey = KEYS[1]
local prefix, room, node = ARGV[1], ARGV[2], ARGV[3]
local cur = redis.call('HMGET', roomKey, 'node', 'lost', 'finished', 'participants', 'subscriptions', 'egress_kbps')
if cur[3] == '1' then return 0 end
local target = prefix .. 'node:' .. node
if redis.call('HGET', target, 'state') == 'GONE' then return 0 end
if cur[1] == node and cur[2] ~= '1' then return 0 end
local load = { rooms = 1, participants = tonumber(cur[4]) or 0, subscriptions = tonumber(cur[5]) or 0,
  egress_kbps = tonumber(cur[6]) or 0 }
if cur[1] and cur[1] ~= '' and cur[2] ~= '1' then
  local old = prefix .. 'node:' .. cur[1]
  for f, v in pairs(load) do redis.call('HINCRBY', old, f, -v) end
  redis.call('SREM', old .. ':rooms', room)
end
for f, v in pairs(load) do redis.call('HINCRBY', target, f, v) end
redis.call('SADD', target .. ':rooms', room)
redis.call('SADD', prefix .. 'nodes', node)
redis.call('HSET', roomKey, 'node', node, 'lost', 0)
return 1
