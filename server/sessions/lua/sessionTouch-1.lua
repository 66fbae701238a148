--[[
  Reads a session and slides its expiry in one round trip.

  Input:
    KEYS[1] session hash key
    ARGV[1] new TTL in milliseconds

  Output:
    flat array [field, value, ...] of the session, or nil when it does not exist (unknown or expired).
]]
local fields = redis.call("HGETALL", KEYS[1])
if #fields == 0 then
  return nil
end
redis.call("PEXPIRE", KEYS[1], ARGV[1])
return fields
