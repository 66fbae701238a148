/**
 * Lobby and queue transitions: where the player queues from, joining, waiting (with `queue:status`),
 * re-joining when the server forgot the ticket, and the way out (cancel, refusal, match found). Pure.
 */
import { REGIONS, type RegionId } from "../../../shared/regions.ts";
import type { Ack, MatchFound, QueueJoined, QueueStatus } from "../../../shared/protocol.ts";
import type { QueueJoinRequest } from "../../../shared/schemas.ts";
import type { GeoPermission } from "../location.ts";
import type { AppState, Command, QueueState, WhereState } from "./types.ts";

type Next = [AppState, Command[]];

export function initialQueue(): QueueState {
  return { phase: "idle", since: 0, headline: "", estimateMs: null, radiusKm: null, inRange: null, found: [], error: "", status: null };
}

export function initialWhere(region: RegionId): WhereState {
  return { region, useLocation: false, geo: null, blocked: false, status: "" };
}

/** The queue:join payload: the rounded position when the player allowed it and it was found, else the region. */
export function joinRequest(w: WhereState): QueueJoinRequest {
  // The cast: the inferred schema type currently loses the region literals (shared/schemas.ts builds the
  // union from a mapped array), so it cannot name them.
  return (w.useLocation && w.geo ? { lat: w.geo.lat, lon: w.geo.lon } : { region: w.region }) as QueueJoinRequest;
}

/** True while the player wants a game and has no match yet: a (re)connect or a lost ticket sends the join again. */
export const wantsTicket = (q: QueueState) => q.phase === "joining" || q.phase === "searching";

/** Back to the setup form; the last error stays until the next try. */
export function idle(q: QueueState, error = q.error): QueueState {
  return { ...q, phase: "idle", status: null, error };
}

const join = (s: AppState): Command => ({ type: "queue:join", request: joinRequest(s.where) });

/** "Find match" (and "Play again"): a fresh wait unless one is running, then the join request. */
export function find(s: AppState, now: number): Next {
  const q = s.queue;
  const fresh = q.phase === "idle" || q.phase === "found";
  const queue: QueueState = fresh
    ? { ...q, phase: "joining", since: now, headline: "Joining the queue…", estimateMs: null, radiusKm: null, inRange: null, found: [], error: "" }
    : { ...q, error: "" };
  const next = { ...s, queue };
  return [next, [join(next)]];
}

/** The socket is (back) up, or the server dropped the ticket: ask again (ALREADY_QUEUED is fine). */
export function rejoin(s: AppState): Next {
  if (!wantsTicket(s.queue)) return [s, []];
  return [{ ...s, queue: { ...s.queue, error: "" } }, [join(s)]];
}

/** The server dropped a ticket the player did not leave: re-queue only if we were waiting on it. */
export function cancelledByServer(s: AppState): Next {
  return s.queue.phase === "searching" ? rejoin(s) : [s, []];
}

export function cancel(s: AppState): Next {
  return [{ ...s, queue: idle(s.queue) }, [{ type: "queue:leave" }]];
}

export function joined(s: AppState, ack: Ack<QueueJoined>): AppState {
  const q = s.queue;
  // Cancelled, matched or logged out while the request was in flight.
  if (!wantsTicket(q)) return s;
  if (ack.ok) {
    const region = REGIONS[ack.data.region]?.name ?? ack.data.region;
    return { ...s, queue: { ...q, phase: "searching", headline: `Searching in ${region}…`, estimateMs: ack.data.estimatedWaitMs } };
  }
  switch (ack.error.code) {
    case "ALREADY_QUEUED":
      return { ...s, queue: { ...q, phase: "searching", headline: "Searching…" } };
    case "ALREADY_IN_MATCH":
      // The server re-sends match:start for it.
      return { ...s, queue: { ...q, phase: "found", headline: "Rejoining your match…" } };
    case "RATE_LIMITED":
      return { ...s, queue: idle(q, `Too many tries; wait ${Math.ceil((ack.error.retryAfterMs ?? 1000) / 1000)} s.`) };
    default:
      return { ...s, queue: idle(q, ack.error.message) };
  }
}

/** No ack within the timeout on a live socket (a drop instead re-sends on connection:up). */
export function noAnswer(s: AppState): AppState {
  return wantsTicket(s.queue) ? { ...s, queue: idle(s.queue, "The server did not answer. Try again.") } : s;
}

export function status(s: AppState, st: QueueStatus, now: number): AppState {
  let q: QueueState = { ...s.queue, status: st };
  if (q.phase === "joining") q = { ...q, phase: "searching" };
  if (q.phase === "searching") q = { ...q, since: now - st.elapsedMs, radiusKm: st.radiusKm, inRange: st.playersInRange };
  return { ...s, queue: q };
}

export function found(s: AppState, m: MatchFound): AppState {
  const queue: QueueState = { ...s.queue, phase: "found", headline: "Match found! Starting…", found: m.players.map((p) => p.name) };
  // From the end screen (or anywhere else) back to the queue screen, which shows who was found.
  return { ...s, queue, screen: s.screen === "queue" || s.screen === "game" ? s.screen : "queue" };
}

// ---- where from ---------------------------------------------------------------------------------------

export function permission(s: AppState, p: GeoPermission): Next {
  if (p === "granted") return [{ ...s, where: { ...s.where, status: "" } }, [{ type: "locate" }]];
  if (p === "denied" || p === "unsupported") {
    const status = p === "denied" ? "Location is blocked in this browser; pick a region." : "Pick your region.";
    return [{ ...s, where: { ...s.where, blocked: true, status } }, []];
  }
  return [s, []];
}

export function toggleLocation(s: AppState, on: boolean): Next {
  if (on) return [{ ...s, where: { ...s.where, useLocation: true, status: "Asking your browser…" } }, [{ type: "locate" }]];
  return [{ ...s, where: { ...s.where, useLocation: false, geo: null, status: "" } }, []];
}

export function located(s: AppState, geo: { lat: number; lon: number }): AppState {
  const status = `Using your location (${geo.lat.toFixed(1)}, ${geo.lon.toFixed(1)}).`;
  return { ...s, where: { ...s.where, useLocation: true, geo, status } };
}

export function locateFailed(s: AppState, message: string): AppState {
  return { ...s, where: { ...s.where, useLocation: false, geo: null, status: `${message}. Pick a region instead.` } };
}

export function selectRegion(s: AppState, region: RegionId): Next {
  return [{ ...s, where: { ...s.where, region } }, [{ type: "save-region", region }]];
}

/** The region picker is locked while a found position is in use. */
export const regionLocked = (w: WhereState) => w.useLocation && w.geo !== null;
