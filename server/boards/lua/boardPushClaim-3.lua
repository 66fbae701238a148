--[[
  Decides which node pushes a board's top to subscribers: the first node to ask after the board's version
  moved, and at most once per interval cluster-wide. Every node asks once per interval; only the winner
  reads the top and broadcasts it (through the socket.io adapter), so each change costs one read.

  Input:
    KEYS[1] version counter of the board (bumped by boardApply/boardEdit when the top may have changed)
    KEYS[2] version last pushed
    KEYS[3] push throttle lock (held PX interval by the last pusher)
    ARGV[1] interval ms
    ARGV[2] TTL ms of the pushed-version key (0 = permanent)
    ARGV[3] the caller's node id (kept in the lock, for operators)

  Output:
    1 when the caller must push now, 0 otherwise (nothing new, or pushed within the interval),
    -20 (BAD_ARGUMENT) when an argument is malformed
]]
local interval = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
if not interval or interval < 1 or not ttl then
  return -20
end
local version = redis.call("GET", KEYS[1]) or "0"
if redis.call("GET", KEYS[2]) == version then
  return 0
end
if not redis.call("SET", KEYS[3], ARGV[3], "NX", "PX", interval) then
  return 0
end
if ttl > 0 then
  redis.call("SET", KEYS[2], version, "PX", ttl)
else
  redis.call("SET", KEYS[2], version)
end
return 1
