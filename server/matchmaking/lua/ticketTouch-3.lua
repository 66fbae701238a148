--[[
  Keeps a waiting ticket alive from the node its player is connected to, and answers what queue:status
  shows. A connection with a newer epoch (the player reconnected) adopts the ticket, so a disconnect
  timer on the old node no longer removes it; an older connection is told it lost the ticket.

  Input:
    KEYS[1] ticket hash            ({q:<queue>}:t:<ticketId>)
    KEYS[2] queue GEO set          ({q:<queue>}:geo)
    KEYS[3] queue by-time set      ({q:<queue>}:bytime)
    ARGV[1] ticketId
    ARGV[2] ticket TTL (ms)
    ARGV[3] queue sets TTL (ms)
    ARGV[4] connection epoch of the player's socket on the calling node
    ARGV[5] calling node id
    ARGV[6] current search radius (km) for the players-in-range count; 0 skips the count
    ARGV[7] cap of that count (COUNT ... ANY keeps it cheap)

  Output: { code, countOrMatchId, joinedAt }
     1  refreshed; second item = other tickets within the radius (capped), third = joinedAt (ms)
    -1  MISSING     (expired)
    -2  CLAIMED     (second item = matchId)
    -3  MOVED       (now in the worldwide queue)
    -4  SUPERSEDED  (a newer connection owns it)
    -5  LEFT
]]
--- @include "includes/ticketGone"
local gone = ticketGone(KEYS[1], redis.call("HGET", KEYS[1], "status"))
if gone then
  return gone
end
local stored = tonumber(redis.call("HGET", KEYS[1], "epoch") or "0") or 0
local mine = tonumber(ARGV[4])
if stored > mine then
  return { -4, "" }
end
if mine > stored then
  redis.call("HSET", KEYS[1], "epoch", ARGV[4], "node", ARGV[5])
end
redis.call("PEXPIRE", KEYS[1], ARGV[2])
redis.call("PEXPIRE", KEYS[2], ARGV[3])
redis.call("PEXPIRE", KEYS[3], ARGV[3])
local n = 0
if tonumber(ARGV[6]) > 0 then
  local found = redis.call("GEOSEARCH", KEYS[2], "FROMMEMBER", ARGV[1], "BYRADIUS", ARGV[6], "km", "COUNT", ARGV[7], "ANY")
  n = #found - 1
end
return { 1, n, redis.call("HGET", KEYS[1], "joinedAt") or "0" }
