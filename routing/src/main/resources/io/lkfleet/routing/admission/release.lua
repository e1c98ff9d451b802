-- Releases one reservation made by admit.lua (the join will not happen, e.g. CreateRoom failed),
-- with its identity's seat in the room and its tenant's count.
-- KEYS[1] fleet:{r}:node:<node>:reservations   KEYS[2] fleet:{r}:node:<node>:reserved
-- KEYS[3] fleet:{r}:room:<room>:reservations   KEYS[4] fleet:{r}:room:<room>:reserved
-- KEYS[5] fleet:{r}:tenant:<tenant>:reservations
-- ARGV[1] reservation id. Returns how many entries were removed (0, or 2).
local prefix = ARGV[1] .. '|'
local removed = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(member, 1, #prefix) == prefix then
    local _, subs, kbps = string.match(member, '^([^|]*)|(%d+)|(%d+)$')
    redis.call('HINCRBY', KEYS[2], 'subs', 0 - tonumber(subs))
    redis.call('HINCRBY', KEYS[2], 'kbps', 0 - tonumber(kbps))
    removed = removed + redis.call('ZREM', KEYS[1], member)
  end
end
for _, member in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  if string.sub(member, 1, #prefix) == prefix then
    local who, role = string.match(member, '^[^|]*|(.*)|([PS])|%d+|%d+|[^|]*$')
    redis.call('HINCRBY', KEYS[4], 'participants', -1)
    if role == 'P' then redis.call('HINCRBY', KEYS[4], 'publishers', -1) end
    local seat = redis.call('HGET', KEYS[4], 'seat:' .. who)
    if seat and string.sub(seat, -#member) == member then redis.call('HDEL', KEYS[4], 'seat:' .. who) end
    removed = removed + redis.call('ZREM', KEYS[3], member)
  end
end
redis.call('ZREM', KEYS[5], ARGV[1])
return removed
