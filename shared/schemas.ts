/**
 * Runtime schemas for every inbound payload (socket events and HTTP bodies), with inferred types.
 * TypeBox was chosen because its compiled validators are among the fastest in JS and its schemas are
 * plain JSON Schema, so Fastify routes and socket events share one library. Every object schema is closed
 * (`additionalProperties: false`): unknown keys, `__proto__` and `constructor` are refused.
 */
import Type, { type Static } from "typebox";
import { REGION_IDS } from "./regions.ts";

const closed = { additionalProperties: false } as const;
/** Finite number in a range (JSON Schema ranges already refuse NaN and +-Infinity). */
const num = (minimum: number, maximum: number) => Type.Number({ minimum, maximum });

// ---- HTTP bodies -------------------------------------------------------------------------------------

export const DEVICE_ID_PATTERN = "^[A-Za-z0-9_-]{8,128}$";
/** Display name length before trimming is capped hard; the finer rules are in `name-rules.ts`. */
export const SessionCreateBody = Type.Object(
  {
    deviceId: Type.String({ pattern: DEVICE_ID_PATTERN }),
    name: Type.String({ minLength: 1, maxLength: 64 }),
  },
  closed,
);
export type SessionCreateBody = Static<typeof SessionCreateBody>;

export const LeaderboardPeriod = Type.Union([Type.Literal("alltime"), Type.Literal("daily"), Type.Literal("weekly")]);
export type LeaderboardPeriod = Static<typeof LeaderboardPeriod>;

// ---- Leaderboards and players (HTTP params and query strings) ---------------------------------------
// Query-string values arrive as strings (the validator does not coerce): patterns bound them instead.

export const PLAYER_ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$";
/** A day "YYYY-MM-DD" (daily; weekly: the ISO week containing it) or an ISO week "YYYY-Www" (weekly). */
export const BOARD_DATE_PATTERN = "^[0-9]{4}-([0-9]{2}-[0-9]{2}|W[0-9]{2})$";
const BoardDate = Type.String({ pattern: BOARD_DATE_PATTERN });

/** GET /api/leaderboards/:period */
export const LeaderboardParams = Type.Object({ period: LeaderboardPeriod }, closed);
export type LeaderboardParams = Static<typeof LeaderboardParams>;
/** `limit` 1-100 (default 10), `offset` 0-9,999,999 (default 0). */
export const LeaderboardQuery = Type.Object(
  {
    date: Type.Optional(BoardDate),
    limit: Type.Optional(Type.String({ pattern: "^(100|[1-9][0-9]?)$" })),
    offset: Type.Optional(Type.String({ pattern: "^(0|[1-9][0-9]{0,6})$" })),
  },
  closed,
);
export type LeaderboardQuery = Static<typeof LeaderboardQuery>;

/** GET /api/leaderboards/:period/around/:playerId */
export const LeaderboardAroundParams = Type.Object({ period: LeaderboardPeriod, playerId: Type.String({ pattern: PLAYER_ID_PATTERN }) }, closed);
export type LeaderboardAroundParams = Static<typeof LeaderboardAroundParams>;
/** `radius` 0-50 entries above and below the player (default 5). */
export const LeaderboardAroundQuery = Type.Object({ date: Type.Optional(BoardDate), radius: Type.Optional(Type.String({ pattern: "^(50|[1-4]?[0-9])$" })) }, closed);
export type LeaderboardAroundQuery = Static<typeof LeaderboardAroundQuery>;

/** GET /api/players/:id */
export const PlayerParams = Type.Object({ id: Type.String({ pattern: PLAYER_ID_PATTERN }) }, closed);
export type PlayerParams = Static<typeof PlayerParams>;

// ---- Admin: bans (limits) ----------------------------------------------------------------------------

export const BanKind = Type.Union([Type.Literal("player"), Type.Literal("ip")]);
export type BanKind = Static<typeof BanKind>;
/** A player id or an IP address (v4, v6, v4-mapped v6). */
const BanSubjectId = Type.String({ pattern: "^[A-Za-z0-9:._-]{1,64}$" });

/** POST /admin/api/bans: ban a player or an address by hand (default length BAN_SECONDS). */
export const BanCreateBody = Type.Object(
  {
    kind: BanKind,
    id: BanSubjectId,
    seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 * 86400 })),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  closed,
);
export type BanCreateBody = Static<typeof BanCreateBody>;

/** DELETE /admin/api/bans/:kind/:id: lift a ban. */
export const BanParams = Type.Object({ kind: BanKind, id: BanSubjectId }, closed);
export type BanParams = Static<typeof BanParams>;

// ---- Socket events -----------------------------------------------------------------------------------

export const Empty = Type.Object({}, closed);
export type Empty = Static<typeof Empty>;

export const RegionId = Type.Enum(REGION_IDS);

export const QueueJoinRequest = Type.Union([
  Type.Object({ lat: num(-90, 90), lon: num(-180, 180) }, closed),
  Type.Object({ region: RegionId }, closed),
]);
export type QueueJoinRequest = Static<typeof QueueJoinRequest>;

/** Game input frame; see `game/types.ts`. Sequence numbers fit in 2^31 so they stay small integers. */
export const InputFrameSchema = Type.Object(
  {
    s: Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 }),
    x: num(-1, 1),
    y: num(-1, 1),
    d: Type.Boolean(),
  },
  closed,
);

export const PingRequest = Type.Object({ t: num(0, Number.MAX_SAFE_INTEGER) }, closed);
export type PingRequest = Static<typeof PingRequest>;

export const BoardsSubscribeRequest = Type.Object({ period: LeaderboardPeriod }, closed);
export type BoardsSubscribeRequest = Static<typeof BoardsSubscribeRequest>;
