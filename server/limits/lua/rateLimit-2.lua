--[[
  GCRA (generic cell rate algorithm) check for one subject and action, shared by every node.
  State is one number, the theoretical arrival time (TAT) of the next request, in microseconds of the
  Redis server clock (TIME), so nodes with skewed clocks agree. A budget of `burst` requests per
  `burst * interval`: requests may come all at once up to `burst`, then one per `interval`.
  Refusals write nothing, so hammering a refused key costs no writes.
  A banned subject is refused as banned before its budget is looked at (and nothing is spent): clients are
  told BANNED, never RATE_LIMITED, while a ban holds. The ban key shares the subject's hash tag.

  Input:
    KEYS[1] rate key (string: TAT in microseconds; PX = time until the budget is full again)
    KEYS[2] the subject's ban key (exists while banned; PX = time left)
    ARGV[1] emission interval in microseconds (period / count), integer >= 1
    ARGV[2] burst (count): requests allowed at once, integer >= 1
    ARGV[3] cost of this request, integer >= 0 (0 peeks without consuming)

  Output:
    { allowed (1 or 0), retryAfterMs (0 when allowed), remaining (requests still allowed at once),
      resetAfterMs (time until the budget is full again), bannedMs (> 0: banned for that long; then
      allowed is 0 and retryAfterMs is the ban's remaining time) }
]]
local banned = redis.call("PTTL", KEYS[2])
if banned > 0 then
  return { 0, banned, 0, 0, banned }
end

local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])

local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])

-- GET answers false when the key is missing: a fresh subject starts with a full budget.
local tat = tonumber(redis.call("GET", KEYS[1]) or now)
if tat < now then
  tat = now
end

local tolerance = interval * burst
local newTat = tat + interval * cost
local allowAt = newTat - tolerance

if allowAt > now then
  return { 0, math.ceil((allowAt - now) / 1000), 0, math.ceil((tat - now) / 1000), 0 }
end

if cost > 0 then
  -- %.0f keeps every digit: tostring() would round a 16-digit microsecond count.
  redis.call("SET", KEYS[1], string.format("%.0f", newTat), "PX", math.ceil((newTat - now) / 1000))
end
return { 1, 0, math.floor((now - allowAt) / interval), math.ceil((newTat - now) / 1000), 0 }
