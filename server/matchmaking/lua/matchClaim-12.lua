--[[
  The claim: takes a group of tickets out of ONE queue for a new match, only if the caller's fencing token
  is still the queue's current one and every chosen ticket is still queued. All keys carry the queue's
  hash tag, so this runs on one Redis Cluster slot. The lock only saves work; this script is what makes
  "no ticket in two matches" true. Each ticket becomes a "claimed" tombstone naming the match (a leave
  racing the claim then answers ALREADY_IN_MATCH), and the claim is recorded in the queue's pending-claims
  hash until the node has written the match record (another node completes it if the claimer dies).

  Input:
    KEYS[1]     queue fencing counter  ({q:<queue>}:fence)
    KEYS[2]     queue GEO set          ({q:<queue>}:geo)
    KEYS[3]     queue by-time set      ({q:<queue>}:bytime)
    KEYS[4]     pending claims hash    ({q:<queue>}:claims)
    KEYS[5..12] ticket hashes of the group, in order; a group smaller than 8 repeats its last key to fill
                the fixed key count (only the first ARGV[3] are read)
    ARGV[1]     caller's fencing token
    ARGV[2]     matchId
    ARGV[3]     number of tickets n (1..8)
    ARGV[4]     claim JSON (stored for completion)
    ARGV[5]     tombstone TTL (ms)
    ARGV[6]     pending-claims hash TTL (ms)
    ARGV[7..6+n] ticket ids, same order as the keys

  Output:
     1  claimed
    -8  STALE_FENCE   (another matchmaker acquired the queue since this caller did)
    -9  TICKET_GONE   (a chosen ticket left, expired, moved or was claimed)
    -11 BAD_GROUP     (n out of range or a ticket twice)
]]
if redis.call("GET", KEYS[1]) ~= ARGV[1] then
  return -8
end
local n = tonumber(ARGV[3])
if not n or n < 1 or n > 8 then
  return -11
end
local seen = {}
for i = 1, n do
  local id = ARGV[6 + i]
  if seen[id] then
    return -11
  end
  seen[id] = true
  if redis.call("HGET", KEYS[4 + i], "status") ~= "queued" then
    return -9
  end
end
for i = 1, n do
  local id = ARGV[6 + i]
  redis.call("ZREM", KEYS[2], id)
  redis.call("ZREM", KEYS[3], id)
  redis.call("HSET", KEYS[4 + i], "status", "claimed", "matchId", ARGV[2])
  redis.call("PEXPIRE", KEYS[4 + i], ARGV[5])
end
redis.call("HSET", KEYS[4], ARGV[2], ARGV[4])
redis.call("PEXPIRE", KEYS[4], ARGV[6])
return 1
