/**
 * The admin area: an encapsulated Fastify context under /admin/api whose every route requires
 * `Authorization: Bearer <ADMIN_TOKEN>` (compared in constant time). Without ADMIN_TOKEN it answers 404:
 * an admin area that is not configured does not exist.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { ErrorCode } from "../../shared/errors.ts";
import { ForbiddenError, UnauthorizedError } from "../errors.ts";
import { bearerToken } from "./auth.ts";

const digest = (s: string) => createHash("sha256").update(s).digest();

export interface AdminDeps {
  adminToken: string | undefined;
  nodeId: string;
  register: (admin: FastifyInstance) => Promise<void>;
  /** Called for every admin request with its IP before the token is checked (rate limit: throw to refuse). */
  beforeAuth?: (ip: string) => Promise<void>;
}

export async function adminPlugin(admin: FastifyInstance, deps: AdminDeps): Promise<void> {
  const expected = deps.adminToken ? digest(deps.adminToken) : null;
  admin.addHook("onRequest", async (req, reply) => {
    if (!expected) {
      return reply.status(404).send({ error: { code: ErrorCode.NOT_FOUND, message: "Admin area disabled: set ADMIN_TOKEN" } });
    }
    await deps.beforeAuth?.(req.ip);
    const token = bearerToken(req);
    if (token === null) throw new UnauthorizedError("Send Authorization: Bearer <ADMIN_TOKEN>");
    if (!timingSafeEqual(digest(token), expected)) throw new ForbiddenError("Wrong admin token");
  });
  admin.get("/whoami", async () => ({ admin: true, nodeId: deps.nodeId }));
  await deps.register(admin);
}
