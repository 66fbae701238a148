/**
 * The `boards` module: results consumer (exactly-once apply of match results), leaderboard and player
 * HTTP routes, socket subscriptions with throttled top-10 pushes, analytics, and admin routes.
 * Other modules count analytics through it: `ctx.modules.get<BoardsModule>("boards")?.record("queueJoins")`.
 */
import type { FastifyInstance } from "fastify";
import type { NodeContext, NodeModule } from "../node-module.ts";
import type { EventRouter } from "../sockets/event-router.ts";
import type { AppSocket } from "../sockets/types.ts";
import { BoardsSubscribeRequest } from "../../shared/schemas.ts";
import { rooms } from "../../shared/protocol.ts";
import { DAY_MS, instanceAt } from "./periods.ts";
import { ResultApplier, TOP_WATCHED, applierConfig } from "./result-applier.ts";
import { ResultsConsumer } from "./results-consumer.ts";
import { BoardReader } from "./board-reader.ts";
import { BoardPusher } from "./board-pusher.ts";
import { Analytics, type AnalyticsKind } from "./analytics.ts";
import { BOARDS_READ, boardRoutes } from "./board-routes.ts";
import { boardAdminRoutes } from "./board-admin-routes.ts";

export class BoardsModule implements NodeModule {
  readonly name = "boards";
  readonly applier: ResultApplier;
  readonly reader: BoardReader;
  readonly analytics: Analytics;
  private readonly pusher: BoardPusher;
  private consumer: ResultsConsumer | null = null;

  constructor(private readonly ctx: NodeContext) {
    const c = ctx.config;
    const applyConfig = applierConfig(c);
    this.applier = new ResultApplier({ redis: ctx.redis, keys: ctx.keys, scripts: ctx.scripts, now: ctx.now, config: applyConfig });
    this.reader = new BoardReader({ redis: ctx.redis, keys: ctx.keys, scripts: ctx.scripts, metrics: ctx.metrics, now: ctx.now, cacheTtlMs: c.BOARDS_CACHE_TTL_MS });
    this.pusher = new BoardPusher({
      io: ctx.io,
      keys: ctx.keys,
      scripts: ctx.scripts,
      reader: this.reader,
      metrics: ctx.metrics,
      log: ctx.log,
      now: ctx.now,
      nodeId: ctx.nodeId,
      intervalMs: c.BOARDS_PUSH_INTERVAL_MS,
      grace: applyConfig,
    });
    this.analytics = new Analytics({
      redis: ctx.redis,
      keys: ctx.keys,
      log: ctx.log,
      now: ctx.now,
      nodeId: ctx.nodeId,
      sockets: () => ctx.io.of("/").sockets.size,
      retentionMs: c.ANALYTICS_RETENTION_DAYS * DAY_MS,
      seriesMs: c.ANALYTICS_SERIES_HOURS * 3_600_000,
      flushMs: c.ANALYTICS_FLUSH_MS,
    });
  }

  /** Counts an analytics event (matches started, queue joins) in the current minute and day. */
  record(kind: AnalyticsKind, n = 1): void {
    this.analytics.record(kind, n);
  }

  registerEvents(router: EventRouter): void {
    router.handle("boards:subscribe", BoardsSubscribeRequest, BOARDS_READ, async (c, req) => {
      await c.socket.join(rooms.boards(req.period));
      const page = await this.reader.page(req.period, instanceAt(req.period, this.ctx.now()), 0, TOP_WATCHED);
      return { period: req.period, entries: page.entries };
    });
    router.handle("boards:unsubscribe", BoardsSubscribeRequest, BOARDS_READ, async (c, req) => {
      await c.socket.leave(rooms.boards(req.period));
      return { unsubscribed: true as const };
    });
  }

  async registerRoutes(app: FastifyInstance): Promise<void> {
    await app.register(boardRoutes, { reader: this.reader, now: this.ctx.now, limit: this.ctx.limit });
  }

  async registerAdminRoutes(admin: FastifyInstance): Promise<void> {
    await admin.register(boardAdminRoutes, { keys: this.ctx.keys, scripts: this.ctx.scripts, analytics: this.analytics, now: this.ctx.now, grace: applierConfig(this.ctx.config) });
  }

  onConnected(socket: AppSocket): void {
    // Analytics must never delay or fail a connection.
    this.analytics.recordUnique(socket.data.playerId).catch((err) => this.ctx.log.warn({ err }, "unique player not recorded"));
  }

  async start(): Promise<void> {
    const c = this.ctx.config;
    this.consumer = new ResultsConsumer({
      conn: await this.ctx.connect("boards-consumer"),
      redis: this.ctx.redis,
      keys: this.ctx.keys,
      applier: this.applier,
      consumer: this.ctx.nodeId,
      batch: c.RESULTS_BATCH,
      blockMs: c.RESULTS_BLOCK_MS,
      claimIdleMs: c.RESULTS_CLAIM_IDLE_MS,
      log: this.ctx.log,
      metrics: this.ctx.metrics,
    });
    await this.consumer.start();
    this.pusher.start();
    this.analytics.start();
  }

  async stop(): Promise<void> {
    await this.pusher.stop();
    await this.consumer?.stop();
    await this.analytics.stop();
  }
}
