--[[
  Adds a session to its device's index and trims the index to the newest `max` sessions, returning the
  ids it dropped (the caller deletes those session keys: they live on their own slots). The session just
  added is never dropped, even when another has the same creation time.

  Input:
    KEYS[1] device index (sorted set: session id -> created at ms)
    ARGV[1] session id
    ARGV[2] created at (ms)
    ARGV[3] index TTL in milliseconds (the session lifetime)
    ARGV[4] most sessions a device may hold, >= 1

  Output:
    array of evicted session ids, oldest first (empty when under the cap)
]]
redis.call("ZADD", KEYS[1], ARGV[2], ARGV[1])
redis.call("PEXPIRE", KEYS[1], ARGV[3])
local over = redis.call("ZCARD", KEYS[1]) - tonumber(ARGV[4])
if over <= 0 then
  return {}
end
local evicted = {}
for _, sid in ipairs(redis.call("ZRANGE", KEYS[1], 0, over)) do
  if #evicted < over and sid ~= ARGV[1] then
    evicted[#evicted + 1] = sid
  end
end
redis.call("ZREM", KEYS[1], unpack(evicted))
return evicted
