/** Bearer-token authentication for HTTP routes: resolves the session or throws a coded error. */
import type { FastifyRequest } from "fastify";
import { UnauthorizedError } from "../errors.ts";
import { bearerToken } from "../http/auth.ts";
import type { Session, SessionStore } from "./session-store.ts";

/** Resolves the caller's session (sliding its TTL). */
export async function requireSession(req: FastifyRequest, sessions: SessionStore): Promise<Session> {
  const token = bearerToken(req);
  if (token === null) throw new UnauthorizedError("Send Authorization: Bearer <token>");
  return sessions.authenticate(token);
}
