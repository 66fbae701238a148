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

// ---- Socket events -----------------------------------------------------------------------------------

export const Empty = Type.Object({}, closed);
export type Empty = Static<typeof Empty>;

export const RegionId = Type.Union(REGION_IDS.map((r) => Type.Literal(r)));

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
