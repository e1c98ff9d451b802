-- Atomic admission of one join on one node (design §2, region-router).
-- All keys share the region's {hash tag}, so this runs in one slot on Redis Cluster too.
--
-- KEYS[1] fleet:{r}:node:<node>                 model load (capacity-service): subscriptions, egress_kbps
-- KEYS[2] fleet:{r}:node:<node>:reservations    zset: member "<id>|<subs>|<kbps>", score = expiry ms
-- KEYS[3] fleet:{r}:node:<node>:reserved        hash: subs, kbps = sums over KEYS[2]
-- KEYS[4] fleet:{r}:room:<room>                 model shape (capacity-service): participants, publishers, screen_tracks
-- KEYS[5] fleet:{r}:room:<room>:reservations    zset: member "<id>|<identity>|<P|S>|<subs>|<kbps>|<node>", score = expiry ms
-- KEYS[6] fleet:{r}:room:<room>:reserved        hash: participants, publishers = counts over KEYS[5]
-- KEYS[7] fleet:{r}:pin:<room>                  the node this room is pinned to (router's decision)
-- KEYS[8] fleet:{r}:model                       capacity-service's mark: "rebuilt <ms>" once the model is whole
--                                               (RedisKeys.MODEL_REBUILT)
-- KEYS[9] fleet:{r}:tenant:<tenant>:reservations zset: member reservation id, score = expiry ms
-- One seat per (room, identity): KEYS[6]'s field "seat:<identity>" = "<#tenant>:<tenant><room member>"
-- names that identity's live reservation; a repeated request refreshes it instead of adding one.
-- capacity-service's apply_event.lua removes a participant's entries (and their sums) when it joins.
-- ARGV: now_ms, expires_ms, reservation_id, identity, role (P publisher / S subscriber),
--       video_kbps, audio_kbps, screen_kbps, limit_subs, limit_kbps, node_id, pin_ttl_ms,
--       room_to_grow_subs, room_to_grow_kbps: for a new room, what its expected size needs beyond
--       this join (the node must have that much free, though only this join's delta is reserved),
--       pinned_only: '1' admits only a room already pinned to node_id (else "not-pinned", nothing reserved),
--       tenant, max_tenant_reservations (outstanding reservations of the tenant in the region)
--
-- Returns {status, node_subs_after, node_kbps_after, room_cost_subs_after, room_participants_after,
--          reservation_id (admitted: the new one, or the identity's refreshed one)}
-- status: "admitted" | "node-full" | "room-exceeds-node" | "pinned-elsewhere" (then [2] = pinned node)
--         | "not-pinned" (pinned_only, and the room has no pin)
--         | "model-not-ready" (no mark, or a rebuild is replaying the topic: the model may under-count)
--         | "reservation-limit" (the tenant holds max_tenant_reservations live reservations in the region)
-- The sums make the cost of a check independent of how many reservations are live.
-- Every redis.call costs Redis a command look-up, an ACL check, key look-ups and reply conversions, and
-- this script runs once per token: fields of one hash are read with one HMGET, numbers Redis takes back
-- are passed as the strings they came in as (a Lua number is formatted anew for every call), and nothing
-- is removed where nothing expired (issue 15: 27 calls per admission of a room that exists, now 18).
local now, expires = tonumber(ARGV[1]), tonumber(ARGV[2])
local now_arg, expires_arg, pin_ttl_arg = ARGV[1], ARGV[2], ARGV[12]
local id, identity, role = ARGV[3], ARGV[4], ARGV[5]
local video_kbps, audio_kbps, screen_kbps = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local limit_subs, limit_kbps = tonumber(ARGV[9]), tonumber(ARGV[10])
local node = ARGV[11]
local room_to_grow_subs, room_to_grow_kbps = tonumber(ARGV[13]), tonumber(ARGV[14])
local tenant, max_tenant = ARGV[16], tonumber(ARGV[17])
local seat_field = 'seat:' .. identity

-- Admitting against a model that lkfleet's Redis lost, or that is still being replayed, could
-- overbook a node: nothing is decided until capacity-service marks the region's model whole.
local mark_and_pin = redis.call('MGET', KEYS[8], KEYS[7])
local mark, pinned = mark_and_pin[1], mark_and_pin[2]
if not mark or string.sub(mark, 1, 8) ~= 'rebuilt ' then
  return {'model-not-ready'}
end

-- A room never moves: a pin to another node wins over this attempt.
if pinned and pinned ~= node then
  return {'pinned-elsewhere', pinned}
end
if not pinned and ARGV[15] == '1' then
  return {'not-pinned'}
end

-- A seat: who holds it (tenant) and its reservation's room member; nil if the field is not a seat.
local function parse_seat(value)
  local len, rest = string.match(value or '', '^(%d+):(.*)$')
  if not len then return nil end
  return string.sub(rest, 1, tonumber(len)), string.sub(rest, tonumber(len) + 1)
end

-- Gives up one room reservation member: the room's counts, its identity's seat, and (when they are
-- this script's keys) its node entry and its tenant's count. A node or tenant entry outside them
-- (a room re-placed from a dead node) just expires.
local function drop(member, with_node)
  local rid, who, r, subs, kbps, on = string.match(member, '^([^|]*)|(.*)|([PS])|(%d+)|(%d+)|([^|]*)$')
  redis.call('ZREM', KEYS[5], member)
  redis.call('HINCRBY', KEYS[6], 'participants', -1)
  if r == 'P' then redis.call('HINCRBY', KEYS[6], 'publishers', -1) end
  local holder, held = parse_seat(redis.call('HGET', KEYS[6], 'seat:' .. who))
  if held == member then
    redis.call('HDEL', KEYS[6], 'seat:' .. who)
    if holder == tenant then redis.call('ZREM', KEYS[9], rid) end
  end
  if with_node and on == node and redis.call('ZREM', KEYS[2], rid .. '|' .. subs .. '|' .. kbps) == 1 then
    redis.call('HINCRBY', KEYS[3], 'subs', 0 - tonumber(subs))
    redis.call('HINCRBY', KEYS[3], 'kbps', 0 - tonumber(kbps))
  end
end

-- Reservations of joins that never happened expire, and leave the sums and their seats.
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now_arg)
if #expired > 0 then
  local subs, kbps = 0, 0
  for _, member in ipairs(expired) do
    local _, s, k = string.match(member, '^([^|]*)|(%d+)|(%d+)$')
    subs, kbps = subs + tonumber(s), kbps + tonumber(k)
  end
  redis.call('HINCRBY', KEYS[3], 'subs', 0 - subs)
  redis.call('HINCRBY', KEYS[3], 'kbps', 0 - kbps)
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now_arg)
end
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now_arg)) do
  drop(member, false)
end
redis.call('ZREMRANGEBYSCORE', KEYS[9], '-inf', now_arg)

local function number(value)
  return tonumber(value or '0') or 0
end

-- This identity's seat in the room, if it is live, and the room's reserved joins.
local reserved = redis.call('HMGET', KEYS[6], seat_field, 'participants', 'publishers')
local seat_tenant, seat_member = parse_seat(reserved[1])
if seat_member and not redis.call('ZSCORE', KEYS[5], seat_member) then
  redis.call('HDEL', KEYS[6], seat_field)
  seat_member = nil
end
local refresh = false
if seat_member then
  local rid, _, r, subs, kbps, on = string.match(seat_member, '^([^|]*)|(.*)|([PS])|(%d+)|(%d+)|([^|]*)$')
  if r == role and on == node and seat_tenant == tenant then
    refresh = {rid, subs, kbps}
  else
    -- asked again as something else (role, node, tenant): the old seat goes, the join is priced afresh
    drop(seat_member, true)
    reserved = redis.call('HMGET', KEYS[6], seat_field, 'participants', 'publishers')
  end
end

-- Node load = what the model counts + what live reservations promise.
local node_model = redis.call('HMGET', KEYS[1], 'subscriptions', 'egress_kbps')
local node_reserved = redis.call('HMGET', KEYS[3], 'subs', 'kbps')
local node_subs = number(node_model[1]) + number(node_reserved[1])
local node_kbps = number(node_model[2]) + number(node_reserved[2])
-- Room shape = the model's + reserved joins; publishers send camera + mic.
-- A lost room (its node died) has no one left on it: only the joins reserved since count.
local room_model = redis.call('HMGET', KEYS[4], 'lost', 'participants', 'publishers', 'screen_tracks')
if room_model[1] == '1' then
  room_model = {}
end
local n = number(room_model[2]) + number(reserved[2])
local p = number(room_model[3]) + number(reserved[3])
local s = number(room_model[4])

local keep = tostring(expires - now + 60000)

-- A repeated request of a live seat: the same reservation lasts longer; nothing is added.
if refresh then
  local rid, subs, kbps = refresh[1], refresh[2], refresh[3]
  redis.call('ZADD', KEYS[2], 'XX', expires_arg, rid .. '|' .. subs .. '|' .. kbps)
  redis.call('ZADD', KEYS[5], 'XX', expires_arg, seat_member)
  redis.call('ZADD', KEYS[9], 'XX', expires_arg, rid)
  for _, key in ipairs({KEYS[2], KEYS[3], KEYS[5], KEYS[6], KEYS[9]}) do redis.call('PEXPIRE', key, keep) end
  redis.call('SET', KEYS[7], node, 'PX', pin_ttl_arg)
  local room_subs = 2 * p * (n - 1) + s * (n - 1)
  return {'admitted', tostring(node_subs), tostring(node_kbps), tostring(room_subs), tostring(n), rid}
end

-- Reservations nobody used are free seats held: a tenant's outstanding ones are capped per region.
if redis.call('ZCARD', KEYS[9]) >= max_tenant then
  return {'reservation-limit'}
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

local subs_arg, kbps_arg = tostring(delta_subs), tostring(delta_kbps)
local member = id .. '|' .. identity .. '|' .. role .. '|' .. subs_arg .. '|' .. kbps_arg .. '|' .. node
redis.call('ZADD', KEYS[2], expires_arg, id .. '|' .. subs_arg .. '|' .. kbps_arg)
redis.call('HINCRBY', KEYS[3], 'subs', subs_arg)
redis.call('HINCRBY', KEYS[3], 'kbps', kbps_arg)
redis.call('ZADD', KEYS[5], expires_arg, member)
redis.call('HINCRBY', KEYS[6], 'participants', '1')
if role == 'P' then redis.call('HINCRBY', KEYS[6], 'publishers', '1') end
redis.call('HSET', KEYS[6], seat_field, #tenant .. ':' .. tenant .. member)
redis.call('ZADD', KEYS[9], expires_arg, id)
-- Idle keys go once every reservation in them has expired.
for _, key in ipairs({KEYS[2], KEYS[3], KEYS[5], KEYS[6], KEYS[9]}) do redis.call('PEXPIRE', key, keep) end
redis.call('SET', KEYS[7], node, 'PX', pin_ttl_arg)
return {'admitted', tostring(node_subs + delta_subs), tostring(node_kbps + delta_kbps), tostring(room_subs), tostring(n2), id}
