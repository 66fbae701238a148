/** Bearer tokens of HTTP requests (sessions and the admin area). */
import type { FastifyRequest } from "fastify";

/** Extracts `Authorization: Bearer <token>`; null when absent. */
export function bearerToken(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m ? m[1]! : "";
}
