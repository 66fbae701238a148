--[[
  Operator edits of one board (admin API): set a player's points, remove a player, or reset the board.
  Keys share the board's hash tag. A set counts as reaching those points now, with the worst placement
  (see boardApply for the member format); every edit bumps the version (subscribers get the new top) and
  drops the cached top page.

  Input:
    KEYS[1] board sorted set
    KEYS[2] members hash: playerId -> member
    KEYS[3] version counter
    KEYS[4] cached top page
    KEYS[5] cache generation (bumped: a page built across this edit is not stored)
    ARGV[1] "set" | "remove" | "reset"
    ARGV[2] player id (set, remove)
    ARGV[3] points, integer in [0, 2^53 - 1] (set)
    ARGV[4] TTL ms of board, members hash and version (0 = permanent)
    ARGV[5] now, ms (set: the moment the points are reached)

  Output:
    1 done, 0 nothing to do (remove of a player not on the board), -20 (BAD_ARGUMENT) when an argument is malformed
]]
--- @include "includes/boardWrites"
local TMAX = 9999999999999
local MAX_POINTS = 9007199254740991
local board, members, ver, cache, gen = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local op = ARGV[1]
local ttl = tonumber(ARGV[4])
if not ttl then
  return -20
end

if op == "reset" then
  redis.call("DEL", board, members)
elseif op == "remove" then
  local cur = redis.call("HGET", members, ARGV[2])
  if not cur then
    return 0
  end
  redis.call("ZREM", board, cur)
  redis.call("HDEL", members, ARGV[2])
elseif op == "set" then
  local points = tonumber(ARGV[3])
  local now = tonumber(ARGV[5])
  if not points or points < 0 or points > MAX_POINTS or points ~= math.floor(points) or not now or now < 0 or now > TMAX then
    return -20
  end
  local cur = redis.call("HGET", members, ARGV[2])
  if cur then
    redis.call("ZREM", board, cur)
  end
  local member = string.format("%013.0f00", TMAX - now) .. ARGV[2]
  redis.call("ZADD", board, string.format("%.0f", points), member)
  redis.call("HSET", members, ARGV[2], member)
else
  return -20
end
redis.call("INCR", ver)
dropTopCache(cache, gen)
keepBoard(ttl, board, members, ver, gen)
return 1
