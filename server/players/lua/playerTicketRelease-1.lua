--[[
  Deletes a player's ticket pointer only if it still names the given ticket (compare-and-delete), so a
  late release never drops a newer ticket's pointer.

  Input:
    KEYS[1] the player's ticket pointer (player:{id}:ticket)
    ARGV[1] expected value "<homeQueue>|<ticketId>"

  Output:
    1 deleted, 0 the pointer was missing or names another ticket
]]
if redis.call("GET", KEYS[1]) == ARGV[1] then
  redis.call("DEL", KEYS[1])
  return 1
end
return 0
