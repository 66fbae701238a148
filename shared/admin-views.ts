/**
 * The admin contract, what the dashboard sees: overview, series, matchmaking, matches (and the match
 * actions' shapes). Re-exported by shared/admin-api.ts (errors, players, boards, abuse, announcements,
 * audit). Dependency-free types.
 */
import type { Snapshot, MatchPhase } from "./game/types.ts";

// ---- overview --------------------------------------------------------------------------------------------

export interface AdminNode {
  nodeId: string;
  /** False: it stopped heartbeating (killed or hung); kept in the list for DEAD_NODE_KEEP_MS. */
  alive: boolean;
  /** Where the node listens (operators only). */
  url: string;
  ccu: number;
  matches: number;
  /** Event-loop delay p99 over the last heartbeat interval, ms. */
  lagMs: number;
  /** Resident set size, bytes (null: the node reports no process stats). */
  rssBytes: number | null;
  /** CPU use of the process over the last second, percent of one core. */
  cpuPercent: number | null;
  /** Package version and Node.js version, e.g. "0.1.0 / v20.19.0". */
  version: string | null;
  startedAt: number;
  /** Wall-clock ms of the last heartbeat, as the node saw it. */
  lastSeen: number;
  /** This is the node answering. */
  self: boolean;
}

/** One Redis server (one per master on a Redis Cluster). */
export interface RedisHealth {
  /** host:port as the node sees it. */
  address: string;
  role: string;
  version: string;
  usedMemoryBytes: number;
  maxMemoryBytes: number;
  opsPerSec: number;
  connectedClients: number;
  /** keyspace hits / (hits + misses) since start; null before any lookup. */
  hitRate: number | null;
  aof: { enabled: boolean; lastWriteOk: boolean; rewriteInProgress: boolean };
  /** Round trip of a PING from the answering node, ms. */
  pingMs: number;
  uptimeSeconds: number;
  /** Set when the server did not answer INFO. */
  error?: string;
}

export interface AdminTotals {
  ccu: number;
  liveNodes: number;
  deadNodes: number;
  activeMatches: number;
  queued: number;
  bans: number;
  offenders: number;
  uniquePlayersToday: number;
}

/** GET /admin/api/overview, and the `admin:overview` push (about once a second). */
export interface AdminOverview {
  at: number;
  nodes: AdminNode[];
  redis: RedisHealth[];
  totals: AdminTotals;
}

/** One minute of the charted series. */
export interface SeriesPoint {
  /** Minute start, ms since the epoch (UTC). */
  t: number;
  ccu: number;
  matchesStarted: number;
  queueJoins: number;
  /** Queue wait of the matches formed in that minute (null: none formed). */
  queueWaitP50Ms: number | null;
  queueWaitP99Ms: number | null;
  rateLimited: number;
  violations: number;
}

/** GET /admin/api/series?minutes=60 (1-1440), and the `admin:series` push (every 5 s). */
export interface AdminSeries {
  minutes: SeriesPoint[];
}

// ---- matchmaking -----------------------------------------------------------------------------------------

export interface QueueRow {
  /** Region id or "world". */
  queue: string;
  waiting: number;
  oldestWaitMs: number | null;
  /** Wait percentiles of the tickets waiting now. */
  p50WaitMs: number | null;
  p99WaitMs: number | null;
}

/** One waiting ticket as a point on the map. */
export interface TicketPoint {
  ticketId: string;
  playerId: string;
  name: string;
  /** Queue it is in now ("world" after the last regional step). */
  queue: string;
  /** Region it joined. */
  home: string;
  lat: number;
  lon: number;
  rating: number;
  waitMs: number;
  /** Current search radius (km) and skill band (+-), from the search schedule. */
  radiusKm: number;
  skillBand: number;
  /** Node the player is connected to. */
  node: string;
}

/** GET /admin/api/matchmaking, and the `admin:matchmaking` push (about once a second). */
export interface MatchmakingView {
  at: number;
  queues: QueueRow[];
  /** Oldest first, at most MAX_TICKET_POINTS over all queues. */
  tickets: TicketPoint[];
  /** More tickets are waiting than were listed. */
  truncated: boolean;
}
export const MAX_TICKET_POINTS = 2000;

// ---- matches ---------------------------------------------------------------------------------------------

export interface MatchRow {
  matchId: string;
  queue: string;
  status: "created" | "running" | "ended";
  /** From the last checkpoint; null before the first one. */
  phase: MatchPhase | null;
  phaseLeftMs: number | null;
  players: { playerId: string; name: string; score: number | null }[];
  /** Node chosen at creation. */
  chosenHost: string;
  /** Node holding the lease now (null: nobody; a takeover is due). */
  host: string | null;
  createdAt: number;
  /** Wall-clock ms of the last checkpoint. */
  checkpointAt: number | null;
}

/** GET /admin/api/matches?offset=0&limit=100, and the `admin:matches` push (about once a second). */
export interface MatchList {
  at: number;
  total: number;
  matches: MatchRow[];
}

/** GET /admin/api/matches/:matchId, and the ack of `admin:match:watch`. */
export interface MatchDetail extends MatchRow {
  arena: { width: number; height: number };
  /** Players in snapshot row order. */
  roster: { playerId: string; name: string; index: number }[];
  snapshot: Snapshot | null;
}

/** `admin:match:snapshot`: the watched match, ~10/s when hosted by the answering node, else each checkpoint. */
export interface AdminMatchSnapshot {
  matchId: string;
  source: "host" | "checkpoint";
  snapshot: Snapshot;
}

/** POST /admin/api/matches/:matchId/end */
export interface MatchEndBody {
  reason?: string;
}
export interface MatchEnded {
  matchId: string;
  /** False: it had already ended (the result is applied once either way). */
  ended: boolean;
  results: { playerId: string; name: string; score: number; placement: number }[];
}

/** POST /admin/api/matches/:matchId/handover; without `toNodeId` the least loaded other live node. */
export interface MatchHandOverBody {
  toNodeId?: string;
}
export interface MatchHandedOver {
  matchId: string;
  from: string | null;
  to: string;
}
