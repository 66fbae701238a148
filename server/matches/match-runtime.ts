/**
 * What the parts of a node's match runtime share (scanner, lease keeper, ender, player attach, the tick):
 * the node's infrastructure, the services they use, the stores of match keys, the hosted matches and the
 * timings derived from config. Built once by matches-feature.ts.
 */
import type { Core } from "../core/feature.ts";
import type { Nodes } from "../nodes/nodes-feature.ts";
import type { PlayerStore } from "../players/player-store.ts";
import type { BoardsService } from "../boards/boards-feature.ts";
import type { MatchStore } from "./match-store.ts";
import type { MatchLeases } from "./match-leases.ts";
import type { HostedMatches } from "./hosted-matches.ts";
import type { InputRouter } from "./input-router.ts";

export interface MatchTimings {
  /** One simulation tick (1000 / TICK_HZ). */
  dtMs: number;
  leaseMs: number;
  /** A host stops trusting its lease this long before it could lapse (renewals every third of it). */
  leaseSafetyMs: number;
  /** A new match whose chosen host has not started it this long after creation is taken by anyone. */
  startGraceMs: number;
  /** A free lease of a running match whose host still heartbeats is left to that host this long. */
  takeoverGraceMs: number;
}

export interface MatchRuntime {
  core: Core;
  nodes: Nodes;
  players: PlayerStore;
  boards: BoardsService;
  store: MatchStore;
  leases: MatchLeases;
  hosted: HostedMatches;
  router: InputRouter;
  timings: MatchTimings;
}

/** Lease timings from config: see MatchTimings. */
export function matchTimings(c: Core["config"]): MatchTimings {
  const leaseMs = c.MATCH_LEASE_MS;
  return {
    dtMs: 1000 / c.TICK_HZ,
    leaseMs,
    leaseSafetyMs: Math.min(250, Math.floor(leaseMs / 10)),
    startGraceMs: Math.max(3_000, leaseMs * 2),
    takeoverGraceMs: Math.max(leaseMs, 2 * c.HEARTBEAT_INTERVAL_MS),
  };
}

/** performance.now() until which a lease confirmed by a call sent at `sentAt` may be trusted. */
export function validUntil(t: MatchTimings, sentAt: number): number {
  return sentAt + t.leaseMs - t.leaseSafetyMs;
}
