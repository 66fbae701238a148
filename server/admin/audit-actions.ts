/**
 * Which audit entry each state-changing /admin/api route writes: one table for every feature's admin
 * routes, keyed by method and route pattern, so a route added without an entry is audited as "other"
 * (and flagged in the log) instead of silently not at all.
 */
import type { FastifyRequest } from "fastify";
import { AuditAction } from "../../shared/admin-api.ts";

type Req = FastifyRequest<{ Params: Record<string, string>; Body: Record<string, unknown> | undefined; Querystring: Record<string, string> }>;

interface AuditRule {
  action: AuditAction;
  target: (r: Req) => string;
  detail?: (r: Req) => Record<string, unknown>;
}

const subject = (kind: unknown, id: unknown) => `${kind === "player" ? "p" : "ip"}:${String(id)}`;
const board = (r: Req) => `board:${r.params.period}${r.query.date ? `:${r.query.date}` : ""}`;

const RULES: Record<string, AuditRule> = {
  "POST /admin/api/bans": {
    action: AuditAction.BAN,
    target: (r) => subject(r.body?.kind, r.body?.id),
    detail: (r) => ({ seconds: r.body?.seconds, reason: r.body?.reason }),
  },
  "DELETE /admin/api/bans/:kind/:id": { action: AuditAction.UNBAN, target: (r) => subject(r.params.kind, r.params.id) },
  "PUT /admin/api/leaderboards/:period/players/:playerId": {
    action: AuditAction.BOARD_SET,
    target: (r) => `p:${r.params.playerId}`,
    detail: (r) => ({ board: board(r), score: r.body?.score }),
  },
  "DELETE /admin/api/leaderboards/:period/players/:playerId": { action: AuditAction.BOARD_REMOVE, target: (r) => `p:${r.params.playerId}`, detail: (r) => ({ board: board(r) }) },
  "POST /admin/api/leaderboards/:period/reset": { action: AuditAction.BOARD_RESET, target: board },
  "POST /admin/api/players/:playerId/kick": { action: AuditAction.KICK, target: (r) => `p:${r.params.playerId}`, detail: (r) => ({ reason: r.body?.reason }) },
  "POST /admin/api/matches/:matchId/end": { action: AuditAction.MATCH_END, target: (r) => `match:${r.params.matchId}`, detail: (r) => ({ reason: r.body?.reason }) },
  "POST /admin/api/matches/:matchId/handover": { action: AuditAction.MATCH_HANDOVER, target: (r) => `match:${r.params.matchId}`, detail: (r) => ({ toNodeId: r.body?.toNodeId }) },
  "POST /admin/api/announce": { action: AuditAction.ANNOUNCE, target: () => "all", detail: (r) => ({ message: r.body?.message, ttlSeconds: r.body?.ttlSeconds }) },
  "DELETE /admin/api/announce": { action: AuditAction.ANNOUNCE_CLEAR, target: () => "all" },
};

/** Methods that never change state (not audited). */
export const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The audit action, target and detail of one request (for a route missing from the table: "other"). */
export function describeAction(req: FastifyRequest): { action: AuditAction; target: string; detail: string; known: boolean } {
  const key = `${req.method} ${req.routeOptions.url ?? req.url}`;
  const rule = RULES[key];
  const r = req as Req;
  if (!rule) return { action: AuditAction.OTHER, target: req.url.split("?")[0]!, detail: JSON.stringify({ method: req.method }), known: false };
  const detail = rule.detail ? rule.detail(r) : {};
  return { action: rule.action, target: rule.target(r), detail: JSON.stringify(detail), known: true };
}

/** Route keys of the table (docs and tests check every one is documented). */
export const AUDITED_ROUTES = Object.freeze(Object.keys(RULES));
