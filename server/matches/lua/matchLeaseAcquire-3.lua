--[[
  Takes the host lease of a match when nobody holds it and mints a new fencing token, in one step, so two
  nodes racing for an orphaned match cannot both win. Records the new host on the match record.

  Input:
    KEYS[1] lease key (string "<nodeId>|<token>")
    KEYS[2] lease fencing counter
    KEYS[3] match record hash
    ARGV[1] node id taking the lease
    ARGV[2] lease time in milliseconds
    ARGV[3] TTL in milliseconds for the counter when the record has none

  Output:
    { token, previousStatus } on success ("created" or "running": "running" means a failover)
    -30 MATCH_GONE   the match record does not exist (expired or never written)
    -31 MATCH_ENDED  the match has ended
    -32 LEASE_HELD   another node holds the lease
]]
if redis.call("EXISTS", KEYS[3]) == 0 then
  return -30
end
local status = redis.call("HGET", KEYS[3], "status")
if status == "ended" then
  return -31
end
if redis.call("EXISTS", KEYS[1]) == 1 then
  return -32
end
local token = redis.call("INCR", KEYS[2])
redis.call("SET", KEYS[1], ARGV[1] .. "|" .. token, "PX", ARGV[2])
-- The counter must outlive every host of the match, or tokens would restart at 1.
local ttl = redis.call("PTTL", KEYS[3])
if ttl < 0 then
  ttl = tonumber(ARGV[3])
end
redis.call("PEXPIRE", KEYS[2], ttl + tonumber(ARGV[2]))
redis.call("HSET", KEYS[3], "hostNodeId", ARGV[1], "status", "running", "leaseToken", token)
return { token, status or "created" }
