-- Releases one reservation made by admit.lua (the join will not happen, e.g. CreateRoom failed).
-- KEYS[1] fleet:{r}:node:<node>:reservations   KEYS[2] fleet:{r}:room:<room>:reservations
-- ARGV[1] reservation id. Returns how many entries were removed (0, or 2).
local removed = 0
for i = 1, 2 do
  for _, member in ipairs(redis.call('ZRANGE', KEYS[i], 0, -1)) do
    if string.sub(member, 1, #ARGV[1] + 1) == ARGV[1] .. '|' then
      removed = removed + redis.call('ZREM', KEYS[i], member)
    end
  end
end
return removed
