--[[
  Records a login on a player's profile and, while the player is a guest (never finished a match: no
  `games` field), slides the profile's expiry. A player with a result is kept for good (see
  playerApply-2.lua) and never gets a TTL back.

  Input:
    KEYS[1] player hash
    ARGV[1] display name
    ARGV[2] login time (ms)
    ARGV[3] guest lifetime in milliseconds (0 = guests do not expire)

  Output:
    1 when the profile is a guest's (expiring), 0 when it is kept for good
]]
redis.call("HSET", KEYS[1], "name", ARGV[1], "lastLoginAt", ARGV[2])
local ttl = tonumber(ARGV[3])
if ttl and ttl > 0 and redis.call("HEXISTS", KEYS[1], "games") == 0 then
  redis.call("PEXPIRE", KEYS[1], ttl)
  return 1
end
return 0
