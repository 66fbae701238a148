/**
 * Module "admin": the ops dashboard's server side. Serves the page (/admin/), the admin routes of this
 * feature (/admin/api, see docs/admin-api.md), the /admin socket.io namespace with live views, the audit
 * log, announcements, kick, the player name index (fed at each connect until the players' store feeds
 * it at login and rename), process stats for the node list, and the per-minute admin series.
 */
import type { FastifyInstance } from "fastify";
import type { AdminCapabilities } from "../../shared/admin-api.ts";
import type { LeaderboardPeriod } from "../../shared/schemas.ts";
import type { NodeContext, NodeModule } from "../node-module.ts";
import type { AppSocket } from "../sockets/types.ts";
import { createAdminKeys, type AdminKeys } from "./admin-keys.ts";
import { AdminTokens } from "./admin-tokens.ts";
import { AuditLog } from "./audit-log.ts";
import { Announcements } from "./announcements.ts";
import { NameIndex } from "./name-index.ts";
import { AdminService } from "./admin-service.ts";
import { NodeStats } from "./node-stats.ts";
import { SeriesRecorder } from "./series.ts";
import { adminRoutes } from "./admin-routes.ts";
import { adminPage } from "./admin-page.ts";
import { setUpAdminNamespace } from "./admin-namespace.ts";
import type { AdminHttpDeps } from "./admin-http.ts";
import type { AdminControls, AdminReads } from "./sources.ts";
import { todayReads } from "./today-sources.ts";

export interface AdminModuleOptions {
  reads?: AdminReads;
  controls?: AdminControls;
}

export class AdminModule implements NodeModule {
  readonly name = "admin";
  readonly keys: AdminKeys;
  readonly tokens: AdminTokens;
  readonly audit: AuditLog;
  readonly names: NameIndex;
  readonly announcements: Announcements;
  readonly service: AdminService;
  private readonly reads: AdminReads;
  private readonly controls: AdminControls;
  private readonly stats: NodeStats;
  private readonly series: SeriesRecorder;
  private readonly namespace: { stop: () => void };

  constructor(
    private readonly ctx: NodeContext,
    opts: AdminModuleOptions = {},
  ) {
    const { redis, config, now, log } = ctx;
    this.keys = createAdminKeys(config.KEY_PREFIX);
    this.tokens = new AdminTokens(config.ADMIN_TOKEN, config.ADMIN_TOKENS);
    this.audit = new AuditLog(redis, this.keys.audit, now);
    this.names = new NameIndex(redis, this.keys);
    this.announcements = new Announcements({ redis, key: this.keys.announcement, io: ctx.io, now });
    this.reads = opts.reads ?? todayReads(ctx);
    this.controls = opts.controls ?? {};
    this.controls.names?.onName((playerId, name) => void this.names.record(playerId, name).catch((err: unknown) => log.warn({ err }, "name index update failed")));
    this.service = new AdminService({ redis, healthClient: redis, keys: this.keys, reads: this.reads, audit: this.audit, nodeId: ctx.nodeId, now });
    this.stats = new NodeStats({ redis, keys: this.keys, nodeId: ctx.nodeId, intervalMs: config.HEARTBEAT_INTERVAL_MS, nodeTtlMs: config.NODE_TTL_MS, now, log });
    this.series = new SeriesRecorder({ redis, keys: this.keys, metrics: ctx.metrics, now, flushMs: config.ANALYTICS_FLUSH_MS, keepMs: config.ANALYTICS_SERIES_HOURS * 3_600_000, log });
    this.namespace = setUpAdminNamespace({
      io: ctx.io,
      tokens: this.tokens,
      service: this.service,
      log,
      trustProxy: config.TRUST_PROXY,
      beforeAuth: (ip) => ctx.limit({ ip }, "admin_login"),
    });
  }

  /** Writes this node's pending series counts now (tests; otherwise every ANALYTICS_FLUSH_MS). */
  flushSeries(): Promise<void> {
    return this.series.flush();
  }

  capabilities(): AdminCapabilities {
    const matches = !!this.controls.matches;
    return { kick: true, announce: true, endMatch: matches, handOver: matches, nameIndex: true, boardReset: true, bans: true };
  }

  /** The page: /admin/ (public; it asks for the token). */
  async registerRoutes(app: FastifyInstance): Promise<void> {
    await adminPage(app);
  }

  async registerAdminRoutes(admin: FastifyInstance): Promise<void> {
    await adminRoutes(admin, { service: this.service, announcements: this.announcements, names: this.names, controls: this.controls, io: this.ctx.io });
  }

  /** Indexes the player's name (until the players' store does it at login) and shows the announcement. */
  async onConnected(socket: AppSocket): Promise<void> {
    const { playerId, name } = socket.data;
    await Promise.all([
      this.controls.names ? null : this.names.record(playerId, name).catch((err: unknown) => this.ctx.log.warn({ err }, "name index update failed")),
      this.announcements.greet(socket).catch((err: unknown) => this.ctx.log.warn({ err }, "announcement not sent at connect")),
    ]);
  }

  async start(): Promise<void> {
    this.stats.start();
    await this.series.start();
  }

  async stop(): Promise<void> {
    this.namespace.stop();
    await this.series.stop();
    await this.stats.stop();
  }
}

/** Builds the admin module of one node. */
export function createAdminModule(ctx: NodeContext, opts?: AdminModuleOptions): AdminModule {
  return new AdminModule(ctx, opts);
}

/**
 * What app.ts hands the /admin/api context: tokens, audit log and capabilities from the admin module, or
 * (a node built without it, e.g. a test of one module) the same built from the config alone.
 */
export function adminAreaOptions(ctx: NodeContext): Omit<AdminHttpDeps, "register" | "beforeAuth"> {
  const m = ctx.modules.get<AdminModule>("admin");
  const keys = m?.keys ?? createAdminKeys(ctx.config.KEY_PREFIX);
  const reads = todayReads(ctx);
  return {
    tokens: m?.tokens ?? new AdminTokens(ctx.config.ADMIN_TOKEN, ctx.config.ADMIN_TOKENS),
    nodeId: ctx.nodeId,
    audit: m?.audit ?? new AuditLog(ctx.redis, keys.audit, ctx.now),
    log: ctx.log,
    capabilities: () => m?.capabilities() ?? { kick: false, announce: false, endMatch: false, handOver: false, nameIndex: false, boardReset: true, bans: true },
    boardInstance: (period: LeaderboardPeriod, date: string | undefined) => reads.boards.instance(period, date),
  };
}
