-- Pins a room's load to the node LiveKit's room_node_map names (see room_assignment.lua).
-- KEYS[1] = fleet:{region}:room:<room>, KEYS[2] = fleet:{region}:model (the gate, model_gate.lua);
-- ARGV: prefix, room, node id, the writer's claim ('' for the registry poller)
if modelClosed(KEYS[2], ARGV[4]) then return redis.error_reply(MODEL_CLOSED) end
return assignRoom(ARGV[1], KEYS[1], ARGV[2], ARGV[3])
