-- Ends every booking of one room in a region; a node booked for another room meanwhile keeps it.
-- KEYS[1] fleet:{r}:scheduled   ARGV[1] room. Returns how many bookings ended.
local ended = 0
local bookings = redis.call('HGETALL', KEYS[1])
for i = 1, #bookings, 2 do
  if string.match(bookings[i + 1], '^(.*)|%d+|%d+$') == ARGV[1] then
    ended = ended + redis.call('HDEL', KEYS[1], bookings[i])
  end
end
return ended
