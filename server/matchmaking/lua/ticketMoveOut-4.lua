--[[
  First half of moving a ticket on to the worldwide queue, run by the holder of the source queue's lock:
  takes the ticket out of the source queue and leaves a "moved" tombstone. The caller then adds it to the
  destination with ticketAdd, which refuses if a leave already tombstoned it there. Remove-then-add means
  a ticket is never queued in two queues at once (a crash in between loses the ticket; its player's node
  notices and tells the player).

  Input:
    KEYS[1] source queue fencing counter ({q:<queue>}:fence)
    KEYS[2] ticket hash                  ({q:<queue>}:t:<ticketId>)
    KEYS[3] source queue GEO set         ({q:<queue>}:geo)
    KEYS[4] source queue by-time set     ({q:<queue>}:bytime)
    ARGV[1] caller's fencing token
    ARGV[2] ticketId
    ARGV[3] tombstone TTL (ms)
    ARGV[4] destination queue name

  Output:
    flat array [field, value, ...] of the ticket as it was (moved out), or
    -8  STALE_FENCE  (another matchmaker acquired the queue since)
    -9  TICKET_GONE  (not queued any more)
]]
if redis.call("GET", KEYS[1]) ~= ARGV[1] then
  return -8
end
if redis.call("HGET", KEYS[2], "status") ~= "queued" then
  return -9
end
local fields = redis.call("HGETALL", KEYS[2])
redis.call("ZREM", KEYS[3], ARGV[2])
redis.call("ZREM", KEYS[4], ARGV[2])
redis.call("DEL", KEYS[2])
redis.call("HSET", KEYS[2], "status", "moved", "movedTo", ARGV[4])
redis.call("PEXPIRE", KEYS[2], ARGV[3])
return fields
