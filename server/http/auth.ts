/** Bearer-token authentication for HTTP routes: resolves the session or throws a coded error. */
import type { FastifyRequest } from "fastify";
import { UnauthorizedError } from "../errors.ts";
import type { Session, SessionStore } from "../sessions/session-store.ts";

/** Extracts `Authorization: Bearer <token>`; null when absent. */
export function bearerToken(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m ? m[1]! : "";
}

/** Resolves the caller's session (sliding its TTL). */
export async function requireSession(req: FastifyRequest, sessions: SessionStore): Promise<Session> {
  const token = bearerToken(req);
  if (token === null) throw new UnauthorizedError("Send Authorization: Bearer <token>");
  return sessions.authenticate(token);
}
