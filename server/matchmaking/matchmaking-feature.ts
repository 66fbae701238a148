/**
 * Feature "matchmaking": `queue:join` / `queue:leave` over sockets, the waiting room of the players
 * connected here (status pushes, TTL refresh, disconnect grace), and the matchmaker worker
 * (Redlock-guarded, fenced passes). Found matches are created through the matches feature and announced
 * with `match:found` through each player's room, whichever node they are connected to.
 */
import Redlock, { ResourceLockedError } from "redlock";
import type { FastifyInstance } from "fastify";
import { defineFeature, type Core, type Services } from "../core/feature.ts";
import type { EventContext, EventRouter } from "../sockets/event-router.ts";
import type { AppSocket } from "../sockets/types.ts";
import { connectRedis, type RedisClient } from "../redis/connection.ts";
import { StateConflictError } from "../errors.ts";
import { ErrorCode } from "../../shared/errors.ts";
import { rooms, type QueueJoined } from "../../shared/protocol.ts";
import { Empty, QueueJoinRequest } from "../../shared/schemas.ts";
import { placeRequest } from "./geo.ts";
import { Matchmaker, type CreatedMatch } from "./matchmaker.ts";
import { newId } from "./claims.ts";
import { QueueStore } from "./queue-store.ts";
import { WORLD_QUEUE, pointerOf } from "./tickets.ts";
import { estimateWaitMs, lastRegionalStep, rulesFromConfig, scheduleFromConfig, type GroupRules, type SearchSchedule } from "./schedule.ts";
import { WaitingRoom } from "./waiting-room.ts";

/** queue:status cadence. */
export const STATUS_INTERVAL_MS = 1000;
/** How much longer than a ticket its pointer, tombstones and queue sets live (covers refresh skew). */
const HOLD_MARGIN_MS = 30_000;

type Deps = Pick<Services, "players" | "nodes" | "boards" | "matches">;

export class Matchmaking {
  readonly store: QueueStore;
  readonly room: WaitingRoom;
  private matchmaker: Matchmaker | null = null;
  private redlockClients: RedisClient[] = [];
  private readonly schedule: SearchSchedule;
  private readonly rules: GroupRules;

  constructor(
    private readonly ctx: Core,
    private readonly deps: Deps,
  ) {
    const c = ctx.config;
    const ticketTtlMs = c.TICKET_TTL_SECONDS * 1000;
    this.store = new QueueStore(ctx.redis, ctx.keys, ctx.scripts, deps.players.store, { ticketTtlMs, holdTtlMs: ticketTtlMs + HOLD_MARGIN_MS });
    this.schedule = scheduleFromConfig(c);
    this.rules = rulesFromConfig(c);
    this.room = new WaitingRoom({
      store: this.store,
      schedule: this.schedule,
      nodeId: ctx.nodeId,
      now: ctx.now,
      log: ctx.log,
      graceMs: c.QUEUE_DISCONNECT_GRACE_MS,
      statusIntervalMs: STATUS_INTERVAL_MS,
    });
  }

  /** queue:join and queue:leave, each with its own rate-limit action. */
  registerEvents(router: EventRouter): void {
    router.handle("queue:join", QueueJoinRequest, "queue_join", (c, req) => this.join(c, req));
    router.handle("queue:leave", Empty, "queue_leave", (c) => this.leave(c));
  }

  /** GET /admin/api/queues: size and oldest wait of every queue. */
  async registerAdminRoutes(admin: FastifyInstance): Promise<void> {
    admin.get("/queues", async () => {
      const now = this.ctx.now();
      const sizes = await this.store.sizes();
      return { queues: sizes.map((q) => ({ queue: q.queue, waiting: q.waiting, oldestWaitMs: q.oldestJoinedAt === null ? null : Math.max(0, now - q.oldestJoinedAt) })) };
    });
  }

  /** A player's new live socket adopts their ticket, wherever it was created. */
  onConnected(socket: AppSocket): Promise<void> {
    return this.room.adopt(socket);
  }

  /** Starts the disconnect grace of a waiting player. */
  onDisconnected(socket: AppSocket): void {
    this.room.onDisconnected(socket);
  }

  /** Connects the Redlock instances and starts the matchmaker and the waiting room. */
  async start(): Promise<void> {
    const { config, log } = this.ctx;
    if (config.REDLOCK_URLS?.length) {
      this.redlockClients = await Promise.all(config.REDLOCK_URLS.map((url, i) => connectRedis({ kind: "single", url }, { name: `${this.ctx.nodeId}:redlock-${i}` })));
    }
    const redlock = new Redlock(this.redlockClients.length ? this.redlockClients : [this.ctx.redis], { retryCount: 0 });
    // Redlock reports every refused vote as an "error" event; a locked queue is the normal case.
    redlock.on("error", (err: unknown) => {
      if (!(err instanceof ResourceLockedError)) log.warn({ err }, "redlock client error");
    });
    this.matchmaker = new Matchmaker({
      intervalMs: config.MATCHMAKER_INTERVAL_MS,
      schedule: this.schedule,
      rules: this.rules,
      nodeId: this.ctx.nodeId,
      keys: this.ctx.keys,
      store: this.store,
      redlock,
      log,
      metrics: this.ctx.metrics,
      now: this.ctx.now,
      pickHost: (near) => this.deps.nodes.pickHost({ near }),
      createMatch: (m) => this.deps.matches.createMatch(m),
      onMatch: (m) => this.announce(m),
    });
    this.matchmaker.start();
    this.room.start();
  }

