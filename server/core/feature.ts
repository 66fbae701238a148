/**
 * The one shape every feature of a node has (sessions, players, limits, nodes, boards, matchmaking,
 * matches...): a name, the features it needs, and `create(core, deps)` returning its typed service plus
 * the hooks it plugs into the node (socket events, routes, login/handshake guards, start/stop).
 *
 * Dependencies are declared and checked at boot, as fastify-plugin's `dependencies` are: a feature whose
 * need is not registered before it stops start-up with a message naming both. A feature reaches another
 * only through the typed service it declared a need for; there is no look-up by string.
 *
 * Each feature adds its service type to `Services` by declaration merging:
 *   declare module "../core/feature.ts" { interface Services { matches: MatchesService } }
 */
import type { IncomingMessage } from "node:http";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { Config } from "../config.ts";
import type { Metrics } from "../metrics.ts";
import type { RedisClient } from "../redis/connection.ts";
import type { Keys } from "../redis/keys.ts";
import type { Scripts } from "../redis/scripts.ts";
import type { EventContext, EventRouter } from "../sockets/event-router.ts";
import type { AppServer, AppSocket } from "../sockets/types.ts";

/** What every feature gets: the node's shared infrastructure (no feature services). */
export interface Core {
  config: Config;
  nodeId: string;
  /** Main command connection (auto-pipelined). Never used for blocking commands or SUBSCRIBE. */
  redis: RedisClient;
  keys: Keys;
  scripts: Scripts;
  metrics: Metrics;
  log: FastifyBaseLogger;
  io: AppServer;
  router: EventRouter;
  /** Wall clock in ms; injectable for tests (period rollover, TTLs). */
  now: () => number;
  /** Opens another connection to the same Redis (subscriber, blocking reads); closed when the node stops. */
  connect: (name: string, opts?: { subscriber?: boolean }) => Promise<RedisClient>;
  /** Redis >= 7: sharded pub/sub (SPUBLISH/SSUBSCRIBE) is available. */
  sharded: boolean;
  /**
   * Rate-limit check for one action by one subject, shared by every node (runs every feature's `limit`
   * hook; a no-op on a node without the limits feature). Throws RateLimitedError / BannedError to refuse.
   */
  limit: (subject: LimitSubject, action: string) => Promise<void>;
  /** Runs every feature's `beforeLogin` guard (per-IP login budget, bans); throws a coded error to refuse. */
  beforeLogin: (ip: string, deviceId: string) => Promise<void>;
  /** The client address of a request: its peer, or what a trusted proxy (TRUST_PROXY) says. */
  clientAddress: (req: IncomingMessage) => string;
  /** Runs every feature's `beforeAuthenticate` guard (an address's bad-token budget); throws a coded error to refuse. */
  beforeAuthenticate: (ip: string) => void;
  /** Tells every feature that a token presented from `ip` was unknown or expired. */
  authFailed: (ip: string) => void;
}

/** Who is acting: a player (socket events, authenticated HTTP) and/or an IP (logins, public reads). */
export interface LimitSubject {
  playerId?: string;
  ip?: string;
}

/** What a feature may plug into the node; every hook is optional. */
export interface FeatureHooks {
  /** Socket events of this feature (called once, before the node accepts connections). */
  registerEvents?(router: EventRouter): void;
  /** Public HTTP routes. */
  registerRoutes?(app: FastifyInstance): Promise<void> | void;
  /** Routes under /admin/api (already authenticated). */
  registerAdminRoutes?(admin: FastifyInstance): Promise<void> | void;
  /** Refuses a login (throw a coded AppError), e.g. per-IP rate limit or ban. */
  beforeLogin?(ip: string, deviceId: string): Promise<void>;
  /** Refuses a token check from an address before any work is done (throw a coded AppError); synchronous. */
  beforeAuthenticate?(ip: string): void;
  /** A token presented from this address was unknown or expired. */
  onAuthFailed?(ip: string): void;
  /** Refuses a socket handshake (throw a coded AppError), e.g. bans. */
  beforeConnect?(playerId: string, ip: string): Promise<void>;
  /** Rate limit for an action (socket events and HTTP routes); throw RateLimitedError to refuse. */
  limit?(subject: LimitSubject, action: string): Promise<void>;
  /** Per-socket gate for fire-and-forget events; return false to drop. */
  gateFire?(ctx: EventContext, event: "match:input"): boolean;
  /** A socket became its player's live socket. Every feature's hook runs at the same time (none may rely on another's); events the socket sent meanwhile wait for all of them. */
  onConnected?(socket: AppSocket): Promise<void> | void;
  onDisconnected?(socket: AppSocket, reason: string): void;
  /** Background work (timers, consumers); called after the node listens, in feature order. */
  start?(): Promise<void> | void;
  /** Stops background work; called in reverse order at shutdown, before Redis closes. */
  stop?(): Promise<void> | void;
}

/** Services of the features, by feature name (each feature merges its entry in). */
export interface Services {}

export type FeatureName = keyof Services;

/** What `create` returns: the service other features may need, and the feature's hooks. */
export type FeatureInstance<S> = FeatureHooks & { service: S };

export interface Feature<N extends FeatureName = FeatureName> {
  readonly name: N;
  readonly needs: readonly FeatureName[];
  create(core: Core, deps: Partial<Services>): FeatureInstance<Services[N]>;
}

/** Declares a feature; `deps` holds exactly the services named in `needs`, typed. */
export function defineFeature<N extends FeatureName, D extends FeatureName = never>(def: {
  name: N;
  needs: readonly D[];
  create: (core: Core, deps: Pick<Services, D>) => FeatureInstance<Services[N]>;
}): Feature<N> {
  return { name: def.name, needs: def.needs, create: def.create as Feature<N>["create"] };
}

export class FeatureDependencyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FeatureDependencyError";
  }
}

/** A feature once created: its name, service and hooks. */
export interface BootedFeature {
  name: FeatureName;
  hooks: FeatureHooks;
}

/**
 * Creates the features in the given order, checking that each one's needs were created before it.
 * Throws FeatureDependencyError listing every problem (a missing need, a need registered later, a name
 * registered twice) before anything is created.
 */
export function bootFeatures(core: Core, features: readonly Feature[]): { services: Partial<Services>; booted: BootedFeature[] } {
  const problems: string[] = [];
  const seen = new Set<string>();
  const names = new Set<string>(features.map((f) => f.name));
  for (const f of features) {
    if (seen.has(f.name)) problems.push(`feature "${f.name}" is registered twice`);
    for (const need of f.needs) {
      if (!names.has(need)) problems.push(`feature "${f.name}" needs "${need}", which is not registered`);
      else if (!seen.has(need)) problems.push(`feature "${f.name}" needs "${need}", which must be registered before it`);
    }
    seen.add(f.name);
  }
  if (problems.length) throw new FeatureDependencyError(`Cannot start the node:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  const services: Partial<Services> = {};
  const booted: BootedFeature[] = [];
  for (const f of features) {
    const deps: Partial<Services> = {};
    for (const need of f.needs) (deps as Record<string, unknown>)[need] = services[need];
    const { service, ...hooks } = f.create(core, deps);
    (services as Record<string, unknown>)[f.name] = service;
    booted.push({ name: f.name, hooks });
  }
  return { services, booted };
}
