/**
 * Admin routes of the boards and analytics (mounted under /admin/api, already authenticated): read the
 * dashboard figures, reset a board (with a typed confirmation), set or remove a player's points.
 */
import type { FastifyInstance } from "fastify";
import Type, { type Static } from "typebox";
import { LeaderboardParams, PLAYER_ID_PATTERN, BOARD_DATE_PATTERN } from "../../shared/schemas.ts";
import type { Keys } from "../redis/keys.ts";
import type { Scripts } from "../redis/scripts.ts";
import { ConfirmationRequiredError, NotFoundError } from "../errors.ts";
import { boardTtlMs, type PeriodGrace } from "./periods.ts";
import { expectOk } from "../redis/script-codes.ts";
import { instanceOrThrow } from "./board-routes.ts";
import type { Analytics } from "./analytics.ts";
import { MAX_BOARD_POINTS } from "./board-encoding.ts";

const closed = { additionalProperties: false } as const;
const DateQuery = Type.Object({ date: Type.Optional(Type.String({ pattern: BOARD_DATE_PATTERN })) }, closed);
type DateQuery = Static<typeof DateQuery>;
const DaysQuery = Type.Object({ days: Type.Optional(Type.String({ pattern: "^([1-9][0-9]?)$" })) }, closed);
const MinutesQuery = Type.Object({ minutes: Type.Optional(Type.String({ pattern: "^([1-9][0-9]{0,3})$" })) }, closed);
const BoardPlayerParams = Type.Object({ period: LeaderboardParams.properties.period, playerId: Type.String({ pattern: PLAYER_ID_PATTERN }) }, closed);
type BoardPlayerParams = Static<typeof BoardPlayerParams>;
const ResetBody = Type.Object({ confirm: Type.Optional(Type.String({ maxLength: 64 })) }, closed);
const SetPointsBody = Type.Object({ score: Type.Integer({ minimum: 0, maximum: MAX_BOARD_POINTS }) }, closed);

export interface BoardAdminDeps {
  keys: Keys;
  scripts: Scripts;
  analytics: Analytics;
  now: () => number;
  grace: PeriodGrace;
}

/** Registers the admin routes of boards and analytics. */
export async function boardAdminRoutes(admin: FastifyInstance, deps: BoardAdminDeps): Promise<void> {
  const { keys, scripts, analytics, now, grace } = deps;

  const edit = async (period: LeaderboardParams["period"], date: string | undefined, op: "set" | "remove" | "reset", playerId: string, points: number) => {
    const t = now();
    const instance = instanceOrThrow(period, date, t);
    const ttl = boardTtlMs(period, instance, t, grace);
    if (ttl < 0) throw new NotFoundError(`The ${period} board ${instance} is past its archive`);
    const b = keys.boards;
    const reply = await scripts.run(
      "boardEdit",
      [b.board(period, instance), b.members(period, instance), b.version(period, instance), b.topCache(period, instance), b.topGen(period, instance)],
      [op, playerId, points, ttl, t],
    );
    return { instance, changed: expectOk(reply, "boardEdit") === 1 };
  };

  admin.get<{ Querystring: Static<typeof DaysQuery> }>("/analytics/daily", { schema: { querystring: DaysQuery } }, async (req) => ({
    days: await analytics.daily(Number(req.query.days ?? 7)),
  }));

  admin.get<{ Querystring: Static<typeof MinutesQuery> }>("/analytics/minutes", { schema: { querystring: MinutesQuery } }, async (req) => ({
    minutes: await analytics.minutes(Math.min(1440, Number(req.query.minutes ?? 60))),
  }));

  // A reset cannot be undone: it takes the typed confirmation "<period>:<instance>" (e.g. "weekly:2026-W47").
  admin.post<{ Params: LeaderboardParams; Querystring: DateQuery; Body: Static<typeof ResetBody> | undefined }>(
    "/leaderboards/:period/reset",
    { schema: { params: LeaderboardParams, querystring: DateQuery, body: Type.Optional(ResetBody) } },
    async (req) => {
      const expected = `${req.params.period}:${instanceOrThrow(req.params.period, req.query.date, now())}`;
      if (req.body?.confirm !== expected) throw new ConfirmationRequiredError(`Resetting this board needs the body { "confirm": "${expected}" }`);
      return edit(req.params.period, req.query.date, "reset", "", 0);
    },
  );

  admin.put<{ Params: BoardPlayerParams; Querystring: DateQuery; Body: Static<typeof SetPointsBody> }>(
    "/leaderboards/:period/players/:playerId",
    { schema: { params: BoardPlayerParams, querystring: DateQuery, body: SetPointsBody } },
    async (req) => edit(req.params.period, req.query.date, "set", req.params.playerId, req.body.score),
  );

  admin.delete<{ Params: BoardPlayerParams; Querystring: DateQuery }>(
    "/leaderboards/:period/players/:playerId",
    { schema: { params: BoardPlayerParams, querystring: DateQuery } },
    async (req) => {
      const res = await edit(req.params.period, req.query.date, "remove", req.params.playerId, 0);
      if (!res.changed) throw new NotFoundError("Player is not on this board");
      return res;
    },
  );
}
