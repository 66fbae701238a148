--[[
  Adds weight to a subject's violation score, which decays linearly with time (Redis server clock), and
  bans the subject when the score reaches the threshold. While banned, violations are not counted (the
  ban already holds). A ban resets the score, so the subject starts clean when it expires.

  Bystanders: an address from which a player in good standing connected recently (a member of KEYS[3]
  newer than the window) is never banned by this script: its score stops just under the threshold. Many
  players may share one address (NAT, carrier, campus); anonymous requests from it are refused by their
  rate limits all the same, and players who misbehave are banned one by one. Players have no such set.

  Input:
    KEYS[1] violation score (hash { s = score, t = last update, ms }; PX = time to decay to zero)
    KEYS[2] ban key (string: reason; PX = ban length)
    KEYS[3] players in good standing seen from this subject (sorted set: playerId -> last seen ms)
    ARGV[1] weight to add, >= 0 (0 reads the decayed score without writing)
    ARGV[2] decay in score units per second, > 0
    ARGV[3] threshold: score that bans
    ARGV[4] ban length in milliseconds
    ARGV[5] reason stored as the ban's value
    ARGV[6] good-standing window in milliseconds (0 = no protection)

  Output:
    { score (string, 3 decimals, after this call), banRemainingMs (0 when not banned),
      newlyBanned (1 when this call banned), nowMs (Redis time), vouched (1 when a ban was held back) }
]]
local weight = tonumber(ARGV[1])
local decay = tonumber(ARGV[2])
local threshold = tonumber(ARGV[3])

local t = redis.call("TIME")
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local banned = redis.call("PTTL", KEYS[2])
if banned > 0 then
  return { "0", banned, 0, nowMs, 0 }
end

local h = redis.call("HMGET", KEYS[1], "s", "t")
local score = tonumber(h[1]) or 0
local last = tonumber(h[2]) or nowMs
score = score - math.max(0, nowMs - last) / 1000 * decay
if score < 0 then
  score = 0
end
if weight == 0 then
  return { string.format("%.3f", score), 0, 0, nowMs, 0 }
end
score = score + weight

local vouched = 0
local window = tonumber(ARGV[6]) or 0
if score >= threshold and window > 0 and redis.call("ZCOUNT", KEYS[3], nowMs - window, "+inf") > 0 then
  score = threshold - 0.001
  vouched = 1
end

if score >= threshold then
  redis.call("SET", KEYS[2], ARGV[5], "PX", ARGV[4])
  redis.call("DEL", KEYS[1])
  return { string.format("%.3f", score), tonumber(ARGV[4]), 1, nowMs, 0 }
end

redis.call("HSET", KEYS[1], "s", string.format("%.3f", score), "t", string.format("%.0f", nowMs))
redis.call("PEXPIRE", KEYS[1], string.format("%.0f", math.ceil(score / decay * 1000)))
return { string.format("%.3f", score), 0, 0, nowMs, vouched }
