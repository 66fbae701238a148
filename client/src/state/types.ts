/**
 * The client's screen state, the actions that change it and the commands a transition asks the outside
 * world to run. Types only; `app-state.ts` holds the reducer. Nothing here touches the DOM, the socket or
 * the clock (actions carry `now` where time matters), so every transition runs under plain Node.
 */
import type { Ack, Announcement, BoardsTop, LeaderboardEntry, MatchFound, Notice, QueueJoined, QueueStatus } from "../../../shared/protocol.ts";
import type { QueueJoinRequest } from "../../../shared/schemas.ts";
import type { RegionId } from "../../../shared/regions.ts";
import type { MatchEnd, MatchStart } from "../../../shared/game/types.ts";
import type { ConnectionStatus } from "../connection.ts";
import type { GeoPermission } from "../location.ts";

/** `boot` until the stored login is checked; `end` is the results screen (`body[data-screen=end]`). */
export type Screen = "boot" | "name" | "queue" | "game" | "end";

export type QueuePhase = "idle" | "joining" | "searching" | "found";

/** Where the player queues from: geolocation when allowed and found, else the picked region. */
export interface WhereState {
  region: RegionId;
  /** The "use my location" box. */
  useLocation: boolean;
  geo: { lat: number; lon: number } | null;
  /** Geolocation is blocked or missing: the box cannot be ticked. */
  blocked: boolean;
  status: string;
}

export interface QueueState {
  phase: QueuePhase;
  /** Queued since (performance.now() clock); the screen counts the wait from it. */
  since: number;
  headline: string;
  estimateMs: number | null;
  radiusKm: number | null;
  inRange: number | null;
  /** Names of the players in the found match. */
  found: string[];
  error: string;
  /** The last `queue:status` (debug view). */
  status: QueueStatus | null;
}

export interface ResultRow {
  placement: number;
  name: string;
  score: number;
  me: boolean;
}

export interface ResultsState {
  matchId: string;
  title: string;
  rows: ResultRow[];
}

/** The all-time top 10 on the end screen: subscribed (live) while that screen is up. */
export interface BoardsState {
  subscribed: boolean;
  entries: LeaderboardEntry[];
  note: string;
}

/** What the banner's button does: every action today reconnects (after SESSION_REPLACED, KICKED, BANNED). */
export interface Banner {
  id: number;
  text: string;
  /** Button label, or null for no button. */
  action: string | null;
  /** Sticky banners stay until dismissed; others go after BANNER_MS. */
  sticky: boolean;
}

export interface AppState {
  screen: Screen;
  /** The remembered identity (prefills the name field); `signedIn` says whether it is in use. */
  player: { name: string | null; playerId: string | null };
  signedIn: boolean;
  nameForm: { error: string; pending: boolean };
  /** Null until the connection first reports. */
  connection: { status: ConnectionStatus; detail: string } | null;
  where: WhereState;
  queue: QueueState;
  /** The match on screen: the latest `match:start` of it (a rejoin or failover sends a new one). */
  match: MatchStart | null;
  lastEnd: MatchEnd | null;
  results: ResultsState | null;
  boards: BoardsState;
  /** Server notices and client messages (match moved), one at a time. */
  banner: Banner | null;
  bannerSeq: number;
  /** The operator's announcement (`announce` event), shown in its own dismissible banner. */
  announcement: Announcement | null;
  /** Every notice received (debug view), newest last, capped. */
  notices: Notice[];
  /** What the last transition asks to run (I/O); the store runs them once, the next transition drops them. */
  commands: Command[];
}

export type Action =
  | { type: "boot"; hasToken: boolean }
  | { type: "session:ready"; name: string | null; playerId: string | null }
  | { type: "session:ended"; message?: string }
  | { type: "name:submit"; raw: string }
  | { type: "login:failed"; message: string }
  | { type: "logout" }
  | { type: "connection:status"; status: ConnectionStatus; detail: string }
  | { type: "connection:up" }
  | { type: "notice"; notice: Notice }
  | { type: "banner:act" }
  | { type: "banner:close" }
  | { type: "banner:expired"; id: number }
  | { type: "announce"; announcement: Announcement }
  | { type: "announcement:dismiss" }
  | { type: "location:permission"; permission: GeoPermission }
  | { type: "location:toggle"; on: boolean }
  | { type: "location:found"; geo: { lat: number; lon: number } }
  | { type: "location:failed"; message: string }
  | { type: "region:select"; region: RegionId }
  | { type: "queue:find"; now: number }
  | { type: "queue:cancel" }
  | { type: "queue:joined"; ack: Ack<QueueJoined> }
  | { type: "queue:no-answer" }
  | { type: "queue:status"; status: QueueStatus; now: number }
  | { type: "queue:cancelled" }
  | { type: "match:found"; found: MatchFound }
  | { type: "match:start"; start: MatchStart }
  | { type: "match:resumed" }
  | { type: "match:end"; end: MatchEnd }
  | { type: "boards:loaded"; entries: LeaderboardEntry[]; subscribed: boolean }
  | { type: "boards:failed" }
  | { type: "boards:top"; top: BoardsTop }
  | { type: "lobby" }
  | { type: "play-again"; now: number };

export type Command =
  /** Check the stored token (re-login with the stored name when it went stale): session:ready or session:ended. */
  | { type: "restore-session" }
  | { type: "login"; name: string }
  /** Stop the socket, revoke the token, then session:ended. */
  | { type: "logout" }
  /** Connect unless connected (also "Play here" / "Reconnect"). */
  | { type: "connect" }
  /** Sent only while connected (a drop re-sends on connection:up); answers queue:joined or queue:no-answer. */
  | { type: "queue:join"; request: QueueJoinRequest }
  | { type: "queue:leave" }
  /** Subscribe to the all-time top 10 (one HTTP read when offline): boards:loaded or boards:failed. */
  | { type: "boards:load" }
  | { type: "boards:unsubscribe" }
  | { type: "probe-location" }
  | { type: "locate" }
  | { type: "save-region"; region: RegionId }
  | { type: "banner-timer"; id: number; ms: number };
