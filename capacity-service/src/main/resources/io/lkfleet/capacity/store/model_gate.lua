-- Shared by every script that writes a region's model (LuaScript.load puts it in front of each).
-- The model is written only while its mark says "rebuilt", or by the rebuild that holds the mark's
-- claim (model_claim.lua): while a region is rebuilt, or Redis lost its model (no mark), any other
-- write is refused with an error and its caller retries it later. So no instance, however many run,
-- writes into a wipe or into a half-built model (a write landing mid-wipe used to survive in part
-- and leave a node's counter short for good).
-- markKey = fleet:{region}:model; claim = the caller's claim, '' for live writers
local function modelClosed(markKey, claim)
  local mark = redis.call('GET', markKey)
  return not (mark and (string.sub(mark, 1, 8) == 'rebuilt ' or mark == claim))
end
local MODEL_CLOSED = 'MODEL_CLOSED the region\'s model is missing or being rebuilt; write again later'
