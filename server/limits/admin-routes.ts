/**
 * Admin routes of the limits module (under /admin/api, already authenticated): current bans, issue and
 * lift a ban, recent offenders with their decayed scores, and the configured budgets.
 */
import type { FastifyInstance } from "fastify";
import { BanCreateBody, BanParams } from "../../shared/schemas.ts";
import { NotFoundError } from "../errors.ts";
import type { AbuseTracker } from "./abuse.ts";
import type { RuleSet } from "./rules.ts";
import { subjectOf, type Subject } from "./subject.ts";

export interface LimitsAdminDeps {
  abuse: AbuseTracker;
  rules: RuleSet;
  /** Lifts a ban everywhere at once (false: there was none). */
  lift: (subject: Subject) => Promise<boolean>;
  banSeconds: number;
}

/** Registers GET/POST /bans, DELETE /bans/:kind/:id, GET /offenders and GET /limits. */
export async function limitsAdminRoutes(admin: FastifyInstance, deps: LimitsAdminDeps): Promise<void> {
  admin.get("/bans", async () => ({ bans: await deps.abuse.listBans() }));

  admin.post<{ Body: BanCreateBody }>("/bans", { schema: { body: BanCreateBody } }, async (req, reply) => {
    const subject = subjectOf(req.body.kind, req.body.id);
    const seconds = req.body.seconds ?? deps.banSeconds;
    await deps.abuse.ban(subject, seconds, req.body.reason ?? "admin");
    return reply.status(201).send({ subject: subject.key, kind: subject.kind, id: subject.id, remainingMs: seconds * 1000 });
  });

  admin.delete<{ Params: BanParams }>("/bans/:kind/:id", { schema: { params: BanParams } }, async (req) => {
    const subject = subjectOf(req.params.kind, req.params.id);
    if (!(await deps.lift(subject))) throw new NotFoundError(`No ban on ${subject.key}`);
    return { lifted: true, subject: subject.key };
  });

  admin.get("/offenders", async () => ({ offenders: await deps.abuse.listOffenders() }));

  admin.get("/limits", async () => ({
    rules: deps.rules.list().map(({ action, count, periodMs }) => ({ action, count, periodMs })),
    banThreshold: deps.abuse.settings.playerThreshold,
    ipBanThreshold: deps.abuse.settings.ipThreshold,
    banMs: deps.abuse.settings.banMs,
  }));
}
