/** Login (device/guest), whoami and logout (of one session, or of every session of the device). */
import type { FastifyInstance } from "fastify";
import Type, { type Static } from "typebox";
import { SessionCreateBody } from "../../shared/schemas.ts";
import type { SessionStore } from "./session-store.ts";
import type { Metrics } from "../metrics.ts";
import { requireSession, type Authenticate } from "./require-session.ts";

/** `?all=true`: log out every session of the caller's device, not only this one. */
const LogoutQuery = Type.Object({ all: Type.Optional(Type.Union([Type.Literal("true"), Type.Literal("false")])) }, { additionalProperties: false });
type LogoutQuery = Static<typeof LogoutQuery>;

export interface SessionRouteDeps {
  sessions: SessionStore;
  /** Token -> session, budgeted per address. */
  authenticate: Authenticate;
  metrics: Metrics;
  /** Called after logout so the player's live sockets of that session (null: of every session) close on every node. */
  onLogout: (playerId: string, sessionId: string | null) => Promise<void>;
  /** Guards run before login (rate limit per IP, bans); throw a coded error to refuse. */
  beforeLogin?: (ip: string, deviceId: string) => Promise<void>;
}

export async function sessionRoutes(app: FastifyInstance, deps: SessionRouteDeps): Promise<void> {
  app.post<{ Body: SessionCreateBody }>("/api/sessions", { schema: { body: SessionCreateBody } }, async (req, reply) => {
    await deps.beforeLogin?.(req.ip, req.body.deviceId);
    const s = await deps.sessions.create(req.body.deviceId, req.body.name);
    deps.metrics.sessionsCreated.inc();
    // The token must never be kept by a browser or a shared cache (also set for all of /api).
    reply.header("cache-control", "no-store");
    return reply.status(201).send({ token: s.token, playerId: s.playerId, name: s.name, expiresAt: new Date(s.expiresAt).toISOString() });
  });

  app.get("/api/me", async (req) => {
    const s = await requireSession(req, deps.authenticate);
    return { playerId: s.playerId, name: s.name, expiresAt: new Date(s.expiresAt).toISOString() };
  });

  app.delete<{ Querystring: LogoutQuery }>("/api/sessions/current", { schema: { body: Type.Optional(Type.Null()), querystring: LogoutQuery } }, async (req, reply) => {
    const s = await requireSession(req, deps.authenticate);
    const all = req.query.all === "true";
    await deps.sessions.revoke(s);
    if (all && s.deviceId) await deps.sessions.revokeDevice(s.deviceId);
    await deps.onLogout(s.playerId, all ? null : s.sessionId);
    return reply.status(204).send();
  });
}
