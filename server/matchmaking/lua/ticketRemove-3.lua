--[[
  Takes a ticket out of one queue (leave, disconnect past the grace, lost-ticket clean-up) and leaves a
  short-lived "left" tombstone so that a move still in flight can never re-add it here (ticketAdd refuses
  existing keys). Reports the ticket's state instead when it is no longer queued.

  Input:
    KEYS[1] ticket hash            ({q:<queue>}:t:<ticketId>)
    KEYS[2] queue GEO set          ({q:<queue>}:geo)
    KEYS[3] queue by-time set      ({q:<queue>}:bytime)
    ARGV[1] ticketId
    ARGV[2] tombstone TTL (ms)
    ARGV[3] connection epoch that wants it removed, or "" for any: a ticket adopted by a newer connection
            (the player reconnected somewhere) is kept
    ARGV[4] "1" to write the tombstone even when the ticket is missing here (blocks a late move), else "0"

  Output: { code, matchId }
     1  removed
    -1  MISSING           (expired or never here; tombstoned when ARGV[4] = "1")
    -2  CLAIMED           (already taken into match matchId)
    -3  MOVED             (moved on to the worldwide queue)
    -4  SUPERSEDED        (a newer connection owns the ticket; kept)
    -5  LEFT              (already removed)
]]
--- @include "includes/ticketGone"
local status = redis.call("HGET", KEYS[1], "status")
if not status and ARGV[4] == "1" then
  redis.call("HSET", KEYS[1], "status", "left")
  redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
local gone = ticketGone(KEYS[1], status)
if gone then
  return gone
end
if ARGV[3] ~= "" then
  local epoch = tonumber(redis.call("HGET", KEYS[1], "epoch") or "0") or 0
  if epoch > tonumber(ARGV[3]) then
    return { -4, "" }
  end
end
redis.call("ZREM", KEYS[2], ARGV[1])
redis.call("ZREM", KEYS[3], ARGV[1])
redis.call("DEL", KEYS[1])
redis.call("HSET", KEYS[1], "status", "left")
redis.call("PEXPIRE", KEYS[1], ARGV[2])
return { 1, "" }
