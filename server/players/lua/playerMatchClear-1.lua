--[[
  Deletes a player's match pointer only if it still names the given match (the player may already be in
  a newer one).

  Input:
    KEYS[1] player's match pointer (string match id)
    ARGV[1] match id that ended

  Output:
    1 deleted
    0 it named another match or nothing
]]
if redis.call("GET", KEYS[1]) == ARGV[1] then
  redis.call("DEL", KEYS[1])
  return 1
end
return 0
