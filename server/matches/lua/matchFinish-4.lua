--[[
  Marks a match ended, fenced by the caller's lease: records the results, drops the checkpoint and the
  lease, and shortens the record's life to a grace period (admin views, late readers).

  Input:
    KEYS[1] lease key
    KEYS[2] checkpoint key
    KEYS[3] match record hash
    KEYS[4] lease fencing counter
    ARGV[1] the caller's lease value "<nodeId>|<token>"
    ARGV[2] endedAt (ms since epoch)
    ARGV[3] results (JSON)
    ARGV[4] how long the ended record is kept, in milliseconds

  Output:
    1 ended
    -33 LEASE_STALE: the caller does not hold the lease
]]
if redis.call("GET", KEYS[1]) ~= ARGV[1] then
  return -33
end
redis.call("HSET", KEYS[3], "status", "ended", "endedAt", ARGV[2], "results", ARGV[3])
redis.call("PEXPIRE", KEYS[3], ARGV[4])
redis.call("PEXPIRE", KEYS[4], ARGV[4])
redis.call("DEL", KEYS[2], KEYS[1])
return 1