  /** Stops the loops (tickets stay: their players reconnect elsewhere) and closes the Redlock connections. */
  async stop(): Promise<void> {
    this.room.stop();
    await this.matchmaker?.stop();
    await Promise.all(this.redlockClients.map((c) => c.quit().catch(() => c.disconnect())));
    this.redlockClients = [];
  }

  private announce(m: CreatedMatch): void {
    const players = m.players.map((p) => ({ playerId: p.playerId, name: p.name }));
    // One adapter message reaches every player's room on whichever node each is connected to.
    this.ctx.io.to(m.players.map((p) => rooms.player(p.playerId))).emit("match:found", { matchId: m.matchId, players });
    for (const p of m.players) this.room.untrack(p.playerId, p.ticketId);
    // Fast path: the chosen host starts now instead of at its next scan of the active set.
    this.deps.matches.nudge(m.matchId, m.hostNodeId);
    this.deps.boards.record("matchesStarted");
  }

  private async join(c: EventContext, req: QueueJoinRequest): Promise<QueueJoined> {
    const { now, metrics, config } = this.ctx;
    const place = placeRequest(req);
    const ticketId = newId();
    const pointer = pointerOf(place.home, ticketId);
    const rating = await this.deps.players.store.rating(c.playerId);
    await this.store.reserve(c.playerId, pointer);
    const joinedAt = now();
    try {
      await this.store.add(place.home, {
        ticketId,
        playerId: c.playerId,
        name: c.name,
        rating,
        joinedAt,
        home: place.home,
        lat: place.lat,
        lon: place.lon,
        epoch: c.socket.data.epoch,
        node: this.ctx.nodeId,
      });
    } catch (err) {
      await this.store.releasePointer(c.playerId, pointer).catch(() => {});
      throw err;
    }
    metrics.queueJoins.inc();
    this.deps.boards.record("queueJoins");
    this.room.track({ playerId: c.playerId, ticketId, home: place.home, queue: place.home, joinedAt, socket: c.socket });
    let estimatedWaitMs = Math.max(this.rules.fillWaitMs, this.schedule.startsAtMs[this.schedule.startsAtMs.length - 1]!);
    try {
      const regional = this.schedule.radiusKm.slice(0, lastRegionalStep(this.schedule) + 1);
      const near = await this.store.othersNear(place.home, place, regional, this.rules.maxPlayers);
      const world = await this.store.waiting(WORLD_QUEUE);
      // The ticket itself is in the regional counts.
      const others = this.schedule.radiusKm.map((_, i) => (i < regional.length ? Math.max(0, near[i]! - 1) : Math.max(0, (near[regional.length - 1] ?? 1) - 1) + world));
      estimatedWaitMs = estimateWaitMs(this.schedule, this.rules, others, config.MATCHMAKER_INTERVAL_MS);
    } catch (err) {
      this.ctx.log.debug({ err }, "wait estimate failed");
    }
    return { ticketId, region: place.home, estimatedWaitMs };
  }

  private async leave(c: EventContext): Promise<{ left: true }> {
    const pointer = await this.store.pointer(c.playerId);
    if (!pointer) throw new StateConflictError(ErrorCode.NOT_QUEUED, "This player has no ticket");
    const w = await this.store.withdraw(pointer, "");
    if (w.outcome === "claimed") throw new StateConflictError(ErrorCode.ALREADY_IN_MATCH, "A match was already found for this ticket");
    await this.store.releasePointer(c.playerId, pointer);
    this.room.untrack(c.playerId);
    return { left: true };
  }
}

declare module "../core/feature.ts" {
  interface Services {
    matchmaking: Matchmaking;
  }
}

export const matchmakingFeature = defineFeature({
  name: "matchmaking",
  needs: ["players", "nodes", "boards", "matches"],
  create(core, deps) {
    const mm = new Matchmaking(core, deps);
    return {
      service: mm,
      registerEvents: (router) => mm.registerEvents(router),
      registerAdminRoutes: (admin) => mm.registerAdminRoutes(admin),
      onConnected: (socket) => mm.onConnected(socket),
      onDisconnected: (socket) => mm.onDisconnected(socket),
      start: () => mm.start(),
      stop: () => mm.stop(),
    };
  },
});
