-- Atomic admission of one join on one node (design §2, region-router).
-- All keys share the region's {hash tag}, so this runs in one slot on Redis Cluster too.
--
-- KEYS[1] fleet:{r}:node:<node>                 model load (capacity-service): subscriptions, egress_kbps
-- KEYS[2] fleet:{r}:node:<node>:reservations    zset: member "<id>|<subs>|<kbps>", score = expiry ms
-- KEYS[3] fleet:{r}:room:<room>                 model shape (capacity-service): participants, publishers, screen_tracks
-- KEYS[4] fleet:{r}:room:<room>:reservations    zset: member "<id>|<identity>|<P|S>|<subs>|<kbps>|<node>", score = expiry ms
--         (capacity-service's apply_event.lua releases both entries when the participant joins)
-- KEYS[5] fleet:{r}:pin:<room>                  the node this room is pinned to (router's decision)
-- ARGV: now_ms, expires_ms, reservation_id, identity, role (P publisher / S subscriber),
--       video_kbps, audio_kbps, screen_kbps, limit_subs, limit_kbps, node_id, pin_ttl_ms,
--       room_to_grow_subs, room_to_grow_kbps: for a new room, what its expected size needs beyond this join
--       (the node must have that much free, though only this join's delta is reserved)
--
-- Returns {status, node_subs_after, node_kbps_after, room_cost_subs_after, room_participants_after}
-- status: "admitted" | "node-full" | "room-exceeds-node" | "pinned-elsewhere" (then [2] = pinned node)
local now, expires = tonumber(ARGV[1]), tonumber(ARGV[2])
local id, identity, role = ARGV[3], ARGV[4], ARGV[5]
local video_kbps, audio_kbps, screen_kbps = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local limit_subs, limit_kbps = tonumber(ARGV[9]), tonumber(ARGV[10])
local node, pin_ttl = ARGV[11], tonumber(ARGV[12])
local room_to_grow_subs, room_to_grow_kbps = tonumber(ARGV[13]), tonumber(ARGV[14])

-- A room never moves: a pin to another node wins over this attempt.
local pinned = redis.call('GET', KEYS[5])
if pinned and pinned ~= node then
  return {'pinned-elsewhere', pinned}
end

-- Reservations that were never turned into a join expire.
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)

local function field(key, name)
  return tonumber(redis.call('HGET', key, name) or '0') or 0
end

-- Node load = what the model counts + what live reservations promise.
local node_subs, node_kbps = field(KEYS[1], 'subscriptions'), field(KEYS[1], 'egress_kbps')
for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local _, subs, kbps = string.match(member, '^([^|]*)|(%d+)|(%d+)$')
  node_subs, node_kbps = node_subs + tonumber(subs), node_kbps + tonumber(kbps)
end

-- Room shape = the model's + reserved joins; publishers send camera + mic.
local n, p, s = field(KEYS[3], 'participants'), field(KEYS[3], 'publishers'), field(KEYS[3], 'screen_tracks')
for _, member in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do
  n = n + 1
  if string.match(member, '^[^|]*|[^|]*|P|') then p = p + 1 end
end

-- What this join adds (CapacityModel.deltaOfPublisher / deltaOfSubscriber):
-- a publisher is received by the n others and receives the p publishers; a subscriber receives p.
local streams = (role == 'P') and (n + p) or p
local delta_subs = 2 * streams + s
local delta_kbps = math.floor(streams * video_kbps + streams * audio_kbps + s * screen_kbps + 0.5)

-- The whole room after this join must fit one node on its own, or adding nodes cannot help.
local n2, p2 = n + 1, p + ((role == 'P') and 1 or 0)
local room_subs = 2 * p2 * (n2 - 1) + s * (n2 - 1)
local room_kbps = math.floor(p2 * (n2 - 1) * (video_kbps + audio_kbps) + s * (n2 - 1) * screen_kbps + 0.5)
if room_subs > limit_subs or room_kbps > limit_kbps then
  return {'room-exceeds-node', tostring(room_subs), tostring(room_kbps), tostring(room_subs), tostring(n2)}
end
if node_subs + delta_subs + room_to_grow_subs > limit_subs or node_kbps + delta_kbps + room_to_grow_kbps > limit_kbps then
  return {'node-full', tostring(node_subs), tostring(node_kbps), tostring(room_subs), tostring(n2)}
end

redis.call('ZADD', KEYS[2], expires, id .. '|' .. delta_subs .. '|' .. delta_kbps)
redis.call('ZADD', KEYS[4], expires, id .. '|' .. identity .. '|' .. role .. '|' .. delta_subs .. '|' .. delta_kbps .. '|' .. node)
redis.call('PEXPIRE', KEYS[2], expires - now + 60000)
redis.call('PEXPIRE', KEYS[4], expires - now + 60000)
redis.call('SET', KEYS[5], node, 'PX', pin_ttl)
return {'admitted', tostring(node_subs + delta_subs), tostring(node_kbps + delta_kbps), tostring(room_subs), tostring(n2)}
