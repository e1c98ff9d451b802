-- Deletes KEYS[1] only while it still holds ARGV[1] (a pin or region claim this caller saw), so a
-- value another router instance wrote in between is never removed. Returns 1 if deleted, else 0.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
