/**
 * What the admin feature needs from the other features, as small interfaces: reads for the views and
 * controls for the actions. The admin code depends only on these; `today-sources.ts` binds them to the
 * current modules. A control left undefined makes its routes answer 503 UNAVAILABLE and its dashboard
 * button disabled (see `capabilities`).
 */
import type { AdminBan, AdminOffender, AdminPlayer, MatchEnded, MatchHandedOver } from "../../shared/admin-api.ts";
import type { LeaderboardPage, PlayerProfile } from "../../shared/protocol.ts";
import type { LeaderboardPeriod } from "../../shared/schemas.ts";
import type { Snapshot } from "../../shared/game/types.ts";

/** A live node as the registry (nodes feature) reports it. */
export interface LiveNode {
  nodeId: string;
  url: string;
  ccu: number;
  matches: number;
  lagMs: number;
  startedAt: number;
  lastSeen: number;
}

/** One waiting ticket (matchmaking feature). */
export interface WaitingTicket {
  ticketId: string;
  playerId: string;
  name: string;
  queue: string;
  home: string;
  lat: number;
  lon: number;
  rating: number;
  joinedAt: number;
  node: string;
}

/** A match as stored (matches feature), with what its last checkpoint says. */
export interface MatchView {
  matchId: string;
  queue: string;
  status: "created" | "running" | "ended";
  chosenHost: string;
  /** Node holding the lease now. */
  host: string | null;
  createdAt: number;
  roster: { playerId: string; name: string; index: number }[];
  arena: { width: number; height: number };
  /** Built from the last checkpoint (null before the first). */
  snapshot: Snapshot | null;
  checkpointAt: number | null;
}

export interface MinuteCounts {
  /** Minute start, ms. */
  t: number;
  ccu: number;
  matchesStarted: number;
  queueJoins: number;
}

/** Read side: every view reads Redis through these, so every node shows the same. */
export interface AdminReads {
  nodes: { live(): Promise<LiveNode[]> };
  queues: {
    sizes(): Promise<{ queue: string; waiting: number; oldestJoinedAt: number | null }[]>;
    /** Oldest tickets of one queue, at most `limit`. */
    waiting(queue: string, limit: number): Promise<WaitingTicket[]>;
    /** Search radius (km) and skill band of a ticket that has waited `waitMs` in `queue`. */
    searchOf(queue: string, waitMs: number): { radiusKm: number; skillBand: number };
  };
  matches: {
    /** Active match ids, oldest first, with the total count. */
    active(offset: number, limit: number): Promise<{ total: number; ids: string[] }>;
    view(matchIds: readonly string[]): Promise<(MatchView | null)[]>;
    /** The snapshot of a match hosted by this node, straight from memory; null when hosted elsewhere. */
    localSnapshot(matchId: string): Snapshot | null;
  };
  analytics: {
    minutes(count: number): Promise<MinuteCounts[]>;
    uniquePlayersToday(): Promise<number>;
  };
  abuse: {
    offenders(): Promise<AdminOffender[]>;
    bans(): Promise<AdminBan[]>;
  };
  players: {
    profile(playerId: string): Promise<PlayerProfile | null>;
    /** Current match id, ticket and ban of a player. */
    state(playerId: string): Promise<Pick<AdminPlayer, "matchId" | "ticket" | "ban">>;
  };
  boards: {
    page(period: LeaderboardPeriod, date: string | undefined, offset: number, limit: number): Promise<LeaderboardPage>;
    /** The board instance a period and optional date name (throws ValidationError on a bad date). */
    instance(period: LeaderboardPeriod, date: string | undefined): string;
  };
}

/** Ends a match now: the standings so far become its result, applied once (matches feature). */
export interface MatchControl {
  end(matchId: string, reason: string): Promise<MatchEnded>;
  /** Moves the match to another live node (checkpoint, release, nudge); `toNodeId` default: least loaded other. */
  handOver(matchId: string, toNodeId: string | undefined): Promise<MatchHandedOver>;
}

/** Keeps the name index up to date where names are set (sessions/players feature: login and rename). */
export interface NameIndexFeed {
  onName(listener: (playerId: string, name: string) => void): void;
}

export interface AdminControls {
  matches?: MatchControl;
  names?: NameIndexFeed;
}
