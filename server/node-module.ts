/**
 * What every domain (matchmaking, matches, boards, limits, node registry...) plugs into a node through.
 * A module receives the node's shared dependencies and may add socket events, HTTP routes, admin routes,
 * handshake/login guards, and a background start/stop. `server/modules.ts` lists the modules in order.
 */
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import type { Config } from "./config.ts";
import type { Metrics } from "./metrics.ts";
import type { Keys } from "./redis/keys.ts";
import type { Scripts } from "./redis/scripts.ts";
import type { SessionStore } from "./sessions/session-store.ts";
import type { EventContext, EventRouter } from "./sockets/event-router.ts";
import type { AppServer, AppSocket } from "./sockets/types.ts";

export interface NodeContext {
  config: Config;
  nodeId: string;
  /** Main command connection (auto-pipelined). Never used for blocking commands or SUBSCRIBE. */
  redis: Redis;
  keys: Keys;
  scripts: Scripts;
  sessions: SessionStore;
  metrics: Metrics;
  log: FastifyBaseLogger;
  io: AppServer;
  router: EventRouter;
  /** Wall clock in ms; injectable for tests (period rollover, TTLs). */
  now: () => number;
  /** Opens another connection to the main Redis (subscriber, blocking reads); closed when the node stops. */
  connect: (name: string) => Promise<Redis>;
  /** Registry of the node's modules, for cross-module calls (e.g. queue asks matches whether a player is in one). */
  modules: ModuleRegistry;
  /**
   * Rate-limit check for one action by one subject, shared by every node (runs every module's `limit`).
   * Throws RateLimitedError / BannedError to refuse. Socket events call it through the router; HTTP
   * routes call it themselves, e.g. `await ctx.limit({ ip: req.ip }, "boards_read")`.
   */
  limit: (subject: LimitSubject, action: string) => Promise<void>;
}

/** Who is acting: a player (socket events, authenticated HTTP) and/or an IP (logins, public reads). */
export interface LimitSubject {
  playerId?: string;
  ip?: string;
}

export interface ModuleRegistry {
  get<T extends NodeModule>(name: string): T | undefined;
}

export interface NodeModule {
  readonly name: string;
  /** Socket events of this module (called once, before the node accepts connections). */
  registerEvents?(router: EventRouter): void;
  /** Public HTTP routes. */
  registerRoutes?(app: FastifyInstance): Promise<void> | void;
  /** Routes under /admin/api (already authenticated). */
  registerAdminRoutes?(admin: FastifyInstance): Promise<void> | void;
  /** Refuses a login (throw a coded AppError), e.g. per-IP rate limit or ban. */
  beforeLogin?(ip: string, deviceId: string): Promise<void>;
  /** Refuses a socket handshake (throw a coded AppError), e.g. bans. */
  beforeConnect?(playerId: string, ip: string): Promise<void>;
  /** Rate limit for an action (socket events and HTTP routes); throw RateLimitedError to refuse. */
  limit?(subject: LimitSubject, action: string): Promise<void>;
  /** Per-socket gate for fire-and-forget events; return false to drop. */
  gateFire?(ctx: EventContext, event: "match:input"): boolean;
  /** A socket became its player's live socket. */
  onConnected?(socket: AppSocket): Promise<void> | void;
  onDisconnected?(socket: AppSocket, reason: string): void;
  /** Background work (timers, consumers); called after the node listens. */
  start?(): Promise<void> | void;
  /** Stops background work; called in reverse order at shutdown, before Redis closes. */
  stop?(): Promise<void> | void;
}
