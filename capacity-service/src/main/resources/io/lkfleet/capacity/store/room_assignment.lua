-- Shared by apply_event.lua and assign_room.lua (LuaScript.load puts it in front of each).
-- Counts a room's load on node <node>, moving it off the node it was counted on before. Rooms that
-- finished, and nodes already marked gone, are left alone. Returns 1 when the load moved.
local function assignRoom(prefix, roomKey, room, node)
  local cur = redis.call('HMGET', roomKey, 'node', 'lost', 'finished', 'participants', 'subscriptions', 'egress_kbps')
  if cur[3] == '1' then return 0 end
  local target = nodeKeyOf(prefix, node)
  if redis.call('HGET', target, 'state') == 'GONE' then return 0 end
  if cur[1] == node and cur[2] ~= '1' then return 0 end
  local load = { rooms = 1, participants = tonumber(cur[4]) or 0, subscriptions = tonumber(cur[5]) or 0,
    egress_kbps = tonumber(cur[6]) or 0 }
  if cur[1] and cur[1] ~= '' and cur[2] ~= '1' then
    local old = nodeKeyOf(prefix, cur[1])
    for f, v in pairs(load) do redis.call('HINCRBY', old, f, -v) end
    redis.call('SREM', old .. ':rooms', room)
  end
  for f, v in pairs(load) do redis.call('HINCRBY', target, f, v) end
  redis.call('SADD', target .. ':rooms', room)
  redis.call('SADD', prefix .. 'nodes', node)
  redis.call('HSET', roomKey, 'node', node, 'lost', 0)
  return 1
end
