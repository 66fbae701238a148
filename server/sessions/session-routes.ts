/** Login (device/guest), whoami and logout. */
import type { FastifyInstance } from "fastify";
import Type from "typebox";
import { SessionCreateBody } from "../../shared/schemas.ts";
import type { SessionStore } from "./session-store.ts";
import type { Metrics } from "../metrics.ts";
import { requireSession } from "./require-session.ts";

export interface SessionRouteDeps {
  sessions: SessionStore;
  metrics: Metrics;
  /** Called after logout so the player's live sockets of that session are closed on every node. */
  onLogout: (playerId: string, sessionId: string) => Promise<void>;
  /** Guards run before login (rate limit per IP, bans); throw a coded error to refuse. */
  beforeLogin?: (ip: string, deviceId: string) => Promise<void>;
}

export async function sessionRoutes(app: FastifyInstance, deps: SessionRouteDeps): Promise<void> {
  app.post<{ Body: SessionCreateBody }>("/api/sessions", { schema: { body: SessionCreateBody } }, async (req, reply) => {
    await deps.beforeLogin?.(req.ip, req.body.deviceId);
    const s = await deps.sessions.create(req.body.deviceId, req.body.name);
    deps.metrics.sessionsCreated.inc();
    return reply.status(201).send({ token: s.token, playerId: s.playerId, name: s.name, expiresAt: new Date(s.expiresAt).toISOString() });
  });

  app.get("/api/me", async (req) => {
    const s = await requireSession(req, deps.sessions);
    return { playerId: s.playerId, name: s.name, expiresAt: new Date(s.expiresAt).toISOString() };
  });

  app.delete("/api/sessions/current", { schema: { body: Type.Optional(Type.Null()) } }, async (req, reply) => {
    const s = await requireSession(req, deps.sessions);
    await deps.sessions.revoke(s.sessionId);
    await deps.onLogout(s.playerId, s.sessionId);
    return reply.status(204).send();
  });
}
