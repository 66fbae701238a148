--[[
  Adds the points of a batch of match results to ONE board, each match at most once. Every key shares the
  board's hash tag, so this is one atomic, cluster-safe step; the applied set is its idempotency marker.

  Order (server/boards/board-encoding.ts): score = total points (exact integer); equal points are ordered
  by the member `<13 digits: 9999999999999 - reachedAt><2 digits: 99 - placement><playerId>`, compared
  byte-wise by Redis. reachedAt is the latest end time among the matches that added points (for a total
  of 0, the earliest match), so the result does not depend on the order results are applied in.

  Input:
    KEYS[1] board sorted set (score = points, member as above)
    KEYS[2] members hash: playerId -> the player's current member
    KEYS[3] applied set: match ids already applied to this board
    KEYS[4] version counter, bumped when the board's top N may have changed (push trigger)
    KEYS[5] counters hash: field `matches` += 1 per newly applied match
    KEYS[6] cached top page, deleted when a write lands inside it (cache-aside invalidation)
    KEYS[7] cache generation, bumped with that delete (a page built across the write is not stored)
    ARGV[1] TTL ms of board, members hash and version (0 = permanent)
    ARGV[2] TTL ms of the applied set (0 = permanent)
    ARGV[3] TTL ms of the counters hash (0 = leave as is)
    ARGV[4] N of the watched top (e.g. 10)
    ARGV[5] N of the cached top (e.g. 100)
    ARGV[6] number of matches M, followed for each match by:
            matchId, endedAt (ms, 0 .. 10^13 - 1), number of players P,
            then P triples (playerId, points to add >= 0, placement >= 1)

  Output:
    { newly applied matches, matches skipped as already applied, 1 if the top N may have changed else 0 }
    -20 (BAD_ARGUMENT) when an argument is malformed
]]
--- @include "includes/boardWrites"
local TMAX = 9999999999999
local MAX_POINTS = 9007199254740991 -- 2^53 - 1
local KEYLEN = 15
local board, members, applied, ver, counters, cache, gen = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local boardTtl = tonumber(ARGV[1])
local appliedTtl = tonumber(ARGV[2])
local countersTtl = tonumber(ARGV[3])
local topN = tonumber(ARGV[4])
local cachedN = tonumber(ARGV[5])
local m = tonumber(ARGV[6])
if not boardTtl or not appliedTtl or not countersTtl or not topN or topN < 1 or not cachedN or cachedN < 1 or not m then
  return -20
end

-- %.0f prints every integer below 2^53 exactly (tostring would round to 14 digits).
local function fmt(n)
  return string.format("%.0f", n)
end

-- The Nth entry now: anything at or above it lands in the top N (fewer than N entries: anything does).
-- Totals only grow here, so thresholds read once are conservative (at worst a spurious push or refresh).
local function nth(n)
  local r = redis.call("ZREVRANGE", board, n - 1, n - 1, "WITHSCORES")
  if r[2] then
    return tonumber(r[2]), string.sub(r[1], 1, KEYLEN)
  end
  return nil, nil
end
local function reaches(points, key, s, k)
  if not s then
    return true
  end
  if points ~= s then
    return points > s
  end
  -- Tie keys are digits only (byte order = collation order); equal keys count as reaching (conservative).
  return key >= k
end
local topScore, topKey = nth(topN)
local cacheScore, cacheKey = nth(cachedN)

local newly, skipped, top, cached = 0, 0, 0, 0
local i = 7
for _ = 1, m do
  local matchId = ARGV[i]
  local endedAt = tonumber(ARGV[i + 1])
  local p = tonumber(ARGV[i + 2])
  if not matchId or not endedAt or endedAt < 0 or endedAt > TMAX or not p then
    return -20
  end
  i = i + 3
  if redis.call("SADD", applied, matchId) == 1 then
    newly = newly + 1
    for _ = 1, p do
      local player = ARGV[i]
      local add = tonumber(ARGV[i + 1])
      local placement = tonumber(ARGV[i + 2])
      if not player or not add or add < 0 or not placement or placement < 1 then
        return -20
      end
      add = math.floor(add)
      local candidate = string.format("%013.0f%02d", TMAX - endedAt, 99 - math.min(math.floor(placement), 99))
      local cur = redis.call("HGET", members, player)
      local old = nil
      if cur then
        old = tonumber(redis.call("ZSCORE", board, cur))
      end
      local points, key = nil, nil
      if not old then
        points, key = math.min(add, MAX_POINTS), candidate
      elseif add > 0 then
        points = math.min(old + add, MAX_POINTS)
        -- Reached when the latest scoring match ended: the smaller key (a total of 0 had no scoring match).
        local oldKey = string.sub(cur, 1, KEYLEN)
        key = candidate
        if old > 0 and oldKey < candidate then
          key = oldKey
        end
      elseif old == 0 then
        -- Still 0 points: on the board since the earliest match, the larger key.
        points = 0
        key = string.sub(cur, 1, KEYLEN)
        if candidate > key then
          key = candidate
        end
      end
      -- (add == 0 on a positive total changes nothing: the player keeps their place.)
      if points then
        local member = key .. player
        if member ~= cur or points ~= old then
          if cur and cur ~= member then
            redis.call("ZREM", board, cur)
          end
          redis.call("ZADD", board, fmt(points), member)
          if cur ~= member then
            redis.call("HSET", members, player, member)
          end
          if reaches(points, key, topScore, topKey) then
            top = 1
          end
          if reaches(points, key, cacheScore, cacheKey) then
            cached = 1
          end
        end
      end
      i = i + 3
    end
    redis.call("HINCRBY", counters, "matches", 1)
  else
    skipped = skipped + 1
    i = i + 3 * p
  end
end

if newly > 0 then
  if top == 1 then
    redis.call("INCR", ver)
  end
  if cached == 1 then
    dropTopCache(cache, gen)
  end
  keepBoard(boardTtl, board, members, ver, gen)
  if countersTtl > 0 then
    redis.call("PEXPIRE", counters, countersTtl)
  end
end
if appliedTtl > 0 then
  redis.call("PEXPIRE", applied, appliedTtl)
end
return { newly, skipped, top }
