-- Shared by the ticket scripts: what became of a ticket that is no longer queued, as the script's reply
-- { code, matchId }; nil while it is queued. Codes (server/redis/script-codes.ts): -1 MISSING (expired or
-- never here), -2 CLAIMED (matchId = the match it went into), -3 MOVED (to the worldwide queue), -5 LEFT.
local function ticketGone(ticketKey, status)
  if not status then
    return { -1, "" }
  end
  if status == "claimed" then
    return { -2, redis.call("HGET", ticketKey, "matchId") or "" }
  end
  if status == "moved" then
    return { -3, "" }
  end
  if status == "left" then
    return { -5, "" }
  end
  return nil
end
