-- Shared by the board-writing scripts (boardApply, boardEdit).

-- Drops the cached top page and bumps its generation: a page built across this write is never stored
-- (see boardCacheSet).
local function dropTopCache(cacheKey, genKey)
  redis.call("DEL", cacheKey)
  redis.call("INCR", genKey)
end

-- Slides the lifetime of a board instance's keys (ttl 0 = permanent: left as is).
local function keepBoard(ttl, board, members, ver, gen)
  if ttl > 0 then
    redis.call("PEXPIRE", board, ttl)
    redis.call("PEXPIRE", members, ttl)
    redis.call("PEXPIRE", ver, ttl)
    redis.call("PEXPIRE", gen, ttl)
  end
end
