--[[
  A player's live socket dropped: their match pointer now lives only for the reconnect grace, unless a
  newer socket of the same player already exists (a reconnect that replaced this one).

  Input:
    KEYS[1] player's match pointer (string match id)
    KEYS[2] player's connection epoch counter
    ARGV[1] match id the dropped socket was in
    ARGV[2] connection epoch of the dropped socket
    ARGV[3] reconnect grace in milliseconds

  Output:
    1 shortened to the grace (the host should stop this player's avatar)
    -40 OTHER_MATCH   the pointer no longer names this match
    -41 NEWER_SOCKET  a newer socket of this player exists (nothing to do)
]]
if redis.call("GET", KEYS[1]) ~= ARGV[1] then
  return -40
end
local epoch = tonumber(redis.call("GET", KEYS[2]) or "0")
if epoch > tonumber(ARGV[2]) then
  return -41
end
local grace = math.max(1, tonumber(ARGV[3]))
local ttl = redis.call("PTTL", KEYS[1])
if ttl < 0 or ttl > grace then
  redis.call("PEXPIRE", KEYS[1], grace)
end
return 1
