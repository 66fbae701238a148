--[[
  Reads the neighbourhood of one player on a board in one atomic step, so the player's rank, the board size
  and the returned slice all describe the same moment. The window is clamped to the board: at rank 1 it
  starts at the top, at the last rank it ends at the bottom (never a negative index, which Redis would read
  from the end). With radius 0 it is a rank lookup.

  Input:
    KEYS[1] board sorted set
    KEYS[2] members hash: playerId -> the player's member of the board
    ARGV[1] player id
    ARGV[2] radius: entries wanted above and below the player

  Output:
    { zero-based rank, board size, zero-based start of the window, { member, score, member, score, ... } }
    -21 (NOT_ON_BOARD) when the player is not on the board, -20 (BAD_ARGUMENT) when an argument is malformed
]]
local radius = tonumber(ARGV[2])
if not radius or radius < 0 then
  return -20
end
local member = redis.call("HGET", KEYS[2], ARGV[1])
if not member then
  return -21
end
local rank = redis.call("ZREVRANK", KEYS[1], member)
if not rank then
  return -21
end
local total = redis.call("ZCARD", KEYS[1])
local first = math.max(0, rank - radius)
local last = math.min(total - 1, rank + radius)
return { rank, total, first, redis.call("ZREVRANGE", KEYS[1], first, last, "WITHSCORES") }
