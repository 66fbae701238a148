/**
 * Every Redis key and channel name is built here, nowhere else, grouped by the feature that owns it
 * (`keys.players.match(id)` belongs to server/players/). A feature builds only its own keys; others go
 * through its store functions (test/ownership.test.ts fails otherwise).
 *
 * Keys that one Lua script, MULTI or pipeline touches together share a hash tag (`{...}`), so the same
 * code runs unchanged on Redis Cluster. Tags are chosen so load spreads: one tag per player, per queue,
 * per match, per board instance, per node, per limit subject.
 */
import type { LeaderboardPeriod } from "../../shared/schemas.ts";

/** Builds every key for one key prefix (tests use a unique prefix each for isolation). */
export function createKeys(prefix: string) {
  const p = prefix;
  return Object.freeze({
    prefix: p,
    /** Channel prefix for @socket.io/redis-adapter (server/sockets/). */
    adapterChannel: `${p}sio`,

    /** server/sessions/ */
    sessions: Object.freeze({
      /** Hash {playerId, deviceId, name, createdAt}; TTL = session lifetime, slid on use. `sid` = SHA-256(token) hex. */
      session: (sid: string) => `${p}session:{${sid}}`,
      /** Sorted set: the session ids of one device -> created at (ms); capped, TTL slid with its sessions. */
      device: (deviceId: string) => `${p}sessions:device:{${deviceId}}`,
    }),

    /** server/players/: everything keyed by one player shares the player's tag. */
    players: Object.freeze({
      /** String: the player id bound to a device id. TTL: guest lifetime until the player finishes a match. */
      device: (deviceId: string) => `${p}device:${deviceId}`,
      /** Hash: profile and stats {name, device, createdAt, lastLoginAt, rating, games, wins, best, total, lastMatchAt}. TTL: guest lifetime until the first result, then none. */
      profile: (playerId: string) => `${p}player:{${playerId}}`,
      /** Counter: increments on each socket connect; orders connections for the one-socket rule. */
      epoch: (playerId: string) => `${p}player:{${playerId}}:epoch`,
      /** String: "<queue>|<ticketId>" while the player has a ticket (TTL = ticket hold time). */
      ticket: (playerId: string) => `${p}player:{${playerId}}:ticket`,
      /** String: the match id the player is in (TTL ~ match length + grace). */
      match: (playerId: string) => `${p}player:{${playerId}}:match`,
      /** String: the last match whose `match:end` the player was sent (one notice per match, whoever sends it). */
      lastEnd: (playerId: string) => `${p}player:{${playerId}}:lastend`,
      /** Set: match ids applied to the player's stats (exactly-once marker), bucketed by match day. */
      applied: (playerId: string, day: string) => `${p}player:{${playerId}}:applied:${day}`,
      /**
       * Sorted set, every score 0 (ordered by bytes, searched with ZRANGE BYLEX): "<folded name>\0<name>\0<playerId>"
       * of the players who logged in during one week (`week` = whole weeks since the epoch); expires weeks later.
       */
      names: (week: number) => `${p}players:names:${week}`,
    }),

    /** server/matchmaking/: one hash tag per queue. */
    matchmaking: Object.freeze({
      /** GEO set: ticketId -> position. */
      geo: (queue: string) => `${p}{q:${queue}}:geo`,
      /** Sorted set: ticketId -> joinedAt (ms); oldest first. */
      byTime: (queue: string) => `${p}{q:${queue}}:bytime`,
      /** Hash per ticket {status, playerId, name, rating, joinedAt, home, lat, lon, epoch, node}. */
      ticket: (queue: string, ticketId: string) => `${p}{q:${queue}}:t:${ticketId}`,
      /** Counter: fencing token of the queue's matchmaker lock; bumped at each acquisition. */
      fence: (queue: string) => `${p}{q:${queue}}:fence`,
      /** Redlock resource guarding one queue's matchmaker pass. */
      lock: (queue: string) => `${p}{q:${queue}}:lock`,
      /** Hash: matchId -> claim JSON, for claims whose match record is not written yet (crash recovery). */
      claims: (queue: string) => `${p}{q:${queue}}:claims`,
    }),

    /** server/matches/: one hash tag per match. */
    matches: Object.freeze({
      /** Hash: match record {matchId, queue, fence, hostNodeId, createdAt, status, seed, players, ...}. */
      record: (matchId: string) => `${p}match:{${matchId}}`,
      /** String: "<nodeId>|<leaseToken>", PX = lease time. */
      lease: (matchId: string) => `${p}match:{${matchId}}:lease`,
      /** Counter: lease fencing token. */
      leaseFence: (matchId: string) => `${p}match:{${matchId}}:lfence`,
      /** String: last checkpoint of the simulation state (JSON). */
      checkpoint: (matchId: string) => `${p}match:{${matchId}}:ckpt`,
      /** Sorted set: live match ids -> created time. */
      active: `${p}matches:active`,
    }),

    /** server/boards/: results and leaderboards; one tag per board instance, one per result. */
    boards: Object.freeze({
      /** Stream of match results, consumed by the `boards` group. */
      results: `${p}results`,
      resultsGroup: "boards",
      /** Stream (capped): result entries that Redis kept refusing to apply, acked and parked for an operator. */
      resultsDead: `${p}results:dead`,
      /** String: the frozen apply plan of one match result (first delivery wins; dedupe by match id). */
      plan: (matchId: string) => `${p}res:{${matchId}}`,
      /** Sorted set board for one period instance: all-time "all", daily "2026-11-22", weekly "2026-W47". */
      board: (period: LeaderboardPeriod, instance: string) => `${p}lb:{${period}:${instance}}`,
      // The keys below share their board's tag: one Lua step per board slot (server/boards/result-applier.ts).
      /** Hash: playerId -> the player's board member (members carry the tie order, see board-encoding.ts). */
      members: (period: LeaderboardPeriod, instance: string) => `${p}lb:{${period}:${instance}}:members`,
      /** Set: match ids applied to a board (its exactly-once marker); all-time is bucketed by match day. */
      applied: (period: LeaderboardPeriod, instance: string, bucket = "") => `${p}lb:{${period}:${instance}}:applied${bucket && `:${bucket}`}`,
      /** Counter: bumped when a board's top 10 may have changed (push trigger). */
      version: (period: LeaderboardPeriod, instance: string) => `${p}lb:{${period}:${instance}}:ver`,
      /** String: the board version last pushed to subscribers. */
      pushed: (period: LeaderboardPeriod, instance: string) => `${p}lb:{${period}:${instance}}:pushed`,
      /** String: held for one push interval by the node that pushed the board (cluster-wide throttle). */
      pushLock: (period: LeaderboardPeriod, instance: string) => `${p}lb:{${period}:${instance}}:pushlock`,
      /** String: cached JSON of the top 100 with names (cache-aside, short TTL). */
      topCache: (period: LeaderboardPeriod, instance: string) => `${p}lb:{${period}:${instance}}:top`,
      /** Counter: bumped by every write into the cached top; a page built meanwhile is not cached. */
      topGen: (period: LeaderboardPeriod, instance: string) => `${p}lb:{${period}:${instance}}:topgen`,
      /** Hash {matches}: matches applied to a weekly or all-time board instance. */
      meta: (period: LeaderboardPeriod, instance: string) => `${p}lb:{${period}:${instance}}:meta`,
    }),

    /** server/boards/ (analytics): dashboard figures. */
    analytics: Object.freeze({
      /** HyperLogLog of unique players for one day. */
      uniques: (day: string) => `${p}stats:uniq:${day}`,
      /**
       * Hash of per-day counters {matches, queueJoins, matchesStarted}. Shares the daily board's tag: `matches`
       * is counted by the same exactly-once Lua step that applies a result to that day's board.
       */
      daily: (day: string) => `${p}stats:{daily:${day}}:day`,
      /** Hash: minute of the UTC day (0-1439) -> count, for one per-minute series (matchesStarted, queueJoins). */
      series: (kind: string, day: string) => `${p}stats:min:${kind}:${day}`,
      /** Hash: "<minute>|<nodeId>" -> sockets on that node; CCU of a minute = sum over nodes. */
      ccu: (day: string) => `${p}stats:ccu:${day}`,
    }),

    /** server/nodes/ */
    nodes: Object.freeze({
      /** Sorted set: nodeId -> last heartbeat (ms). */
      registry: `${p}nodes`,
      /** Hash: one node's load {ccu, matches, lagMs, startedAt, url, ...}; TTL = node TTL. */
      node: (nodeId: string) => `${p}node:{${nodeId}}`,
      /** Pub/sub channel: messages for one node (routed inputs, snapshots, commands). */
      inbox: (nodeId: string) => `${p}node:{${nodeId}}:inbox`,
      /** Sorted set: nodeId -> last heartbeat (ms) of nodes that stopped heartbeating (died); pruned, TTL. */
      dead: `${p}nodes:dead`,
    }),

    /** server/limits/: one tag per subject (`p:<playerId>` or `ip:<address>`). */
    limits: Object.freeze({
      /** GCRA state (theoretical arrival time) for one subject and action. */
      rate: (subject: string, action: string) => `${p}rl:{${subject}}:${action}`,
      /** Decaying violation score of a subject. */
      violations: (subject: string) => `${p}abuse:{${subject}}:score`,
      /** Temporary ban; TTL = ban length. */
      ban: (subject: string) => `${p}abuse:{${subject}}:ban`,
      /** Sorted set (addresses): players in good standing seen from it -> last seen (ms); capped, TTL = window. */
      goodStanding: (subject: string) => `${p}abuse:{${subject}}:good`,
      /** String (players): the address the player last connected from; TTL = good-standing window. */
      lastAddress: (subject: string) => `${p}abuse:{${subject}}:ip`,
      /** String (addresses): while it exists, new devices may not log in from the address; TTL = block length. */
      newDevices: (subject: string) => `${p}abuse:{${subject}}:newdev`,
      /** Sorted set: banned subjects -> until (ms), for the admin view. */
      bans: `${p}abuse:bans`,
      /** Sorted set: subjects with a recent violation -> last violation (ms), for the admin view; TTL = decay window. */
      offenders: `${p}abuse:offenders`,
      /** Stream (capped, MAXLEN ~): recent refusals and violations, one entry per subject per flush, for the admin view. */
      refusals: `${p}abuse:refusals`,
    }),

    /** server/admin/: the dashboard's own keys (none shares a slot with another: no hash tags). */
    admin: Object.freeze({
      /** Stream (capped, MAXLEN ~ AUDIT_MAX_ENTRIES): every state-changing admin request. */
      audit: `${p}admin:audit`,
      /** String (JSON, TTL = its lifetime): the announcement players who connect meanwhile still get. */
      announcement: `${p}admin:announce`,
      /** Hash (TTL = series retention): minute of the UTC day -> count, of one per-minute series, one day. */
      series: (kind: string, day: string) => `${p}admin:series:${kind}:${day}`,
      /** Hash (TTL = series retention): "<minute>|<bucket le>" -> queue waits in that bucket, one day. */
      waitHistogram: (day: string) => `${p}admin:series:wait:${day}`,
    }),
  });
}

export type Keys = ReturnType<typeof createKeys>;
/** The owners of key families: a folder under server/ may use only its own (test/ownership.test.ts). */
export type KeyOwner = Exclude<keyof Keys, "prefix" | "adapterChannel">;
