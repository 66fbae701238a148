--[[
  Puts a ticket into one queue: the ticket hash (status "queued", TTL), its position in the queue's GEO
  set and its join time in the queue's by-time sorted set. Refuses when the ticket key exists: a
  tombstone left by a leave, claim or move means this ticket id must never be queued here again (this is
  what makes "remove from one queue, then add to another" safe against a leave racing the move).

  Input:
    KEYS[1] ticket hash            ({q:<queue>}:t:<ticketId>)
    KEYS[2] queue GEO set          ({q:<queue>}:geo)
    KEYS[3] queue by-time set      ({q:<queue>}:bytime)
    ARGV[1] ticketId
    ARGV[2] longitude
    ARGV[3] latitude
    ARGV[4] joinedAt (ms; by-time score)
    ARGV[5] ticket TTL (ms)
    ARGV[6] queue sets TTL (ms; refreshed so the sets outlive every live ticket)
    ARGV[7..] field, value pairs of the ticket hash

  Output:
     1  queued
    -10 EXISTS (a ticket or tombstone with this id is already here)
]]
if redis.call("EXISTS", KEYS[1]) == 1 then
  return -10
end
local fields = {}
for i = 7, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
redis.call("HSET", KEYS[1], "status", "queued", unpack(fields))
redis.call("PEXPIRE", KEYS[1], ARGV[5])
redis.call("GEOADD", KEYS[2], ARGV[2], ARGV[3], ARGV[1])
redis.call("ZADD", KEYS[3], ARGV[4], ARGV[1])
redis.call("PEXPIRE", KEYS[2], ARGV[6])
redis.call("PEXPIRE", KEYS[3], ARGV[6])
return 1
