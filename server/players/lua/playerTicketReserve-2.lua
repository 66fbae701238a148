--[[
  Reserves a player's single queue ticket: refuses while the player is in a match or already holds a
  ticket. Both keys carry the player's hash tag, so the check and the reservation are one atomic step.

  Input:
    KEYS[1] the player's current-match marker   (player:{id}:match)
    KEYS[2] the player's ticket pointer          (player:{id}:ticket)
    ARGV[1] pointer value "<homeQueue>|<ticketId>"
    ARGV[2] pointer TTL in milliseconds

  Output:
     1  reserved
    -6  ALREADY_QUEUED    (the player holds a ticket)
    -7  ALREADY_IN_MATCH  (the player is in a match)
]]
if redis.call("EXISTS", KEYS[1]) == 1 then
  return -7
end
if not redis.call("SET", KEYS[2], ARGV[1], "NX", "PX", ARGV[2]) then
  return -6
end
return 1
