-- Applies LiveKit webhook events to a region's load model, one after another in the given order, each
-- once (idempotent by event id). A call takes several events so that the functions and tables below are
-- built once per call rather than once per event (they were a quarter of an event's cost in Redis); it
-- is atomic like any script, so Redis runs nothing else between its events.
-- State is kept per object (participant by sid, track by sid, egress by id) with terminal
-- tombstones, and the room's counts move with each object's change of state, so duplicates and
-- reordering within a room converge on the same state. Room, node and region counters move by the room's delta.
-- KEYS[1] = fleet:{region}:applied (declares the region's slot; every key used shares its tag),
-- KEYS[2] = fleet:{region}:model (the gate, model_gate.lua), KEYS[3] = fleet:{region}:snapshot
-- ARGV: prefix, kbit/s per forwarded video / audio / screen-share track, applied-id retention (s),
--       finished-room TTL (s), the writer's claim ('' for the live stream), then EVENT_ARGS per event:
--       event id, type, createdAt (epoch s), room, room sid, participant sid, track sid,
--       track kind (video|audio|screen|''), egress id, egress active (1|0), participant identity,
--       topic partition and offset of the event ('' for a rebuild's own)
-- Returns each event's outcome, in the events' order: applied, duplicate, before_snapshot, stale,
-- finished or unknown_room.
if modelClosed(KEYS[2], ARGV[7]) then return redis.error_reply(MODEL_CLOSED) end
local applied, snapshotKey = KEYS[1], KEYS[3]
local prefix = ARGV[1]
local videoKbps, audioKbps, screenKbps = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local retention, finishedTtl = tonumber(ARGV[5]), tonumber(ARGV[6])
local COMMON_ARGS, EVENT_ARGS = 7, 13
local totalsKey = prefix .. 'totals'

-- The event being applied and its room's keys: set by applyEvent for each event in turn, read by the
-- functions below.
local id, etype, created, room, roomSid, psid, tsid, kind, egressId, egressActive, identity
local roomKey, partsKey, tracksKey, egressKey, publishedKey
-- region-router's reservations of joins (admit.lua) and their sums
local reservedKey, roomReservations
-- Joined publishers whose reservation is still drawn from as the model counts their part (see
-- drawCounted): a set of identities, so a track costs O(those), not a read of the room's reservations.
local drawingKey
local FIELDS = { 'participants', 'publishers', 'subscribers', 'video_tracks', 'audio_tracks', 'screen_tracks',
  'video_subs', 'audio_subs', 'screen_subs', 'subscriptions', 'egress_kbps', 'egress_active' }
local MOVING = { 'participants', 'subscriptions', 'egress_kbps' }

-- The room's counted objects, kept up to date by each event's change of one object rather than
-- recounted (a room of 2,000 costs an event what a room of 4 does): active participants, their
-- live tracks by kind, active participants with a live track, running egress. Every change below
-- moves them exactly as the object's state moves, so duplicates and reordering still converge.
local COUNTED = { 'participants', 'publishers', 'video_tracks', 'audio_tracks', 'screen_tracks', 'egress_active' }
local KINDS = { video = 'video_tracks', audio = 'audio_tracks', screen = 'screen_tracks' }
local counts

-- What this event reads of the room's hash, read in one HMGET and kept while only this script's own
-- writes (which update it) touch those fields; forgotten (read again at the next use) after a finish
-- or a placement. The same for the room's participants, :published and seats below: an event reads
-- each once, not once per step (a track_published used to read its participant's state six times).
local ROOM_FIELDS = { 'sid', 'since', 'finished', 'published_by_owner', 'node', 'lost', 'empty_since' }
for _, f in ipairs(FIELDS) do ROOM_FIELDS[#ROOM_FIELDS + 1] = f end
local roomState

local function roomNow()
  if not roomState then
    local v = redis.call('HMGET', roomKey, unpack(ROOM_FIELDS))
    roomState = {}
    for i, f in ipairs(ROOM_FIELDS) do roomState[f] = v[i] end
  end
  return roomState
end

local function loadCounts()
  local room = roomNow()
  for _, f in ipairs(COUNTED) do counts[f] = tonumber(room[f]) or 0 end
end

-- A participant's state in the room's :participants ('J', 'L' or false), read once per event.
local partStates
local function partOf(participant)
  local state = partStates[participant]
  if state == nil then
    state = redis.call('HGET', partsKey, participant)
    partStates[participant] = state
  end
  return state
end

local function setPart(participant, state)
  redis.call('HSET', partsKey, participant, state)
  partStates[participant] = state
end

-- A participant's live tracks by kind: fields <sid>|<kind> of the room's :published hash (gone at 0).
-- Read once per event; moveTrack replaces (never changes) the table, so an earlier result stays as read.
local published
local function publishedBy(participant)
  local byKind = published[participant]
  if not byKind then
    local v = redis.call('HMGET', publishedKey, participant .. '|video', participant .. '|audio', participant .. '|screen')
    byKind = { video = tonumber(v[1]) or 0, audio = tonumber(v[2]) or 0, screen = tonumber(v[3]) or 0 }
    published[participant] = byKind
  end
  return byKind, byKind.video + byKind.audio + byKind.screen
end

-- The participant starts (sign 1) or stops (-1) being active: it and its live tracks count, or no longer.
local function activate(participant, sign)
  local byKind, live = publishedBy(participant)
  counts.participants = counts.participants + sign
  for kind, field in pairs(KINDS) do counts[field] = counts[field] + sign * byKind[kind] end
  if live > 0 then counts.publishers = counts.publishers + sign end
end

-- A live track of the participant appears (sign 1) or goes (-1); it counts while its owner is active.
local function moveTrack(participant, kind, sign)
  local byKind, before = publishedBy(participant)
  local field = participant .. '|' .. kind
  local now = redis.call('HINCRBY', publishedKey, field, sign)
  if now == 0 then redis.call('HDEL', publishedKey, field) end
  local moved = { video = byKind.video, audio = byKind.audio, screen = byKind.screen }
  moved[kind] = now
  published[participant] = moved
  if partOf(participant) ~= 'J' then return end
  counts[KINDS[kind]] = counts[KINDS[kind]] + sign
  if before == 0 then
    counts.publishers = counts.publishers + 1
  elseif before + sign == 0 then
    counts.publishers = counts.publishers - 1
  end
end

-- The room's shape from its counts: every active participant receives every track of the others.
local function shape()
  local n, others = counts.participants, math.max(counts.participants - 1, 0)
  local s = { participants = n, publishers = counts.publishers, subscribers = n - counts.publishers,
    video_tracks = counts.video_tracks, audio_tracks = counts.audio_tracks, screen_tracks = counts.screen_tracks,
    video_subs = counts.video_tracks * others, audio_subs = counts.audio_tracks * others,
    screen_subs = counts.screen_tracks * others, egress_active = counts.egress_active }
  s.subscriptions = s.video_subs + s.audio_subs + s.screen_subs
  s.egress_kbps = math.floor(s.video_subs * videoKbps + 0.5) + s.audio_subs * audioKbps + s.screen_subs * screenKbps
  return s
end

-- Stores the room's new shape (the fields whose value changed) and moves node and region counters by
-- the difference.
local function store(s)
  local old = roomNow()
  local args, written = {}, {}
  for _, f in ipairs(FIELDS) do
    local value = s[f]
    if tonumber(old[f]) ~= value then
      args[#args + 1] = f
      args[#args + 1] = value
      written[f] = value
    end
  end
  if #args > 0 then redis.call('HSET', roomKey, unpack(args)) end
  -- since when nobody is in the room (the reaper's idle rule): set as it empties, kept while it stays so
  local emptySince = old.empty_since
  if s.participants > 0 then
    if emptySince then redis.call('HDEL', roomKey, 'empty_since') end
    emptySince = false
  elseif not emptySince then
    redis.call('HSETNX', roomKey, 'empty_since', created)
    emptySince = created
  end
  local counted = old.node and old.node ~= '' and old.lost ~= '1'
  for _, f in ipairs(MOVING) do
    local delta = s[f] - (tonumber(old[f]) or 0)
    if delta ~= 0 then
      redis.call('HINCRBY', totalsKey, f, delta)
      if counted then redis.call('HINCRBY', nodeKeyOf(prefix, old.node), f, delta) end
    end
  end
  for f, value in pairs(written) do old[f] = value end
  old.empty_since = emptySince
end

-- Ends the room's current session: its load leaves the node and the region.
local function finish()
  redis.call('DEL', partsKey, tracksKey, egressKey, publishedKey, drawingKey)
  partStates, published = {}, {}
  for _, f in ipairs(COUNTED) do counts[f] = 0 end
  store(shape())
  local state = roomNow()
  if state.node and state.node ~= '' and state.lost ~= '1' then
    redis.call('HINCRBY', nodeKeyOf(prefix, state.node), 'rooms', -1)
    redis.call('SREM', nodeKeyOf(prefix, state.node) .. ':rooms', room)
  end
  redis.call('HSET', roomKey, 'finished', 1, 'node', '', 'lost', 0)
  redis.call('HDEL', roomKey, 'empty_since')
  -- the hash stays a while as the session's tombstone (its late events are ignored), then goes
  redis.call('EXPIRE', roomKey, finishedTtl)
  redis.call('HINCRBY', totalsKey, 'rooms', -1)
  redis.call('SREM', prefix .. 'rooms', room)
  roomState = nil
end

-- region-router reserved this participant's join (admit.lua). The reservation goes, in the same
-- script that adds the load it stood for, once the model counts that load: a watcher's at its
-- participant_joined; a publisher's once it published camera and mic (until then its own tracks
-- are not in the model); anyone's when it leaves. Reservations nobody releases expire in admit.lua.
-- Room reservation member: id|identity|P or S|subs|kbps|node; the node's: id|subs|kbps; the
-- ':reserved' hashes hold their sums.
-- The identity's live reservation, found through its seat: admit.lua keeps one seat per identity,
-- "seat:<identity>" = "<#tenant>:<tenant><member>", naming its one member (nil if none is live).
-- An identity found without one keeps none for the rest of the event (this script only releases
-- and rewrites live ones), so it is looked up once.
local seatless
local function seatOf(who)
  if seatless[who] then return nil end
  local seat = redis.call('HGET', reservedKey, 'seat:' .. who)
  local len, rest = string.match(seat or '', '^(%d+):(.*)$')
  if not len then
    seatless[who] = true
    return nil
  end
  local member = string.sub(rest, tonumber(len) + 1)
  local expires = redis.call('ZSCORE', roomReservations, member)
  local rid, holder, role, subs, kbps, node = string.match(member, '^([^|]*)|(.*)|([PS])|(%d+)|(%d+)|([^|]*)$')
  if not expires or holder ~= who then
    seatless[who] = true
    return nil
  end
  return { member = member, tenant = string.sub(rest, 1, tonumber(len)), rid = rid, role = role,
    subs = tonumber(subs), kbps = tonumber(kbps), node = node, expires = expires }
end

local function releaseReservation(roles)
  local r = seatOf(identity)
  if not r or not string.find(roles, r.role, 1, true) then return end
  -- The room is on the node the router created it on; the poller may not have seen it yet,
  -- and the load must be on a node before the reservation that stood for it goes.
  local placed = roomNow()
  if not placed.node or placed.node == '' or placed.lost == '1' then
    assignRoom(prefix, roomKey, room, r.node)
    roomState = nil
  end
  redis.call('ZREM', roomReservations, r.member)
  -- its seat and its tenant's count go too
  redis.call('HDEL', reservedKey, 'seat:' .. identity)
  redis.call('ZREM', tenantReservationsKeyOf(prefix, r.tenant), r.rid)
  redis.call('HINCRBY', reservedKey, 'participants', -1)
  if r.role == 'P' then redis.call('HINCRBY', reservedKey, 'publishers', -1) end
  redis.call('SREM', drawingKey, identity)
  local nodeKey = nodeKeyOf(prefix, r.node)
  if redis.call('ZREM', nodeKey .. ':reservations', r.rid .. '|' .. r.subs .. '|' .. r.kbps) == 1 then
    redis.call('HINCRBY', nodeKey .. ':reserved', 'subs', 0 - r.subs)
    redis.call('HINCRBY', nodeKey .. ':reserved', 'kbps', 0 - r.kbps)
  end
end

-- A publisher's reservation stands for what it will receive and what the others will receive of its
-- camera and mic, and goes once both are published. Until then each part the model starts counting
-- leaves the reservation as it is counted, or model + reservations would count it twice and
-- admission would refuse joins that fit (seen in the chaos scenario: model 2 + reserved 4 above a
-- limit of 5 on a node carrying one 2-person call): what it receives once joined, the others
-- receiving its tracks, and (while it is joined: its identity in the room's ':drawing' set) each
-- track of the others it receives from then on.
local KBPS = { video = videoKbps, audio = audioKbps, screen = screenKbps }

-- The participant's live tracks the model counts (by kind; none while it is not active).
local function countedTracks(participant)
  if partOf(participant) ~= 'J' then return { video = 0, audio = 0, screen = 0 } end
  return publishedBy(participant)
end

-- Subscriptions and kbit/s of `tracks` (by kind) forwarded `times` times each.
local function cost(tracks, times)
  local subs, kbps = 0, 0
  for k in pairs(KINDS) do
    subs = subs + tracks[k] * times
    kbps = kbps + tracks[k] * times * KBPS[k]
  end
  return subs, math.floor(kbps + 0.5)
end

-- Draws subs/kbps from the pending publisher reservation of `who`, if it has one; its member, node
-- entry, node sums and seat are rewritten. False if `who` holds no live publisher reservation.
local function drawReservation(who, subs, kbps)
  local r = seatOf(who)
  if not r or r.role ~= 'P' then return false end
  local left, leftKbps = math.max(0, r.subs - subs), math.max(0, r.kbps - kbps)
  if left == r.subs and leftKbps == r.kbps then return true end
  local renamed = r.rid .. '|' .. who .. '|P|' .. left .. '|' .. leftKbps .. '|' .. r.node
  redis.call('ZADD', roomReservations, r.expires, renamed)
  redis.call('ZREM', roomReservations, r.member)
  redis.call('HSET', reservedKey, 'seat:' .. who, #r.tenant .. ':' .. r.tenant .. renamed)
  local nodeKey = nodeKeyOf(prefix, r.node)
  local old = r.rid .. '|' .. r.subs .. '|' .. r.kbps
  local expires = redis.call('ZSCORE', nodeKey .. ':reservations', old)
  if expires then
    redis.call('ZREM', nodeKey .. ':reservations', old)
    redis.call('ZADD', nodeKey .. ':reservations', expires, r.rid .. '|' .. left .. '|' .. leftKbps)
    redis.call('HINCRBY', nodeKey .. ':reserved', 'subs', left - r.subs)
    redis.call('HINCRBY', nodeKey .. ':reserved', 'kbps', leftKbps - r.kbps)
  end
  return true
end

-- After an event of this participant: `before` = its counted tracks before the event. Its own part
-- now counted leaves its reservation; its newly counted tracks leave those of the joined others.
local function drawCounted(before, wasActive)
  local now = countedTracks(psid)
  if partOf(psid) ~= 'J' then return end
  local others = counts.participants - 1
  local newly = {}
  for k in pairs(KINDS) do newly[k] = math.max(0, now[k] - before[k]) end
  local subs, kbps = cost(newly, others)
  if not wasActive then
    -- it just joined: it receives every counted track of the others
    local received = {}
    for k, field in pairs(KINDS) do received[k] = counts[field] - now[k] end
    local rs, rk = cost(received, 1)
    subs, kbps = subs + rs, kbps + rk
    local own = seatOf(identity)
    if own and own.role == 'P' then redis.call('SADD', drawingKey, identity) end
  end
  if subs > 0 or kbps > 0 then drawReservation(identity, subs, kbps) end
  local each, eachKbps = cost(newly, 1)
  if each > 0 then
    for _, who in ipairs(redis.call('SMEMBERS', drawingKey)) do
      -- one whose reservation expired unreleased is no longer drawn from
      if who ~= identity and not drawReservation(who, each, eachKbps) then redis.call('SREM', drawingKey, who) end
    end
  end
end

local function start()
  redis.call('HSET', roomKey, 'sid', roomSid, 'since', created, 'finished', 0)
  if roomNow().empty_since then redis.call('HDEL', roomKey, 'empty_since') end
  redis.call('PERSIST', roomKey)
  redis.call('HINCRBY', totalsKey, 'rooms', 1)
  redis.call('SADD', prefix .. 'rooms', room)
  local state = roomNow()
  state.sid, state.since, state.finished, state.empty_since = roomSid, created, '0', false
end

-- the rebuild's snapshot: partition -> the first offset the model does not hold (false: none)
local resumeAt, trimmedTo = {}, nil

local function applyEvent(at)
  id, etype, created, room, roomSid = ARGV[at + 1], ARGV[at + 2], tonumber(ARGV[at + 3]), ARGV[at + 4], ARGV[at + 5]
  psid, tsid, kind, egressId, egressActive = ARGV[at + 6], ARGV[at + 7], ARGV[at + 8], ARGV[at + 9], ARGV[at + 10]
  identity = ARGV[at + 11]
  local partition, offset = ARGV[at + 12], ARGV[at + 13]
  -- the rebuild read LiveKit after this event happened, so its effect is in the model already
  if partition ~= '' then
    if resumeAt[partition] == nil then resumeAt[partition] = tonumber(redis.call('HGET', snapshotKey, partition)) or false end
    if resumeAt[partition] and tonumber(offset) < resumeAt[partition] then return 'before_snapshot' end
  end
  -- NX: the id is recorded unless it is there already, which makes this event a duplicate
  if redis.call('ZADD', applied, 'NX', created, id) == 0 then
    return 'duplicate'
  end
  -- ids older than the retention go; again only when the bound moved (an equal bound removes nothing more)
  local keepFrom = created - retention
  if keepFrom ~= trimmedTo then
    redis.call('ZREMRANGEBYSCORE', applied, '-inf', '(' .. keepFrom)
    trimmedTo = keepFrom
  end

  roomKey = roomKeyOf(prefix, room)
  partsKey, tracksKey, egressKey = roomKey .. ':participants', roomKey .. ':tracks', roomKey .. ':egress'
  publishedKey = roomKey .. ':published'
  reservedKey, roomReservations = roomKey .. ':reserved', roomKey .. ':reservations'
  drawingKey = roomKey .. ':drawing'
  counts, roomState, partStates, published, seatless = {}, nil, {}, {}, {}

  local session = roomNow()
  if roomSid ~= '' and session.sid ~= roomSid then
    if not session.sid or session.sid == '' then
      start()
    elseif created < (tonumber(session.since) or 0) then
      return 'stale'
    else
      -- the room name is reused by a new session: the old one no longer counts
      if session.finished ~= '1' then finish() end
      start()
    end
  else
    if session.sid and created < (tonumber(session.since) or 0) then
      -- the session starts at its earliest event, whatever order they arrive in
      redis.call('HSET', roomKey, 'since', created)
      session.since = created
    end
    if session.finished == '1' then return 'finished' end
    if not session.sid then return 'unknown_room' end
  end

  -- a room counted before :published existed gets it once, from its tracks
  if not roomNow().published_by_owner and redis.call('HSETNX', roomKey, 'published_by_owner', 1) == 1 then
    roomNow().published_by_owner = '1'
    local tracks = redis.call('HGETALL', tracksKey)
    for i = 1, #tracks, 2 do
      local owner, kind = string.match(tracks[i + 1], '^(.*)|(%a+)$')
      if owner and KINDS[kind] then redis.call('HINCRBY', publishedKey, owner .. '|' .. kind, 1) end
    end
  end
  loadCounts()
  if etype == 'room_finished' then
    finish()
    return 'applied'
  elseif etype == 'participant_joined' then
    if not partOf(psid) then
      setPart(psid, 'J')
      activate(psid, 1)
      drawCounted({ video = 0, audio = 0, screen = 0 }, false)
    end
    releaseReservation('S')
  elseif etype == 'participant_left' or etype == 'participant_connection_aborted' then
    if partOf(psid) == 'J' then activate(psid, -1) end
    setPart(psid, 'L')
    releaseReservation('PS')
    redis.call('SREM', drawingKey, identity)
  elseif etype == 'track_published' and KINDS[kind] then
    local wasActive = partOf(psid) == 'J'
    local before = countedTracks(psid)
    if not redis.call('HGET', tracksKey, tsid) then
      redis.call('HSET', tracksKey, tsid, psid .. '|' .. kind)
      moveTrack(psid, kind, 1)
    end
    -- media from a participant proves it is active even if its participant_joined is still to come
    if not partOf(psid) then
      setPart(psid, 'J')
      activate(psid, 1)
    end
    local _, live = publishedBy(psid)
    drawCounted(before, wasActive)
    if live >= 2 then releaseReservation('PS') end
  elseif etype == 'track_unpublished' then
    local was = redis.call('HGET', tracksKey, tsid)
    redis.call('HSET', tracksKey, tsid, 'U')
    local owner, k = string.match(was or '', '^(.*)|(%a+)$')
    if owner and KINDS[k] then moveTrack(owner, k, -1) end
  elseif (etype == 'egress_started' or etype == 'egress_updated') and egressId ~= '' then
    local was = redis.call('HGET', egressKey, egressId)
    if was ~= 'E' then
      local now = egressActive == '1' and 'A' or 'E'
      redis.call('HSET', egressKey, egressId, now)
      counts.egress_active = counts.egress_active + (now == 'A' and 1 or 0) - (was == 'A' and 1 or 0)
    end
  elseif etype == 'egress_ended' and egressId ~= '' then
    if redis.call('HGET', egressKey, egressId) == 'A' then counts.egress_active = counts.egress_active - 1 end
    redis.call('HSET', egressKey, egressId, 'E')
  end
  store(shape())
  return 'applied'
end

local outcomes = {}
for at = COMMON_ARGS, #ARGV - 1, EVENT_ARGS do
  outcomes[#outcomes + 1] = applyEvent(at)
end
return outcomes
