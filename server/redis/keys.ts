/**
 * Every Redis key and channel name is built here, nowhere else. Keys that one Lua script touches
 * together share a hash tag (`{...}`), so the same scripts run unchanged on Redis Cluster. Tags are
 * chosen so load spreads: one tag per player, per queue, per match, per board period.
 */
import type { LeaderboardPeriod } from "../../shared/schemas.ts";

/** Builds every key for one key prefix (tests use a unique prefix each for isolation). */
export function createKeys(prefix: string) {
  const p = prefix;
  return Object.freeze({
    prefix: p,
    /** Channel prefix for @socket.io/redis-adapter. */
    adapterChannel: `${p}sio`,

    // ---- sessions & players ----
    /** Hash {playerId, name, createdAt}; TTL = session lifetime, slid on use. `sid` = SHA-256(token) hex. */
    session: (sid: string) => `${p}session:{${sid}}`,
    /** String: the player id bound to a device id (permanent). */
    device: (deviceId: string) => `${p}device:${deviceId}`,
    /** Hash: profile and stats {name, createdAt, rating, games, wins, best, total} (permanent). */
    player: (playerId: string) => `${p}player:{${playerId}}`,
    /** Counter: increments on each socket connect; orders connections for the one-socket rule. */
    playerConnEpoch: (playerId: string) => `${p}player:{${playerId}}:epoch`,
    /** String: "<queue>|<ticketId>" while the player has a ticket (TTL = ticket TTL). */
    playerTicket: (playerId: string) => `${p}player:{${playerId}}:ticket`,
    /** String: the match id the player is in (TTL ~ match length + grace). */
    playerMatch: (playerId: string) => `${p}player:{${playerId}}:match`,

    // ---- matchmaking queues (one hash tag per queue) ----
    /** GEO set: ticketId -> position. */
    queueGeo: (queue: string) => `${p}{q:${queue}}:geo`,
    /** Sorted set: ticketId -> joinedAt (ms); oldest first. */
    queueByTime: (queue: string) => `${p}{q:${queue}}:bytime`,
    /** Hash per ticket {playerId, name, rating, joinedAt, lat, lon, node}. */
    ticket: (queue: string, ticketId: string) => `${p}{q:${queue}}:t:${ticketId}`,
    /** Counter: fencing token of the queue's matchmaker lock; bumped at each acquisition. */
    queueFence: (queue: string) => `${p}{q:${queue}}:fence`,
    /** Redlock resource guarding one queue's matchmaker pass. */
    queueLock: (queue: string) => `${p}{q:${queue}}:lock`,
    /** Hash: matchId -> claim JSON, for claims whose match record is not written yet (crash recovery). */
    queueClaims: (queue: string) => `${p}{q:${queue}}:claims`,

    // ---- matches ----
    /** Hash: match record {players, hostNodeId, fence, createdAt, status, ...}. */
    match: (matchId: string) => `${p}match:{${matchId}}`,
    /** String: "<nodeId>|<leaseToken>", PX = lease time. */
    matchLease: (matchId: string) => `${p}match:{${matchId}}:lease`,
    /** Counter: lease fencing token. */
    matchLeaseFence: (matchId: string) => `${p}match:{${matchId}}:lfence`,
    /** String: last checkpoint of the simulation state (JSON). */
    matchCheckpoint: (matchId: string) => `${p}match:{${matchId}}:ckpt`,
    /** Sorted set: live match ids -> created time. */
    matchesActive: `${p}matches:active`,

    // ---- results & boards ----
    /** Stream of match results, consumed by the `boards` group. */
    resultsStream: `${p}results`,
    resultsGroup: "boards",
    /** Stream (capped): result entries that Redis kept refusing to apply, acked and parked for an operator. */
    resultsDead: `${p}results:dead`,
    /** Sorted set board for one period instance: all-time "all", daily "2026-11-22", weekly "2026-W47". */
    board: (period: LeaderboardPeriod, instance: string) => `${p}lb:{${period}:${instance}}`,
    // The keys below share their board's tag: one Lua step per board slot (server/boards/result-applier.ts).
    /** Hash: playerId -> the player's board member (members carry the tie order, see server/boards/board-encoding.ts). */
    boardMembers: (period: LeaderboardPeriod, instance: string) => `${p}lb:{${period}:${instance}}:members`,
    /** Set: match ids applied to a board (its exactly-once marker); all-time is bucketed by match day. */
    boardApplied: (period: LeaderboardPeriod, instance: string, bucket = "") => `${p}lb:{${period}:${instance}}:applied${bucket && `:${bucket}`}`,
    /** Counter: bumped when a board's top 10 may have changed (push trigger). */
    boardVersion: (period: LeaderboardPeriod, instance: string) => `${p}lb:{${period}:${instance}}:ver`,
    /** String: the board version last pushed to subscribers. */
    boardPushed: (period: LeaderboardPeriod, instance: string) => `${p}lb:{${period}:${instance}}:pushed`,
    /** String: held for one push interval by the node that pushed the board (cluster-wide throttle). */
    boardPushLock: (period: LeaderboardPeriod, instance: string) => `${p}lb:{${period}:${instance}}:pushlock`,
    /** String: cached JSON of the top 100 with names (cache-aside, short TTL). */
    boardTopCache: (period: LeaderboardPeriod, instance: string) => `${p}lb:{${period}:${instance}}:top`,
    /** Counter: bumped by every write into the cached top; a page built meanwhile is not cached. */
    boardTopGen: (period: LeaderboardPeriod, instance: string) => `${p}lb:{${period}:${instance}}:topgen`,
    /** Hash {matches}: matches applied to a weekly or all-time board instance. */
    boardMeta: (period: LeaderboardPeriod, instance: string) => `${p}lb:{${period}:${instance}}:meta`,
    /** String: the frozen apply plan of one match result (first delivery wins; dedupe by match id). */
    resultPlan: (matchId: string) => `${p}res:{${matchId}}`,
    /** Set: match ids applied to one player's stats (exactly-once marker), bucketed by match day. */
    playerApplied: (playerId: string, day: string) => `${p}player:{${playerId}}:applied:${day}`,

    // ---- nodes ----
    /** Sorted set: nodeId -> last heartbeat (ms). */
    nodes: `${p}nodes`,
    /** Hash: one node's load {ccu, matches, lagMs, startedAt, url}; TTL = node TTL. */
    node: (nodeId: string) => `${p}node:{${nodeId}}`,
    /** Pub/sub channel: messages for one node (routed inputs, commands). */
    nodeInbox: (nodeId: string) => `${p}node:{${nodeId}}:inbox`,

    // ---- limits & abuse ----
    /** GCRA state (theoretical arrival time) for one subject and action. */
    rate: (subject: string, action: string) => `${p}rl:{${subject}}:${action}`,
    /** Decaying violation score of a subject. */
    violations: (subject: string) => `${p}abuse:{${subject}}:score`,
    /** Temporary ban; TTL = ban length. */
    ban: (subject: string) => `${p}abuse:{${subject}}:ban`,
    /** Sorted set: banned subjects -> until (ms), for the admin view. */
    bans: `${p}abuse:bans`,
    /** Sorted set: subjects with a recent violation -> last violation (ms), for the admin view; TTL = decay window. */
    offenders: `${p}abuse:offenders`,

    // ---- analytics ----
    /** HyperLogLog of unique players for one day. */
    dailyUniques: (day: string) => `${p}stats:uniq:${day}`,
    /**
     * Hash of per-day counters {matches, queueJoins, matchesStarted}. Shares the daily board's tag: `matches`
     * is counted by the same exactly-once Lua step that applies a result to that day's board.
     */
    dailyCounters: (day: string) => `${p}stats:{daily:${day}}:day`,
    /** Hash: minute of the UTC day (0-1439) -> count, for one per-minute series (matchesStarted, queueJoins). */
    statsSeries: (kind: string, day: string) => `${p}stats:min:${kind}:${day}`,
    /** Hash: "<minute>|<nodeId>" -> sockets on that node; CCU of a minute = sum over nodes. */
    statsCcu: (day: string) => `${p}stats:ccu:${day}`,
  });
}

export type Keys = ReturnType<typeof createKeys>;
