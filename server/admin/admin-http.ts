/**
 * The admin area over HTTP: an encapsulated Fastify context under /admin/api. Every request passes the
 * per-IP limit, then the bearer token check (labelled tokens, constant time); the token's label rides on
 * the request for the audit. Every state-changing request that passed auth is audited before its reply
 * leaves (onSend), so an action the caller saw succeed is in the log. A board reset needs its typed
 * confirmation. Without any admin token the area answers 404: unconfigured, it does not exist.
 */
import type { FastifyInstance, FastifyBaseLogger, FastifyRequest } from "fastify";
import { ErrorCode } from "../../shared/errors.ts";
import type { AdminCapabilities, WhoAmI } from "../../shared/admin-api.ts";
import type { LeaderboardPeriod } from "../../shared/schemas.ts";
import { ForbiddenError, UnauthorizedError } from "../errors.ts";
import { bearerToken } from "../http/auth.ts";
import type { AdminTokens } from "./admin-tokens.ts";
import type { AuditLog } from "./audit-log.ts";
import { READ_METHODS, describeAction } from "./audit-actions.ts";
import { ConfirmationRequiredError } from "./admin-errors.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** Label of the admin token that authenticated this request ("" outside the admin area). */
    adminLabel: string;
  }
}

export interface AdminHttpDeps {
  tokens: AdminTokens;
  nodeId: string;
  audit: AuditLog;
  log: FastifyBaseLogger;
  capabilities: () => AdminCapabilities;
  /** The board instance a reset targets ("weekly", "2026-11-22" -> "2026-W47"); throws on a bad date. */
  boardInstance: (period: LeaderboardPeriod, date: string | undefined) => string;
  /** Called for every admin request with its IP before the token is checked (rate limit: throw to refuse). */
  beforeAuth?: (ip: string) => Promise<void>;
  /** Registers the routes of every feature (already authenticated). */
  register: (admin: FastifyInstance) => Promise<void>;
}

const RESET_ROUTE = "/admin/api/leaderboards/:period/reset";

/** The /admin/api plugin (register with `prefix: "/admin/api"`). */
export async function adminHttp(admin: FastifyInstance, deps: AdminHttpDeps): Promise<void> {
  admin.decorateRequest("adminLabel", "");
  admin.addHook("onRequest", async (req, reply) => {
    if (!deps.tokens.enabled) {
      return reply.status(404).send({ error: { code: ErrorCode.NOT_FOUND, message: "Admin area disabled: set ADMIN_TOKEN or ADMIN_TOKENS" } });
    }
    await deps.beforeAuth?.(req.ip);
    const token = bearerToken(req);
    if (token === null) throw new UnauthorizedError("Send Authorization: Bearer <admin token>");
    const label = deps.tokens.verify(token);
    if (label === null) throw new ForbiddenError("Wrong admin token");
    req.adminLabel = label;
  });

  // Scripts POST actions without a body (`curl -X POST .../kick`): treat a missing body as {}.
  admin.addHook("preValidation", async (req) => {
    if (req.body === undefined && (req.method === "POST" || req.method === "PUT")) req.body = {};
  });

  admin.addHook("preHandler", async (req) => {
    if (req.method !== "POST" || req.routeOptions.url !== RESET_ROUTE) return;
    const { period } = req.params as { period: LeaderboardPeriod };
    const expected = `${period}:${deps.boardInstance(period, (req.query as { date?: string }).date)}`;
    const confirm = (req.body as { confirm?: unknown } | undefined)?.confirm;
    if (confirm !== expected) throw new ConfirmationRequiredError(`Resetting this board needs the body { "confirm": "${expected}" }`);
  });

  admin.addHook("onSend", async (req, reply, payload) => {
    if (READ_METHODS.has(req.method) || !req.adminLabel) return payload;
    const a = describeAction(req);
    if (!a.known) deps.log.error({ method: req.method, url: req.routeOptions.url }, "admin route missing from the audit table");
    try {
      await deps.audit.append({ who: req.adminLabel, action: a.action, target: a.target, ip: req.ip, nodeId: deps.nodeId, detail: a.detail, status: reply.statusCode });
    } catch (err) {
      // The action already happened; the reply must say so. The log keeps what the stream could not.
      deps.log.error({ err, who: req.adminLabel, action: a.action, target: a.target, status: reply.statusCode }, "audit entry not written");
    }
    return payload;
  });

  admin.get("/whoami", async (req): Promise<WhoAmI> => ({ admin: true, label: labelOf(req), nodeId: deps.nodeId, capabilities: deps.capabilities() }));
  await deps.register(admin);
}

const labelOf = (req: FastifyRequest) => req.adminLabel;
