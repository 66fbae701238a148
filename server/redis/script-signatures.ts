/**
 * Typed signatures of the Lua scripts in each feature's `lua/` folder (file `camelName-<numberOfKeys>.lua`).
 * The loader checks at start that every file has an entry here with the same number of keys, and every
 * entry has a file. Results are as ioredis returns them (Lua tables -> arrays, integers -> numbers,
 * strings -> strings); negative codes are listed in script-codes.ts.
 */
export interface ScriptSignatures {
  // ---- sessions (server/sessions/lua) ----
  /** Reads a session hash and slides its TTL. Returns flat [field, value, ...] or null when missing. */
  sessionTouch: { keys: [session: string]; args: [ttlMs: number]; result: string[] | null };
  /** Indexes a session under its device and trims the index to the newest `max`. Returns the evicted session ids. */
  sessionIndexAdd: { keys: [deviceIndex: string]; args: [sessionId: string, createdAt: number, ttlMs: number, max: number]; result: string[] };
  // ---- limits (server/limits/lua) ----
  /** Ban check, then GCRA check of one subject and action (Redis time). Returns [allowed 1|0, retryAfterMs, remaining, resetAfterMs, bannedMs]. */
  rateLimit: { keys: [rate: string, ban: string]; args: [intervalUs: number, burst: number, cost: number]; result: [number, number, number, number, number] };
  /** Adds to a decaying violation score; bans at the threshold unless players in good standing vouch. Returns [score, banRemainingMs, newlyBanned 1|0, nowMs, vouched 1|0]. */
  abuseRecord: {
    keys: [violations: string, ban: string, goodStanding: string];
    args: [weight: number, decayPerSecond: number, threshold: number, banMs: number, reason: string, goodWindowMs: number];
    result: [string, number, number, number, number];
  };
  // ---- players (server/players/lua) ----
  /** Refuses while the player is in a match or holds a ticket, else sets the ticket pointer. Returns 1, ALREADY_QUEUED or ALREADY_IN_MATCH. */
  playerTicketReserve: { keys: [playerMatch: string, playerTicket: string]; args: [pointer: string, ttlMs: number]; result: number };
  /** Compare-and-delete of a player's ticket pointer. Returns 1 deleted, 0 not. */
  playerTicketRelease: { keys: [playerTicket: string]; args: [pointer: string]; result: number };
  /** Applies one result to one player's stats and rating, once per match. Returns 1, PROMOTED (applied; was a guest), 0 (already) or BAD_ARGUMENT. */
  playerApply: {
    keys: [player: string, applied: string];
    args: [matchId: string, appliedTtlMs: number, points: number, win: 0 | 1, ratingDelta: number, defaultRating: number, name: string, endedAt: number];
    result: number;
  };
  /** Records a login (name, time); slides a guest's expiry. Returns 1 (guest) or 0 (kept for good). */
  playerLogin: { keys: [player: string]; args: [name: string, at: number, guestTtlMs: number]; result: number };
  /** A player's socket dropped: their match pointer shrinks to the reconnect grace. Returns 1, OTHER_MATCH or NEWER_SOCKET. */
  playerMatchDrop: { keys: [playerMatch: string, playerConnEpoch: string]; args: [matchId: string, epoch: number, graceMs: number]; result: number };
  /** Compare-and-delete of a player's match pointer. Returns 1 deleted, 0 not. */
  playerMatchClear: { keys: [playerMatch: string]; args: [matchId: string]; result: number };
  // ---- matchmaking (server/matchmaking/lua) ----
  /** Queues a ticket (hash + GEO + by-time) unless its key exists. Returns 1 or EXISTS. */
  ticketAdd: {
    keys: [ticket: string, geo: string, byTime: string];
    args: [ticketId: string, lon: number, lat: number, joinedAt: number, ticketTtlMs: number, queueTtlMs: number, ...fields: (string | number)[]];
    result: number;
  };
  /** Removes a ticket (leave/disconnect) leaving a tombstone. Returns [code, matchId]. */
  ticketRemove: {
    keys: [ticket: string, geo: string, byTime: string];
    args: [ticketId: string, tombstoneTtlMs: number, expectedEpoch: number | "", tombstoneIfMissing: 0 | 1];
    result: [number, string];
  };
  /** Refreshes a waiting ticket, adopts it for a newer connection, counts players in range. Returns [code, countOrMatchId, joinedAt?]. */
  ticketTouch: {
    keys: [ticket: string, geo: string, byTime: string];
    args: [ticketId: string, ticketTtlMs: number, queueTtlMs: number, epoch: number, nodeId: string, radiusKm: number, countCap: number];
    result: [number, number | string, string?];
  };
  /** Fenced first half of a move to another queue. Returns the ticket's flat fields, or a negative code. */
  ticketMoveOut: {
    keys: [fence: string, ticket: string, geo: string, byTime: string];
    args: [token: number, ticketId: string, tombstoneTtlMs: number, destination: string];
    result: string[] | number;
  };
  /** Fenced claim of 1..8 tickets of one queue (keys padded to 8 tickets). Returns 1 or a negative code. */
  matchClaim: {
    keys: [fence: string, geo: string, byTime: string, claims: string, ...tickets: string[]];
    args: [token: number, matchId: string, count: number, claimJson: string, tombstoneTtlMs: number, claimsTtlMs: number, ...ticketIds: string[]];
    result: number;
  };
  // ---- boards (server/boards/lua) ----
  /** Applies a batch of results to one board, once per match. Returns [newly applied, skipped, topChanged 1|0] or BAD_ARGUMENT. */
  boardApply: {
    keys: [board: string, members: string, applied: string, version: string, counters: string, topCache: string, topGen: string];
    args: [boardTtlMs: number, appliedTtlMs: number, countersTtlMs: number, topN: number, cachedN: number, matchCount: number, ...groups: (string | number)[]];
    result: [number, number, number] | number;
  };
  /** A player's rank, the board size and the window around them. Returns [rank0, total, first0, flat], NOT_ON_BOARD or BAD_ARGUMENT. */
  boardAround: { keys: [board: string, members: string]; args: [playerId: string, radius: number]; result: [number, number, number, string[]] | number };
  /** Whether this node pushes the board's top now (version moved, interval elapsed). Returns 1, 0 or BAD_ARGUMENT. */
  boardPushClaim: { keys: [version: string, pushed: string, pushLock: string]; args: [intervalMs: number, pushedTtlMs: number, nodeId: string]; result: number };
  /** Caches a built top page unless the top changed while it was built. Returns 1 stored, 0 not, or BAD_ARGUMENT. */
  boardCacheSet: { keys: [topCache: string, topGen: string]; args: [page: string, ttlMs: number, generation: string]; result: number };
  /** Operator edit of a board: set points, remove a player, reset. Returns 1, 0 (nothing to remove) or BAD_ARGUMENT. */
  boardEdit: {
    keys: [board: string, members: string, version: string, topCache: string, topGen: string];
    args: [op: "set" | "remove" | "reset", playerId: string, points: number, ttlMs: number, nowMs: number];
    result: number;
  };
  // ---- matches (server/matches/lua) ----
  /** Takes a free host lease and mints a fencing token. Returns [token, previousStatus], MATCH_GONE, MATCH_ENDED or LEASE_HELD. */
  matchLeaseAcquire: { keys: [lease: string, leaseFence: string, match: string]; args: [nodeId: string, leaseMs: number, defaultTtlMs: number]; result: [number, string] | number };
  /** Extends the caller's lease. Returns 1 or LEASE_STALE. */
  matchLeaseRenew: { keys: [lease: string]; args: [leaseValue: string, leaseMs: number]; result: number };
  /** Gives the caller's lease up (graceful stop). Returns 1 or LEASE_STALE. */
  matchLeaseRelease: { keys: [lease: string]; args: [leaseValue: string]; result: number };
  /** Fenced checkpoint write. Returns 1 or LEASE_STALE. */
  matchCheckpoint: { keys: [lease: string, checkpoint: string, match: string]; args: [leaseValue: string, json: string, defaultTtlMs: number]; result: number };
  /** Fenced end of a match (status, results, shorter TTLs; drops checkpoint and lease). Returns 1 or LEASE_STALE. */
  matchFinish: { keys: [lease: string, checkpoint: string, match: string, leaseFence: string]; args: [leaseValue: string, endedAt: number, resultsJson: string, keepMs: number]; result: number };
}

export type ScriptName = keyof ScriptSignatures;

/** Number of KEYS per script, checked against the file names at load time. */
export const SCRIPT_KEY_COUNTS: { [N in ScriptName]: ScriptSignatures[N]["keys"]["length"] } = {
  sessionTouch: 1,
  sessionIndexAdd: 1,
  playerTicketReserve: 2,
  playerTicketRelease: 1,
  ticketAdd: 3,
  ticketRemove: 3,
  ticketTouch: 3,
  ticketMoveOut: 4,
  matchClaim: 12,
  rateLimit: 2,
  abuseRecord: 3,
  boardApply: 7,
  playerApply: 2,
  playerLogin: 1,
  boardAround: 2,
  boardPushClaim: 3,
  boardEdit: 5,
  boardCacheSet: 2,
  matchLeaseAcquire: 3,
  matchLeaseRenew: 1,
  matchLeaseRelease: 1,
  matchCheckpoint: 3,
  matchFinish: 4,
  playerMatchDrop: 2,
  playerMatchClear: 1,
};
