/**
 * Feature "admin": the ops dashboard's server side. Serves the page (/admin/), its /admin/api routes (see
 * docs/admin-api.md; the authenticated /admin/api context itself is admin-area.ts, mounted by app.ts on
 * every node), the /admin socket.io namespace with live views and the live match view, announcements,
 * kick, and the per-minute admin series. It reads and acts on the other features only through their
 * services (feature-sources.ts); it owns the `keys.admin` keys (audit stream, stored announcement, series).
 */
import { defineFeature, type Core, type FeatureInstance } from "../core/feature.ts";
import { AdminGuard } from "./admin-guard.ts";
import { AuditLog } from "./audit-log.ts";
import { Announcements } from "./announcements.ts";
import { AdminService } from "./admin-service.ts";
import { SeriesRecorder } from "./series.ts";
import { adminRoutes } from "./admin-routes.ts";
import { adminPage } from "./admin-page.ts";
import { setUpAdminNamespace } from "./admin-namespace.ts";
import { featureReads, type AdminDeps } from "./feature-sources.ts";

export interface AdminFeatureService {
  readonly service: AdminService;
  readonly announcements: Announcements;
  /** Writes this node's pending series counts now (tests; otherwise every ANALYTICS_FLUSH_MS). */
  flushSeries(): Promise<void>;
}

declare module "../core/feature.ts" {
  interface Services {
    admin: AdminFeatureService;
  }
}

function createAdmin(core: Core, deps: AdminDeps): FeatureInstance<AdminFeatureService> {
  const { redis, config, now, log, keys } = core;
  const reads = featureReads(core, deps);
  const audit = new AuditLog(redis, keys, now);
  const announcements = new Announcements({ redis, key: keys.admin.announcement, io: core.io, now });
  const service = new AdminService({ redis, keys, reads, audit, nodeId: core.nodeId, now });
  const series = new SeriesRecorder({ redis, keys, metrics: core.metrics, now, flushMs: config.ANALYTICS_FLUSH_MS, keepMs: config.ANALYTICS_SERIES_HOURS * 3_600_000, log });
  const namespace = setUpAdminNamespace({ io: core.io, guard: new AdminGuard(core, () => deps.limits), service, log, clientAddress: core.clientAddress });

  return {
    service: { service, announcements, flushSeries: () => series.flush() },

    /** The page: /admin/ (public; it asks for the token). */
    registerRoutes: (app) => adminPage(app),

    registerAdminRoutes: (admin) => adminRoutes(admin, { service, announcements, matches: deps.matches, io: core.io }),

    /** Shows the current announcement to a player who connects while it lasts. */
    async onConnected(socket) {
      await announcements.greet(socket).catch((err: unknown) => log.warn({ err }, "announcement not sent at connect"));
    },

    start: () => series.start(),

    async stop() {
      namespace.stop();
      await series.stop();
    },
  };
}

export const adminFeature = defineFeature({
  name: "admin",
  needs: ["players", "limits", "nodes", "boards", "matches", "matchmaking"],
  create: createAdmin,
});
