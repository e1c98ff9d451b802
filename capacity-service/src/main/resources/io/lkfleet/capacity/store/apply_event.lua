-- Applies one LiveKit webhook event to a region's load model, atomically and idempotently.
-- State is kept per object (participant by sid, track by sid, egress by id) with terminal
-- tombstones, and the room's shape is recomputed from it, so duplicates and reordering within a
-- room converge on the same state. Room, node and region counters move by the room's delta.
-- KEYS[1] = fleet:{region}:applied (declares the region's slot; every key used shares its tag),
-- KEYS[2] = fleet:{region}:model (the gate, model_gate.lua), KEYS[3] = fleet:{region}:snapshot
-- ARGV: prefix, event id, type, createdAt (epoch s), room, room sid, participant sid, track sid,
--       track kind (video|audio|screen|''), egress id, egress active (1|0),
--       kbit/s per forwarded video / audio / screen-share track, applied-id retention (s),
--       participant identity, finished-room TTL (s), topic partition and offset of the event
--       ('' for a rebuild's own), the writer's claim ('' for the live stream)
if modelClosed(KEYS[2], ARGV[20]) then return redis.error_reply(MODEL_CLOSED) end
-- the rebuild read LiveKit after this event happened, so its effect is in the model already
local resumeAt = ARGV[18] ~= '' and tonumber(redis.call('HGET', KEYS[3], ARGV[18]))
if resumeAt and tonumber(ARGV[19]) < resumeAt then return 'before_snapshot' end
local applied = KEYS[1]
local prefix, id, etype, created, room, roomSid = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
local psid, tsid, kind, egressId, egressActive = ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11]
local videoKbps, audioKbps, screenKbps = tonumber(ARGV[12]), tonumber(ARGV[13]), tonumber(ARGV[14])
local retention = tonumber(ARGV[15])
local identity = ARGV[16]
local finishedTtl = tonumber(ARGV[17])

if redis.call('ZSCORE', applied, id) then
  return 'duplicate'
end
redis.call('ZADD', applied, created, id)
redis.call('ZREMRANGEBYSCORE', applied, '-inf', '(' .. (created - retention))

local roomKey = roomKeyOf(prefix, room)
local partsKey, tracksKey, egressKey = roomKey .. ':participants', roomKey .. ':tracks', roomKey .. ':egress'
local totalsKey = prefix .. 'totals'
local FIELDS = { 'participants', 'publishers', 'subscribers', 'video_tracks', 'audio_tracks', 'screen_tracks',
  'video_subs', 'audio_subs', 'screen_subs', 'subscriptions', 'egress_kbps', 'egress_active' }
local MOVING = { 'participants', 'subscriptions', 'egress_kbps' }

-- The room's shape from its object states: every active participant receives every track of the others.
local function summarize()
  local active, n = {}, 0
  local parts = redis.call('HGETALL', partsKey)
  for i = 1, #parts, 2 do
    if parts[i + 1] == 'J' then
      active[parts[i]] = true
      n = n + 1
    end
  end
  local counts, publishers, np = { video = 0, audio = 0, screen = 0 }, {}, 0
  local tracks = redis.call('HGETALL', tracksKey)
  for i = 1, #tracks, 2 do
    local owner, k = string.match(tracks[i + 1], '^(.*)|(%a+)$')
    if owner and active[owner] and counts[k] then
      counts[k] = counts[k] + 1
      if not publishers[owner] then
        publishers[owner] = true
        np = np + 1
      end
    end
  end
  local egress = 0
  local eg = redis.call('HGETALL', egressKey)
  for i = 1, #eg, 2 do
    if eg[i + 1] == 'A' then egress = egress + 1 end
  end
  local others = math.max(n - 1, 0)
  local s = { participants = n, publishers = np, subscribers = n - np, video_tracks = counts.video,
    audio_tracks = counts.audio, screen_tracks = counts.screen, video_subs = counts.video * others,
    audio_subs = counts.audio * others, screen_subs = counts.screen * others, egress_active = egress }
  s.subscriptions = s.video_subs + s.audio_subs + s.screen_subs
  s.egress_kbps = math.floor(s.video_subs * videoKbps + 0.5) + s.audio_subs * audioKbps + s.screen_subs * screenKbps
  return s
end

-- Stores the room's new shape and moves node and region counters by the difference.
local function store(s)
  local old = redis.call('HMGET', roomKey, 'participants', 'subscriptions', 'egress_kbps', 'node', 'lost')
  local args = {}
  for _, f in ipairs(FIELDS) do
    args[#args + 1] = f
    args[#args + 1] = s[f]
  end
  redis.call('HSET', roomKey, unpack(args))
  -- since when nobody is in the room (the reaper's idle rule): set as it empties, kept while it stays so
  if s.participants > 0 then
    redis.call('HDEL', roomKey, 'empty_since')
  else
    redis.call('HSETNX', roomKey, 'empty_since', created)
  end
  local counted = old[4] and old[4] ~= '' and old[5] ~= '1'
  for i, f in ipairs(MOVING) do
    local delta = s[f] - (tonumber(old[i]) or 0)
    if delta ~= 0 then
      redis.call('HINCRBY', totalsKey, f, delta)
      if counted then redis.call('HINCRBY', nodeKeyOf(prefix, old[4]), f, delta) end
    end
  end
end

-- Ends the room's current session: its load leaves the node and the region.
local function finish()
  redis.call('DEL', partsKey, tracksKey, egressKey)
  store(summarize())
  local state = redis.call('HMGET', roomKey, 'node', 'lost')
  if state[1] and state[1] ~= '' and state[2] ~= '1' then
    redis.call('HINCRBY', nodeKeyOf(prefix, state[1]), 'rooms', -1)
    redis.call('SREM', nodeKeyOf(prefix, state[1]) .. ':rooms', room)
  end
  redis.call('HSET', roomKey, 'finished', 1, 'node', '', 'lost', 0)
  redis.call('HDEL', roomKey, 'empty_since')
  -- the hash stays a while as the session's tombstone (its late events are ignored), then goes
  redis.call('EXPIRE', roomKey, finishedTtl)
  redis.call('HINCRBY', totalsKey, 'rooms', -1)
  redis.call('SREM', prefix .. 'rooms', room)
end

-- region-router reserved this participant's join (admit.lua). The reservation goes, in the same
-- script that adds the load it stood for, once the model counts that load: a watcher's at its
-- participant_joined; a publisher's once it published camera and mic (until then its own tracks
-- are not in the model); anyone's when it leaves. Reservations nobody releases expire in admit.lua.
-- Room reservation member: id|identity|P or S|subs|kbps|node; the node's: id|subs|kbps; the
-- ':reserved' hashes hold their sums.
local function releaseReservation(roles)
  local roomReservations = roomKey .. ':reservations'
  for _, member in ipairs(redis.call('ZRANGE', roomReservations, 0, -1)) do
    local rid, who, role, subs, kbps, node = string.match(member, '^([^|]*)|([^|]*)|([PS])|(%d+)|(%d+)|(.*)$')
    if who == identity and string.find(roles, role, 1, true) then
      -- The room is on the node the router created it on; the poller may not have seen it yet,
      -- and the load must be on a node before the reservation that stood for it goes.
      local placed = redis.call('HMGET', roomKey, 'node', 'lost')
      if not placed[1] or placed[1] == '' or placed[2] == '1' then assignRoom(prefix, roomKey, room, node) end
      redis.call('ZREM', roomReservations, member)
      -- its seat (admit.lua: "seat:<identity>" = "<#tenant>:<tenant><member>") and its tenant's count go too
      local seat = redis.call('HGET', roomKey .. ':reserved', 'seat:' .. who)
      local len, rest = string.match(seat or '', '^(%d+):(.*)$')
      if len and string.sub(rest, tonumber(len) + 1) == member then
        redis.call('HDEL', roomKey .. ':reserved', 'seat:' .. who)
        redis.call('ZREM', tenantReservationsKeyOf(prefix, string.sub(rest, 1, tonumber(len))), rid)
      end
      redis.call('HINCRBY', roomKey .. ':reserved', 'participants', -1)
      if role == 'P' then redis.call('HINCRBY', roomKey .. ':reserved', 'publishers', -1) end
      local nodeKey = nodeKeyOf(prefix, node)
      if redis.call('ZREM', nodeKey .. ':reservations', rid .. '|' .. subs .. '|' .. kbps) == 1 then
        redis.call('HINCRBY', nodeKey .. ':reserved', 'subs', 0 - tonumber(subs))
        redis.call('HINCRBY', nodeKey .. ':reserved', 'kbps', 0 - tonumber(kbps))
      end
      return
    end
  end
end

-- Tracks the participant publishes now (tombstoned ones excluded).
local function publishedBy(participant)
  local count = 0
  local tracks = redis.call('HVALS', tracksKey)
  for _, owner in ipairs(tracks) do
    if string.sub(owner, 1, #participant + 1) == participant .. '|' then count = count + 1 end
  end
  return count
end

local function start()
  redis.call('HSET', roomKey, 'sid', roomSid, 'since', created, 'finished', 0)
  redis.call('HDEL', roomKey, 'empty_since')
  redis.call('PERSIST', roomKey)
  redis.call('HINCRBY', totalsKey, 'rooms', 1)
  redis.call('SADD', prefix .. 'rooms', room)
end

local session = redis.call('HMGET', roomKey, 'sid', 'since', 'finished')
if roomSid ~= '' and session[1] ~= roomSid then
  if not session[1] or session[1] == '' then
    start()
  elseif created < (tonumber(session[2]) or 0) then
    return 'stale'
  else
    -- the room name is reused by a new session: the old one no longer counts
    if session[3] ~= '1' then finish() end
    start()
  end
else
  if session[1] and created < (tonumber(session[2]) or 0) then
    -- the session starts at its earliest event, whatever order they arrive in
    redis.call('HSET', roomKey, 'since', created)
  end
  if session[3] == '1' then return 'finished' end
  if not session[1] then return 'unknown_room' end
end

if etype == 'room_finished' then
  finish()
  return 'applied'
elseif etype == 'participant_joined' then
  if redis.call('HGET', partsKey, psid) ~= 'L' then redis.call('HSET', partsKey, psid, 'J') end
  releaseReservation('S')
elseif etype == 'participant_left' or etype == 'participant_connection_aborted' then
  redis.call('HSET', partsKey, psid, 'L')
  releaseReservation('PS')
elseif etype == 'track_published' and kind ~= '' then
  if not redis.call('HGET', tracksKey, tsid) then redis.call('HSET', tracksKey, tsid, psid .. '|' .. kind) end
  -- media from a participant proves it is active even if its participant_joined is still to come
  if not redis.call('HGET', partsKey, psid) then redis.call('HSET', partsKey, psid, 'J') end
  if publishedBy(psid) >= 2 then releaseReservation('PS') end
elseif etype == 'track_unpublished' then
  redis.call('HSET', tracksKey, tsid, 'U')
elseif (etype == 'egress_started' or etype == 'egress_updated') and egressId ~= '' then
  if redis.call('HGET', egressKey, egressId) ~= 'E' then
    redis.call('HSET', egressKey, egressId, egressActive == '1' and 'A' or 'E')
  end
elseif etype == 'egress_ended' and egressId ~= '' then
  redis.call('HSET', egressKey, egressId, 'E')
end
store(summarize())
return 'applied'
