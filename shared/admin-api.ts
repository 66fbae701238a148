/**
 * The admin contract: every /admin/api route's request and response, the /admin socket.io namespace's
 * events, and the admin error codes. Used by the server (server/admin/) and the dashboard (client/admin/);
 * imports nothing but other files of shared/. docs/admin-api.md describes the same contract for scripts.
 *
 * Auth: HTTP `Authorization: Bearer <token>`; socket.io namespace `/admin` with `auth: { token }`. A token is
 * ADMIN_TOKEN (label "admin") or one of ADMIN_TOKENS (`label:token,...`); the label is the audit's "who".
 */
import { ErrorCode, type ErrorBody } from "./errors.ts";
import type { Announcement, LeaderboardPage, PlayerProfile } from "./protocol.ts";
import type { LeaderboardPeriod } from "./schemas.ts";

// What the dashboard sees (overview, series, matchmaking, matches) lives in admin-views.ts.
export * from "./admin-views.ts";

// ---- errors ------------------------------------------------------------------------------------------

/**
 * Codes an admin route or the /admin namespace may answer with (a subset of shared/errors.ts).
 * HTTP statuses: UNAUTHORIZED 401, FORBIDDEN 403 (wrong token), BANNED 403 (the address guessed wrong
 * tokens), NOT_FOUND 404 (also: admin disabled), INVALID_PAYLOAD 400, CONFIRMATION_REQUIRED 400,
 * RATE_LIMITED 429, CONFLICT 409, UNAVAILABLE 503.
 */
export const AdminErrorCode = {
  UNAUTHORIZED: ErrorCode.UNAUTHORIZED,
  FORBIDDEN: ErrorCode.FORBIDDEN,
  NOT_FOUND: ErrorCode.NOT_FOUND,
  INVALID_PAYLOAD: ErrorCode.INVALID_PAYLOAD,
  RATE_LIMITED: ErrorCode.RATE_LIMITED,
  UNAVAILABLE: ErrorCode.UNAVAILABLE,
  NOT_IN_MATCH: ErrorCode.NOT_IN_MATCH,
  INTERNAL: ErrorCode.INTERNAL,
  BANNED: ErrorCode.BANNED,
  /** A destructive action whose typed confirmation is missing or does not match. */
  CONFIRMATION_REQUIRED: ErrorCode.CONFIRMATION_REQUIRED,
  /** The target is not in a state the action applies to (match already ended, node not live...). */
  CONFLICT: ErrorCode.CONFLICT,
} as const;
export type AdminErrorCode = (typeof AdminErrorCode)[keyof typeof AdminErrorCode];

/** Every admin error body: `{ error: AdminErrorBody }` over HTTP, `{ ok: false, error }` in acks. */
export interface AdminErrorBody extends Omit<ErrorBody, "code"> {
  code: AdminErrorCode;
}

/** Every ack of the /admin namespace. */
export type AdminAck<T> = { ok: true; data: T } | { ok: false; error: AdminErrorBody };
export type AdminAckFn<T> = (res: AdminAck<T>) => void;

// ---- identity ------------------------------------------------------------------------------------------

/** What this deployment can do; actions whose feature is not wired answer 503 UNAVAILABLE. */
export interface AdminCapabilities {
  kick: boolean;
  announce: boolean;
  endMatch: boolean;
  handOver: boolean;
  nameIndex: boolean;
  boardReset: boolean;
  bans: boolean;
}

/** GET /admin/api/whoami */
export interface WhoAmI {
  admin: true;
  /** The token's label (the audit's "who"). */
  label: string;
  nodeId: string;
  capabilities: AdminCapabilities;
}

// ---- players ---------------------------------------------------------------------------------------------

/** GET /admin/api/players?prefix=al&limit=20: case-insensitive name prefix (1-20 chars), limit 1-100. */
export interface PlayerSearch {
  players: { playerId: string; name: string }[];
}

export interface PlayerSocket {
  socketId: string;
  ip: string;
  connectedAt: number;
}

/** GET /admin/api/players/:playerId */
export interface AdminPlayer {
  profile: PlayerProfile;
  /** Live sockets (one per player by design; two for an instant during a takeover). */
  sockets: PlayerSocket[];
  matchId: string | null;
  ticket: { queue: string; ticketId: string } | null;
  ban: { reason: string; remainingMs: number } | null;
  /** First login (ms since the epoch; null when unknown). */
  createdAt: number | null;
  lastLoginAt: number | null;
}

