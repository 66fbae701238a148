--[[
  Applies one match result to one player's stats and skill rating, at most once per match. Both keys share
  the player's hash tag (one atomic, cluster-safe step); the applied set is its idempotency marker.

  Input:
    KEYS[1] player hash {name, rating, games, wins, best, total, lastMatchAt, ...}
    KEYS[2] applied set of this player: match ids already applied (bucketed by the match's day)
    ARGV[1] match id
    ARGV[2] TTL ms of the applied set
    ARGV[3] points scored in the match (integer >= 0)
    ARGV[4] 1 if the player won (placement 1), else 0
    ARGV[5] rating change (integer, from the match's frozen plan)
    ARGV[6] rating of a player who has none yet
    ARGV[7] display name, written only when the hash has none
    ARGV[8] match end time (ms), stored as lastMatchAt

  A guest's profile (it has a TTL: see playerLogin-1.lua) is kept for good from its first result on: it
  has stats, and boards show its name.

  Output:
    1 applied, 2 applied and the player was a guest until now (PROMOTED: the caller keeps its device id
    too), 0 already applied, -20 (BAD_ARGUMENT) when an argument is malformed
]]
local points = tonumber(ARGV[3])
local win = tonumber(ARGV[4])
local delta = tonumber(ARGV[5])
local default = tonumber(ARGV[6])
local ttl = tonumber(ARGV[2])
if not points or not win or not delta or not default or not ttl then
  return -20
end
if redis.call("SADD", KEYS[2], ARGV[1]) == 0 then
  return 0
end
if ttl > 0 then
  redis.call("PEXPIRE", KEYS[2], ttl)
end
local rating = tonumber(redis.call("HGET", KEYS[1], "rating")) or default
local best = tonumber(redis.call("HGET", KEYS[1], "best"))
redis.call("HSET", KEYS[1], "rating", string.format("%.0f", rating + delta), "lastMatchAt", ARGV[8])
redis.call("HINCRBY", KEYS[1], "games", 1)
redis.call("HINCRBY", KEYS[1], "wins", win)
redis.call("HINCRBY", KEYS[1], "total", points)
if not best or points > best then
  redis.call("HSET", KEYS[1], "best", string.format("%.0f", points))
end
redis.call("HSETNX", KEYS[1], "name", ARGV[7])
if redis.call("PTTL", KEYS[1]) > 0 then
  redis.call("PERSIST", KEYS[1])
  return 2
end
return 1
