--[[
  Gives up a host lease at graceful shutdown so another node takes the match over at once instead of
  waiting for the lease to lapse. Only the holder can release it.

  Input:
    KEYS[1] lease key
    ARGV[1] the caller's lease value "<nodeId>|<token>"

  Output:
    1 released
    -33 LEASE_STALE: the caller did not hold the lease
]]
if redis.call("GET", KEYS[1]) ~= ARGV[1] then
  return -33
end
redis.call("DEL", KEYS[1])
return 1
