-- Books one node of a region for a scheduled big room, atomically (compare-and-set): two concurrent
-- bookings can never take the same node.
-- KEYS[1] fleet:{r}:scheduled   hash: node id -> "room|participants|until epoch ms"
-- ARGV[1] now ms, ARGV[2] room, ARGV[3] the booking's value, ARGV[4..] candidate nodes, preferred first
-- Returns the booked node: the room's own live booking (updated) if it is on a candidate, else the
-- first candidate without a live booking; false when every candidate is booked for another room. A
-- booking of the room on a node that is no longer a candidate (gone) is dropped.
local now, room, value = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local function live_room(booking)
  local booked, untils = string.match(booking or '', '^(.*)|%d+|(%d+)$')
  if booked and tonumber(untils) > now then return booked end
  return nil
end
local candidate = {}
for i = 4, #ARGV do candidate[ARGV[i]] = true end
local bookings = redis.call('HGETALL', KEYS[1])
for i = 1, #bookings, 2 do
  if live_room(bookings[i + 1]) == room then
    if candidate[bookings[i]] then
      redis.call('HSET', KEYS[1], bookings[i], value)
      return bookings[i]
    end
    redis.call('HDEL', KEYS[1], bookings[i])
  end
end
for i = 4, #ARGV do
  if not live_room(redis.call('HGET', KEYS[1], ARGV[i])) then
    redis.call('HSET', KEYS[1], ARGV[i], value)
    return ARGV[i]
  end
end
return false
