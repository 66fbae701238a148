/** Public HTTP routes of the boards: leaderboard pages, around-a-player, player profiles. */
import type { FastifyInstance } from "fastify";
import { LeaderboardAroundParams, LeaderboardAroundQuery, LeaderboardParams, LeaderboardQuery, PlayerParams, type LeaderboardPeriod } from "../../shared/schemas.ts";
import type { LeaderboardAround, LeaderboardPage, PlayerProfile } from "../../shared/protocol.ts";
import { ValidationError } from "../errors.ts";
import type { LimitSubject } from "../core/feature.ts";
import { resolveInstance } from "./periods.ts";
import type { BoardReader } from "./board-reader.ts";

export const DEFAULT_PAGE_LIMIT = 10;
export const DEFAULT_AROUND_RADIUS = 5;
/** Rate-limit action of every board read (HTTP and socket). */
export const BOARDS_READ = "boards_read";

export interface BoardRouteDeps {
  reader: BoardReader;
  now: () => number;
  limit: (subject: LimitSubject, action: string) => Promise<void>;
}

/** Resolves the board instance of a request, or refuses a date that is not a real day / ISO week. */
export function instanceOrThrow(period: LeaderboardPeriod, date: string | undefined, nowMs: number): string {
  const instance = resolveInstance(period, date, nowMs);
  if (instance === null) throw new ValidationError(`/date "${date}" is not a real day (YYYY-MM-DD) or ISO week (YYYY-Www) for ${period}`);
  return instance;
}

/** Registers the public board routes. */
export async function boardRoutes(app: FastifyInstance, deps: BoardRouteDeps): Promise<void> {
  const { reader, now, limit } = deps;

  app.get<{ Params: LeaderboardParams; Querystring: LeaderboardQuery }>(
    "/api/leaderboards/:period",
    { schema: { params: LeaderboardParams, querystring: LeaderboardQuery } },
    async (req): Promise<LeaderboardPage> => {
      await limit({ ip: req.ip }, BOARDS_READ);
      const { period } = req.params;
      const instance = instanceOrThrow(period, req.query.date, now());
      return reader.page(period, instance, Number(req.query.offset ?? 0), Number(req.query.limit ?? DEFAULT_PAGE_LIMIT));
    },
  );

  app.get<{ Params: LeaderboardAroundParams; Querystring: LeaderboardAroundQuery }>(
    "/api/leaderboards/:period/around/:playerId",
    { schema: { params: LeaderboardAroundParams, querystring: LeaderboardAroundQuery } },
    async (req): Promise<LeaderboardAround> => {
      await limit({ ip: req.ip }, BOARDS_READ);
      const { period, playerId } = req.params;
      const instance = instanceOrThrow(period, req.query.date, now());
      return reader.around(period, instance, playerId, Number(req.query.radius ?? DEFAULT_AROUND_RADIUS));
    },
  );

  app.get<{ Params: PlayerParams }>("/api/players/:id", { schema: { params: PlayerParams } }, async (req): Promise<PlayerProfile> => {
    await limit({ ip: req.ip }, BOARDS_READ);
    return reader.profile(req.params.id);
  });
}
