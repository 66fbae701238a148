/**
 * The admin area over HTTP: an encapsulated Fastify context under /admin/api (registered by app.ts on
 * every node, whatever features it runs) holding every feature's admin routes. Every request passes the
 * admin guard (bans, per-IP limit, labelled token in constant time, wrong tokens counted against the
 * address); the token's label rides on the request. Every state-changing request that passed the guard
 * is audited before its reply leaves (onSend), so an action the caller saw succeed is in the log.
 */
import type { FastifyInstance } from "fastify";
import type { AdminCapabilities, WhoAmI } from "../../shared/admin-api.ts";
import type { Core, Services } from "../core/feature.ts";
import { bearerToken } from "../http/auth.ts";
import { AdminGuard } from "./admin-guard.ts";
import { AuditLog } from "./audit-log.ts";
import { READ_METHODS, describeAction } from "./audit-actions.ts";
import type {} from "./admin-feature.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** Label of the admin token that authenticated this request ("" outside the admin area). */
    adminLabel: string;
  }
}

export interface AdminAreaDeps {
  core: Core;
  /** The node's feature services (read at each request: they exist once the features are booted). */
  services: () => Partial<Services>;
  /** Registers the routes of every feature (already authenticated). */
  register: (admin: FastifyInstance) => Promise<void>;
}

/** What this node can do; an action whose feature the node does not run is greyed out on the page. */
export function capabilitiesOf(s: Partial<Services>): AdminCapabilities {
  const admin = !!s.admin;
  return { kick: admin, announce: admin, nameIndex: admin, endMatch: admin && !!s.matches, handOver: admin && !!s.matches, boardReset: !!s.boards, bans: !!s.limits };
}

/** The /admin/api plugin (register with `prefix: "/admin/api"`). */
export async function adminArea(admin: FastifyInstance, deps: AdminAreaDeps): Promise<void> {
  const { core } = deps;
  const guard = new AdminGuard(core, () => deps.services().limits);
  const audit = new AuditLog(core.redis, core.keys, core.now);
  admin.decorateRequest("adminLabel", "");

  admin.addHook("onRequest", async (req) => {
    req.adminLabel = await guard.check(req.ip, bearerToken(req), "Send Authorization: Bearer <admin token>");
  });

  // Scripts POST actions without a body (`curl -X POST .../kick`): treat a missing body as {}.
  admin.addHook("preValidation", async (req) => {
    if (req.body === undefined && (req.method === "POST" || req.method === "PUT")) req.body = {};
  });

  admin.addHook("onSend", async (req, reply, payload) => {
    if (READ_METHODS.has(req.method) || !req.adminLabel) return payload;
    const a = describeAction(req);
    if (!a.known) core.log.error({ method: req.method, url: req.routeOptions.url }, "admin route missing from the audit table");
    try {
      await audit.append({ who: req.adminLabel, action: a.action, target: a.target, ip: req.ip, nodeId: core.nodeId, detail: a.detail, status: reply.statusCode });
    } catch (err) {
      // The action already happened; the reply must say so. The log keeps what the stream could not.
      core.log.error({ err, who: req.adminLabel, action: a.action, target: a.target, status: reply.statusCode }, "audit entry not written");
    }
    return payload;
  });

  admin.get("/whoami", async (req): Promise<WhoAmI> => ({ admin: true, label: req.adminLabel, nodeId: core.nodeId, capabilities: capabilitiesOf(deps.services()) }));
  await deps.register(admin);
}
