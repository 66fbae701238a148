/**
 * Feature "boards": the results consumer (exactly-once apply of match results), leaderboard and player
 * HTTP routes, socket subscriptions with throttled top-10 pushes, analytics, and admin routes. Owns the
 * results stream and the board and analytics keys. Other features hand results in and count analytics
 * through its service: `boards.appendResult(result)`, `boards.record("queueJoins")`.
 */
import { defineFeature, type Core, type FeatureInstance } from "../core/feature.ts";
import type { PlayerStore } from "../players/player-store.ts";
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
import { appendMatchResult, type MatchResult } from "./match-result.ts";

export interface BoardsService {
  readonly applier: ResultApplier;
  readonly reader: BoardReader;
  readonly analytics: Analytics;
  /** Counts an analytics event (matches started, queue joins) in the current minute and day. */
  record(kind: AnalyticsKind, n?: number): void;
  /** Hands a finished match's result to the boards (the results stream); idempotent by match id. */
  appendResult(result: MatchResult): Promise<string>;
}

declare module "../core/feature.ts" {
  interface Services {
    boards: BoardsService;
  }
}

function createBoards(core: Core, players: PlayerStore): FeatureInstance<BoardsService> {
  const c = core.config;
  const grace = applierConfig(c);
  const applier = new ResultApplier({ redis: core.redis, keys: core.keys, scripts: core.scripts, players, now: core.now, config: grace });
  const reader = new BoardReader({ redis: core.redis, keys: core.keys, scripts: core.scripts, players, metrics: core.metrics, now: core.now, cacheTtlMs: c.BOARDS_CACHE_TTL_MS });
  const pusher = new BoardPusher({
    io: core.io,
    keys: core.keys,
    scripts: core.scripts,
    reader,
    metrics: core.metrics,
    log: core.log,
    now: core.now,
    nodeId: core.nodeId,
    intervalMs: c.BOARDS_PUSH_INTERVAL_MS,
    grace,
  });
  const analytics = new Analytics({
    redis: core.redis,
    keys: core.keys,
    log: core.log,
    now: core.now,
    nodeId: core.nodeId,
    sockets: () => core.io.of("/").sockets.size,
    retentionMs: c.ANALYTICS_RETENTION_DAYS * DAY_MS,
    seriesMs: c.ANALYTICS_SERIES_HOURS * 3_600_000,
    flushMs: c.ANALYTICS_FLUSH_MS,
  });
  let consumer: ResultsConsumer | null = null;

  const service: BoardsService = {
    applier,
    reader,
    analytics,
    record: (kind, n = 1) => analytics.record(kind, n),
    appendResult: (result) => appendMatchResult(core.redis, core.keys, result),
  };

  return {
    service,

    registerEvents(router) {
      router.handle("boards:subscribe", BoardsSubscribeRequest, BOARDS_READ, async (ctx, req) => {
        await ctx.socket.join(rooms.boards(req.period));
        const page = await reader.page(req.period, instanceAt(req.period, core.now()), 0, TOP_WATCHED);
        return { period: req.period, entries: page.entries };
      });
      router.handle("boards:unsubscribe", BoardsSubscribeRequest, BOARDS_READ, async (ctx, req) => {
        await ctx.socket.leave(rooms.boards(req.period));
        return { unsubscribed: true as const };
      });
    },

    async registerRoutes(app) {
      await app.register(boardRoutes, { reader, now: core.now, limit: core.limit });
    },

    async registerAdminRoutes(admin) {
      await admin.register(boardAdminRoutes, { keys: core.keys, scripts: core.scripts, analytics, now: core.now, grace });
    },

    onConnected(socket) {
      // Analytics must never delay or fail a connection.
      analytics.recordUnique(socket.data.playerId).catch((err: unknown) => core.log.warn({ err }, "unique player not recorded"));
    },

    async start() {
      consumer = new ResultsConsumer({
        conn: await core.connect("boards-consumer"),
        redis: core.redis,
        keys: core.keys,
        applier,
        consumer: core.nodeId,
        batch: c.RESULTS_BATCH,
        blockMs: c.RESULTS_BLOCK_MS,
        claimIdleMs: c.RESULTS_CLAIM_IDLE_MS,
        log: core.log,
        metrics: core.metrics,
      });
      await consumer.start();
      pusher.start();
      analytics.start();
    },

    async stop() {
      await pusher.stop();
      await consumer?.stop();
      await analytics.stop();
    },
  };
}

export const boardsFeature = defineFeature({
  name: "boards",
  needs: ["players"],
  create: (core, { players }) => createBoards(core, players.store),
});
