/** Bearer-token authentication for HTTP routes: resolves the session or throws a coded error. */
import type { FastifyRequest } from "fastify";
import { UnauthorizedError } from "../errors.ts";
import { bearerToken } from "../http/auth.ts";
import type { Session } from "./session-store.ts";

/** Resolves a token presented from an address (budgeted: see sessions-feature.ts). */
export type Authenticate = (token: unknown, ip: string) => Promise<Session>;

/** Resolves the caller's session (sliding its TTL). */
export async function requireSession(req: FastifyRequest, authenticate: Authenticate): Promise<Session> {
  const token = bearerToken(req);
  if (token === null) throw new UnauthorizedError("Send Authorization: Bearer <token>");
  return authenticate(token, req.ip);
}
