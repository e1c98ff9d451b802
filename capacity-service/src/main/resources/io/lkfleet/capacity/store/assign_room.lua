-- Pins a room's load to the node LiveKit's room_node_map names (see room_assignment.lua).
-- KEYS[1] = fleet:{region}:room:<room>; ARGV: prefix, room, node id
return assignRoom(ARGV[1], KEYS[1], ARGV[2], ARGV[3])
