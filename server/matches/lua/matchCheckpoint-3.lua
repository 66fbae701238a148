--[[
  Writes the match checkpoint, fenced: only the current lease holder may write, so a host that lost its
  lease (stalled, partitioned) can never overwrite the state of the node that took over.

  Input:
    KEYS[1] lease key
    KEYS[2] checkpoint key
    KEYS[3] match record hash (its TTL bounds the checkpoint's)
    ARGV[1] the caller's lease value "<nodeId>|<token>"
    ARGV[2] checkpoint (JSON)
    ARGV[3] TTL in milliseconds when the record has none

  Output:
    1 written
    -33 LEASE_STALE: the caller does not hold the lease
]]
if redis.call("GET", KEYS[1]) ~= ARGV[1] then
  return -33
end
local ttl = redis.call("PTTL", KEYS[3])
if ttl <= 0 then
  ttl = tonumber(ARGV[3])
end
redis.call("SET", KEYS[2], ARGV[2], "PX", ttl)
return 1
