/**
 * The admin feature's /admin/api routes (mounted inside the authenticated admin context). Every view the
 * dashboard shows has a route, and every action it takes is a route (docs/admin-api.md), so ops can
 * script all of it. Audit entries are written by the admin context's onSend hook (audit-actions.ts).
 */
import type { FastifyInstance } from "fastify";
import type { AdminPlayer, Kicked, MatchEnded, MatchHandedOver, PlayerSearch } from "../../shared/admin-api.ts";
import {
  AdminBoardParams,
  AdminBoardQuery,
  AnnounceBody,
  AuditQuery,
  KickBody,
  MatchEndBody,
  MatchHandOverBody,
  MatchParams,
  MatchesQuery,
  PlayerIdParams,
  PlayerSearchQuery,
  SeriesQuery,
} from "../../shared/admin-schemas.ts";
import { NotFoundError } from "../errors.ts";
import type { MatchesService } from "../matches/matches-feature.ts";
import type { AdminService } from "./admin-service.ts";
import type { Announcements } from "./announcements.ts";
import { DEFAULT_ANNOUNCE_SECONDS } from "./announcements.ts";
import { kickPlayer, playerSockets } from "./kick.ts";
import type { AppServer } from "../sockets/types.ts";

export interface AdminRouteDeps {
  service: AdminService;
  announcements: Announcements;
  matches: Pick<MatchesService, "end" | "handOver">;
  io: AppServer;
}

const num = (v: string | undefined, def: number) => (v === undefined ? def : Number(v));

/** Registers the admin feature's routes on the admin context. */
export async function adminRoutes(admin: FastifyInstance, deps: AdminRouteDeps): Promise<void> {
  const { service, announcements, matches, io } = deps;

  admin.get("/overview", () => service.overview());
  admin.get<{ Querystring: SeriesQuery }>("/series", { schema: { querystring: SeriesQuery } }, (req) => service.series(num(req.query.minutes, 60)));
  admin.get("/matchmaking", () => service.matchmaking());
  admin.get("/abuse", () => service.abuse());
  admin.get<{ Querystring: AuditQuery }>("/audit", { schema: { querystring: AuditQuery } }, (req) => service.audit(num(req.query.count, 50), req.query.before));

  admin.get<{ Querystring: MatchesQuery }>("/matches", { schema: { querystring: MatchesQuery } }, (req) => service.matches(num(req.query.offset, 0), num(req.query.limit, 100)));
  admin.get<{ Params: MatchParams }>("/matches/:matchId", { schema: { params: MatchParams } }, async (req) => {
    const m = await service.match(req.params.matchId);
    if (!m) throw new NotFoundError("No such match (it may have ended more than a minute ago)");
    return m;
  });
  admin.post<{ Params: MatchParams; Body: MatchEndBody }>("/matches/:matchId/end", { schema: { params: MatchParams, body: MatchEndBody } }, async (req): Promise<MatchEnded> =>
    matches.end(req.params.matchId, req.body?.reason ?? `operator ${req.adminLabel}`),
  );
  admin.post<{ Params: MatchParams; Body: MatchHandOverBody }>("/matches/:matchId/handover", { schema: { params: MatchParams, body: MatchHandOverBody } }, async (req): Promise<MatchHandedOver> =>
    matches.handOver(req.params.matchId, req.body?.toNodeId),
  );

  admin.get<{ Querystring: PlayerSearchQuery }>("/players", { schema: { querystring: PlayerSearchQuery } }, async (req): Promise<PlayerSearch> => ({
    players: await service.reads.players.search(req.query.prefix, num(req.query.limit, 20)),
  }));
  admin.get<{ Params: PlayerIdParams }>("/players/:playerId", { schema: { params: PlayerIdParams } }, async (req): Promise<AdminPlayer> => {
    const id = req.params.playerId;
    const [profile, state, sockets] = await Promise.all([service.reads.players.profile(id), service.reads.players.state(id), playerSockets(io, id).catch(() => [])]);
    if (!profile) throw new NotFoundError("No such player");
    return { profile, sockets, ...state };
  });
  admin.post<{ Params: PlayerIdParams; Body: KickBody }>("/players/:playerId/kick", { schema: { params: PlayerIdParams, body: KickBody } }, async (req): Promise<Kicked> => ({
    playerId: req.params.playerId,
    disconnected: await kickPlayer(io, req.params.playerId, req.body?.reason),
  }));

  admin.get<{ Params: AdminBoardParams; Querystring: AdminBoardQuery }>(
    "/leaderboards/:period",
    { schema: { params: AdminBoardParams, querystring: AdminBoardQuery } },
    (req) => service.reads.boards.page(req.params.period, req.query.date, num(req.query.offset, 0), num(req.query.limit, 50)),
  );

  admin.get("/announce", () => announcements.current());
  admin.post<{ Body: AnnounceBody }>("/announce", { schema: { body: AnnounceBody } }, async (req, reply) => {
    const a = await announcements.post(req.body.message, req.body.ttlSeconds ?? DEFAULT_ANNOUNCE_SECONDS, req.adminLabel);
    return reply.status(201).send({ announcement: a });
  });
  admin.delete("/announce", async () => ({ cleared: await announcements.clear() }));
}
