/**
 * What the admin views read from the other features, as one small interface: the view builders depend
 * only on this, and `feature-sources.ts` binds it to the services the admin feature declares it needs.
 * Every read goes to Redis through the owner's store, so every node shows the same.
 */
import type { AdminBan, AdminOffender, AdminPlayer, RefusalRow } from "../../shared/admin-api.ts";
import type { LeaderboardPage, PlayerProfile } from "../../shared/protocol.ts";
import type { LeaderboardPeriod } from "../../shared/schemas.ts";
import type { Snapshot } from "../../shared/game/types.ts";
import type { MatchView } from "../matches/match-views.ts";

export type { MatchView };

/** A live node as the registry (nodes feature) reports it. */
export interface LiveNode {
  nodeId: string;
  url: string;
  ccu: number;
  matches: number;
  lagMs: number;
  rssBytes: number;
  cpuPercent: number;
  version: string;
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

export interface MinuteCounts {
  /** Minute start, ms. */
  t: number;
  ccu: number;
  matchesStarted: number;
  queueJoins: number;
}

export interface AdminReads {
  nodes: {
    live(): Promise<LiveNode[]>;
    /** Nodes that stopped heartbeating recently (nodeId, last heartbeat). */
    dead(): Promise<{ nodeId: string; lastSeen: number }[]>;
  };
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
    /** The newest refusals and violations, newest first. */
    recent(count: number): Promise<RefusalRow[]>;
  };
  players: {
    profile(playerId: string): Promise<PlayerProfile | null>;
    /** Current match, ticket, ban and account dates of a player. */
    state(playerId: string): Promise<Omit<AdminPlayer, "profile" | "sockets">>;
    search(prefix: string, limit: number): Promise<{ playerId: string; name: string }[]>;
  };
  boards: {
    page(period: LeaderboardPeriod, date: string | undefined, offset: number, limit: number): Promise<LeaderboardPage>;
  };
}
