-- lkfleet's key layout in Lua: the one twin of io.lkfleet.common.contract.RedisKeys (LuaScript puts
-- it in front of every script). A room name or node id becomes part of a key only through encodeName,
-- byte for byte what RedisKeys.encode does: every byte outside [A-Za-z0-9._-] is written %XX.
local function encodeName(name)
  return (string.gsub(name, '[^A-Za-z0-9%._%-]', function(c) return string.format('%%%02X', string.byte(c)) end))
end

-- fleet:{region}:room:<room>, given the region's prefix fleet:{region}:
local function roomKeyOf(prefix, room)
  return prefix .. 'room:' .. encodeName(room)
end

-- fleet:{region}:node:<node>
local function nodeKeyOf(prefix, node)
  return prefix .. 'node:' .. encodeName(node)
end

-- fleet:{region}:tenant:<tenant>:reservations (region-router's count of a tenant's live reservations)
local function tenantReservationsKeyOf(prefix, tenant)
  return prefix .. 'tenant:' .. encodeName(tenant) .. ':reservations'
end
