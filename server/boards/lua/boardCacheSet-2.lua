--[[
  Stores a freshly built top page in the cache, unless the board's top changed while it was being built
  (its cache generation moved): otherwise a reader that read before a write could store a stale page
  after the write dropped the cache, and serve it for a whole TTL.

  Input:
    KEYS[1] cached top page
    KEYS[2] cache generation (bumped by boardApply / boardEdit on every write into the cached top)
    ARGV[1] page (JSON)
    ARGV[2] TTL ms of the cached page
    ARGV[3] the generation read together with the board, "0" when the counter did not exist

  Output:
    1 stored, 0 not stored (the top changed meanwhile), -20 (BAD_ARGUMENT) when an argument is malformed
]]
local ttl = tonumber(ARGV[2])
if not ttl or ttl < 1 then
  return -20
end
if (redis.call("GET", KEYS[2]) or "0") ~= ARGV[3] then
  return 0
end
redis.call("SET", KEYS[1], ARGV[1], "PX", ttl)
return 1
