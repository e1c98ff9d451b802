-- The one claim on a region's model (ModelClaim), held in its mark: "rebuilding <ms> <id>" while a
-- rebuild holds it (it expires unless renewed, so a rebuild whose instance died frees it),
-- "rebuilt <ms>" once the model is whole. Every rebuild path takes it; of two, one wins.
-- KEYS[1] = fleet:{region}:model, KEYS[2] = fleet:{region}:snapshot
-- ARGV[1] = claim-lost (only if the region has no mark: Redis lost the model), claim (unless a
--           rebuild holds it), renew, release, abandon
-- ARGV[2] = the claim ("rebuilding <ms> <id>"); ARGV[3] = ttl ms (claim, renew) or the rebuilt mark
-- (release); release: then partition / first offset not in the model, pairs. Returns 1 or 0 (refused).
local op, claim = ARGV[1], ARGV[2]
local mark = redis.call('GET', KEYS[1])
if op == 'claim-lost' or op == 'claim' then
  if (op == 'claim-lost' and mark) or (mark and string.sub(mark, 1, 11) == 'rebuilding ') then return 0 end
  redis.call('SET', KEYS[1], claim, 'PX', ARGV[3])
  return 1
end
-- expired, or Redis lost it with the model: what this rebuild wrote is no model
if mark ~= claim then return 0 end
if op == 'renew' then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
elseif op == 'release' then
  redis.call('DEL', KEYS[2])
  for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
  redis.call('SET', KEYS[1], ARGV[3])
else
  redis.call('DEL', KEYS[1])
end
return 1
