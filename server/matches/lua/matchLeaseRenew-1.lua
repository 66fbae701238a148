--[[
  Extends the caller's host lease, only if the caller still holds it (same node and fencing token).

  Input:
    KEYS[1] lease key
    ARGV[1] the caller's lease value "<nodeId>|<token>"
    ARGV[2] lease time in milliseconds

  Output:
    1 renewed
    -33 LEASE_STALE: the lease expired or another node took it (the caller must stop hosting)
]]
if redis.call("GET", KEYS[1]) ~= ARGV[1] then
  return -33
end
redis.call("PEXPIRE", KEYS[1], ARGV[2])
return 1