/** POST /admin/api/players/:playerId/kick */
export interface KickBody {
  reason?: string;
}
export interface Kicked {
  playerId: string;
  /** Sockets disconnected (0: the player was offline). */
  disconnected: number;
}

// ---- leaderboards ----------------------------------------------------------------------------------------

/** GET /admin/api/leaderboards/:period?date=&offset=&limit= (same page as the public route, no rate limit). */
export type AdminBoardPage = LeaderboardPage;

/** POST /admin/api/leaderboards/:period/reset?date= body: the typed confirmation `"<period>:<instance>"`. */
export interface BoardResetBody {
  confirm: string;
}

// ---- abuse -----------------------------------------------------------------------------------------------

export interface AdminBan {
  subject: string;
  kind: "player" | "ip";
  id: string;
  reason: string;
  remainingMs: number;
}

export interface AdminOffender {
  subject: string;
  kind: "player" | "ip";
  id: string;
  score: number;
  threshold: number;
  lastViolationAt: number;
}

/** One entry of the recent refusals feed: what one subject did within one flush (~100 ms) on one node. */
export interface RefusalRow {
  id: string;
  at: number;
  subject: string;
  kind: "player" | "ip";
  /** rate_limited, invalid_payload, unknown_event, input_flood, bad_admin_token. */
  reason: string;
  /** What was refused when known (the rate-limited action, e.g. "queue_join"). */
  detail: string;
  /** Violations folded into this entry. */
  count: number;
  /** Violation score after them (0 while banned). */
  score: number;
  /** These violations banned the subject. */
  banned: boolean;
  nodeId: string;
}

/** GET /admin/api/abuse, and the `admin:abuse` push (every 2 s): offenders, bans, refusals. */
export interface AbuseView {
  at: number;
  offenders: AdminOffender[];
  bans: AdminBan[];
  /** Last 30 minutes of refusals and violations per minute (cluster-wide). */
  refusals: { t: number; rateLimited: number; violations: number }[];
  /** The newest refusals and violations, newest first (capped feed, ABUSE_FEED_ROWS). */
  recent: RefusalRow[];
}
/** Rows of `AbuseView.recent`. */
export const ABUSE_FEED_ROWS = 50;

// ---- announcements ---------------------------------------------------------------------------------------

/** POST /admin/api/announce: 1-280 characters, shown for `ttlSeconds` (default 300, 10-86400). */
export interface AnnounceBody {
  message: string;
  ttlSeconds?: number;
}
/** GET /admin/api/announce: the current announcement (players connecting later also get it). */
export interface CurrentAnnouncement {
  announcement: (Announcement & { by: string; expiresAt: number }) | null;
}

// ---- audit -----------------------------------------------------------------------------------------------

/** Audit action names; docs/admin-api.md lists which route writes which. */
export const AuditAction = {
  KICK: "player.kick",
  BAN: "ban.create",
  UNBAN: "ban.lift",
  BOARD_SET: "board.set",
  BOARD_REMOVE: "board.remove",
  BOARD_RESET: "board.reset",
  MATCH_END: "match.end",
  MATCH_HANDOVER: "match.handover",
  ANNOUNCE: "announce.post",
  ANNOUNCE_CLEAR: "announce.clear",
  /** A state-changing admin route missing from the audit table (a bug: the entry names method and path). */
  OTHER: "other",
} as const;
export type AuditAction = (typeof AuditAction)[keyof typeof AuditAction];

export interface AuditEntry {
  /** Stream entry id (time-ordered). */
  id: string;
  at: number;
  /** Label of the admin token. */
  who: string;
  action: AuditAction;
  /** e.g. "p:<playerId>", "ip:<address>", "match:<id>", "board:weekly:2026-W47", "all". */
  target: string;
  /** Client address of the request. */
  ip: string;
  nodeId: string;
  /** Short JSON of the parameters (reason, seconds, message...). */
  detail: string;
  /** HTTP status of the action's reply. */
  status: number;
}

/** GET /admin/api/audit?count=50&before=<id>: newest first; `next` pages further back. */
export interface AuditPage {
  entries: AuditEntry[];
  next: string | null;
}

/** The board periods the dashboard browses. */
export const BOARD_PERIODS: readonly LeaderboardPeriod[] = ["alltime", "daily", "weekly"];
