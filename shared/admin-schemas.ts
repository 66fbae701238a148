/**
 * Runtime schemas (TypeBox, closed objects) of every admin request: /admin/api bodies, params and query
 * strings, and the /admin namespace's payloads. Query-string values arrive as strings: patterns bound them.
 */
import Type, { type Static } from "typebox";
import { BOARD_DATE_PATTERN, LeaderboardPeriod, PLAYER_ID_PATTERN } from "./schemas.ts";
import { ADMIN_VIEWS } from "./admin-events.ts";

const closed = { additionalProperties: false } as const;
const Reason = Type.String({ minLength: 1, maxLength: 200 });
/** Match and ticket ids are 12 base64url characters today; allow some room. */
export const MATCH_ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$";
export const NODE_ID_PATTERN = "^[A-Za-z0-9._-]{1,64}$";
const Int = (max: number) => `^(0|[1-9][0-9]{0,${String(max).length - 1}})$`;

export const MatchParams = Type.Object({ matchId: Type.String({ pattern: MATCH_ID_PATTERN }) }, closed);
export type MatchParams = Static<typeof MatchParams>;
export const PlayerIdParams = Type.Object({ playerId: Type.String({ pattern: PLAYER_ID_PATTERN }) }, closed);
export type PlayerIdParams = Static<typeof PlayerIdParams>;

export const KickBody = Type.Object({ reason: Type.Optional(Reason) }, closed);
export type KickBody = Static<typeof KickBody>;
export const MatchEndBody = Type.Object({ reason: Type.Optional(Reason) }, closed);
export type MatchEndBody = Static<typeof MatchEndBody>;
export const MatchHandOverBody = Type.Object({ toNodeId: Type.Optional(Type.String({ pattern: NODE_ID_PATTERN })) }, closed);
export type MatchHandOverBody = Static<typeof MatchHandOverBody>;

export const ANNOUNCE_MAX_CHARS = 280;
export const AnnounceBody = Type.Object(
  {
    message: Type.String({ minLength: 1, maxLength: ANNOUNCE_MAX_CHARS }),
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 86_400 })),
  },
  closed,
);
export type AnnounceBody = Static<typeof AnnounceBody>;

/** `prefix`: 1-20 characters (a name is at most 20); `limit` 1-100 (default 20). */
export const PlayerSearchQuery = Type.Object(
  { prefix: Type.String({ minLength: 1, maxLength: 20 }), limit: Type.Optional(Type.String({ pattern: "^(100|[1-9][0-9]?)$" })) },
  closed,
);
export type PlayerSearchQuery = Static<typeof PlayerSearchQuery>;

/** `count` 1-100 (default 50); `before`: a stream id from a previous page's `next`. */
export const AuditQuery = Type.Object(
  { count: Type.Optional(Type.String({ pattern: "^(100|[1-9][0-9]?)$" })), before: Type.Optional(Type.String({ pattern: "^[0-9]{1,15}-[0-9]{1,10}$" })) },
  closed,
);
export type AuditQuery = Static<typeof AuditQuery>;

export const SeriesQuery = Type.Object({ minutes: Type.Optional(Type.String({ pattern: "^(1440|1[0-3][0-9]{2}|[1-9][0-9]{0,2})$" })) }, closed);
export type SeriesQuery = Static<typeof SeriesQuery>;

export const MatchesQuery = Type.Object(
  { offset: Type.Optional(Type.String({ pattern: Int(100_000) })), limit: Type.Optional(Type.String({ pattern: "^(100|[1-9][0-9]?)$" })) },
  closed,
);
export type MatchesQuery = Static<typeof MatchesQuery>;

export const AdminBoardParams = Type.Object({ period: LeaderboardPeriod }, closed);
export type AdminBoardParams = Static<typeof AdminBoardParams>;
export const AdminBoardQuery = Type.Object(
  {
    date: Type.Optional(Type.String({ pattern: BOARD_DATE_PATTERN })),
    limit: Type.Optional(Type.String({ pattern: "^(100|[1-9][0-9]?)$" })),
    offset: Type.Optional(Type.String({ pattern: Int(9_999_999) })),
  },
  closed,
);
export type AdminBoardQuery = Static<typeof AdminBoardQuery>;

// ---- /admin namespace -------------------------------------------------------------------------------------

export const SubscribeRequest = Type.Object({ view: Type.Enum(ADMIN_VIEWS) }, closed);
export type SubscribeRequest = Static<typeof SubscribeRequest>;
export const WatchRequest = Type.Object({ matchId: Type.String({ pattern: MATCH_ID_PATTERN }) }, closed);
export type WatchRequest = Static<typeof WatchRequest>;
export const AdminEmpty = Type.Object({}, closed);
