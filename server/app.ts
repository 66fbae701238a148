/**
 * Builds one game node's Fastify app and socket.io server from its dependencies, without listening, and
 * wires the features into it (their events, routes, guards and lifecycle hooks). Tests call `buildApp`
 * and then `app.inject()` or `app.listen({ port: 0 })`.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { IncomingMessage } from "node:http";
import Fastify, { type FastifyInstance } from "fastify";
import fastifyStatic from "@fastify/static";
import type { TSchema } from "typebox";
import type { Config } from "./config.ts";
import { createKeys } from "./redis/keys.ts";
import type { RedisClient } from "./redis/connection.ts";
import type { Scripts } from "./redis/scripts.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { EventRouter } from "./sockets/event-router.ts";
import { createSocketServer } from "./sockets/socket-server.ts";
import type { AppServer } from "./sockets/types.ts";
import { installErrorHandlers } from "./http/errors-plugin.ts";
import { healthRoutes } from "./http/health-routes.ts";
import { adminArea } from "./admin/admin-area.ts";
import { defaultConnectionCap, guardConnections } from "./http/connection-guard.ts";
import { securityHeaders } from "./http/security-headers.ts";
import { metricsEndpoint, type MetricsEndpoint } from "./http/metrics-endpoint.ts";
import { createHandshakeGuard } from "./sockets/handshake-guard.ts";
import { clientAddress, compileTrust } from "./core/address.ts";
import { compiled, describeFirstError } from "./validation.ts";
import { ErrorCode } from "../shared/errors.ts";
import { PingRequest } from "../shared/schemas.ts";
import { bootFeatures, type BootedFeature, type Core, type Feature, type FeatureHooks, type Services } from "./core/feature.ts";
import { FEATURES } from "./features.ts";
import { NodeOverloadedError, UnavailableError } from "./errors.ts";

export interface AppDeps {
  config: Config;
  redis: RedisClient;
  /** Subscriber connection for the socket.io adapter. */
  sub: RedisClient;
  scripts: Scripts;
  /** Redis >= 7 (sharded pub/sub). */
  sharded: boolean;
  connect: Core["connect"];
  /** pino options or `false` to silence; default: the configured level. */
  logger?: boolean | { level: string };
  now?: () => number;
  /** Replaces the feature list (tests of some features); dependencies are checked all the same. */
  features?: readonly Feature[];
}

export interface BuiltApp {
  app: FastifyInstance;
  io: AppServer;
  core: Core;
  /** The features' services, by name (only those of the features this node runs). */
  services: Partial<Services>;
  /** The service of a feature; throws when the node does not run it. */
  service<N extends keyof Services>(name: N): Services[N];
  features: readonly BootedFeature[];
  metrics: Metrics;
  /** GET /metrics (its separate listener when METRICS_PORT is set). */
  metricsEndpoint: MetricsEndpoint;
  /** Set once shutdown starts (readiness turns 503). */
  shutdown: { started: boolean; draining: boolean };
}

const CLIENT_DIST = fileURLToPath(new URL("../client/dist/", import.meta.url));
const CLIENT_PUBLIC = fileURLToPath(new URL("../client/public/", import.meta.url));

/** Runs one hook of every feature in order (guards: the first to throw refuses). */
async function each<H extends keyof FeatureHooks>(features: readonly BootedFeature[], hook: H, call: (h: NonNullable<FeatureHooks[H]>) => Promise<void> | void): Promise<void> {
  for (const f of features) {
    const fn = f.hooks[hook];
    if (fn) await call(fn.bind(f.hooks) as NonNullable<FeatureHooks[H]>);
  }
}

/** Builds the node (routes, sockets, features) without calling listen(). */
export async function buildApp(deps: AppDeps): Promise<BuiltApp> {
  const { config } = deps;
  const app = Fastify({
    logger: deps.logger === false ? false : { level: deps.logger && typeof deps.logger === "object" ? deps.logger.level : config.LOG_LEVEL },
    bodyLimit: config.MAX_PAYLOAD_BYTES,
    // req.ip: the right-most X-Forwarded-For entry that is not one of our listed proxies, and only when
    // the peer is one of them; entries further left are client-supplied and never believed.
    trustProxy: config.TRUST_PROXY.length ? [...config.TRUST_PROXY] : false,
    // Slow or idle clients must not hold a connection (and a file descriptor) for ever.
    connectionTimeout: config.HTTP_IDLE_TIMEOUT_MS,
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEPALIVE_TIMEOUT_MS,
    http: { headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS, connectionsCheckingInterval: Math.min(1000, Math.floor(config.HTTP_HEADERS_TIMEOUT_MS / 2)) },
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    forceCloseConnections: true,
  });
  app.setValidatorCompiler(({ schema }) => {
    const v = compiled(schema as TSchema);
    return (data: unknown) => (v.Check(data) ? { value: data } : { error: new Error(describeFirstError(schema as TSchema, data)) });
  });

  const keys = createKeys(config.KEY_PREFIX);
  const metrics = createMetrics(config.NODE_ID, { defaultMetrics: true });
  const log = app.log.child({ nodeId: config.NODE_ID });
  const now = deps.now ?? Date.now;
  const router = new EventRouter(metrics, log);
  const shutdown = { started: false, draining: false };
  installErrorHandlers(app, metrics);
  const trust = compileTrust(config.TRUST_PROXY);
  /** The one way to read a client's address: its peer, or what a listed proxy says (TRUST_PROXY). */
  const addressOf = (req: IncomingMessage) => clientAddress(req, trust);
  guardConnections(app.server, {
    perAddress: config.MAX_CONNECTIONS_PER_IP,
    total: config.MAX_CONNECTIONS || defaultConnectionCap(),
    exempt: trust,
    registry: metrics.registry,
    log,
  });
  await securityHeaders(app);

  // The hooks below read `booted` and `services` lazily: they are filled once io exists.
  let booted: BootedFeature[] = [];
  let services: Partial<Services> = {};
  const service = <N extends keyof Services>(name: N): Services[N] => {
    const s = services[name];
    if (!s) throw new UnavailableError(`This node does not run the "${name}" feature`);
    return s;
  };
  const io = await createSocketServer(app.server, {
    redis: deps.redis,
    sub: deps.sub,
    sharded: deps.sharded,
    keys,
    metrics,
    log,
    router,
    maxPayloadBytes: config.MAX_PAYLOAD_BYTES,
    clientAddress: addressOf,
    handshakeGuard: createHandshakeGuard({ perSecond: config.HANDSHAKES_PER_IP_PER_SECOND, clientAddress: addressOf, registry: metrics.registry, log }),
    // An overloaded node refuses new players (they reconnect through the load balancer, elsewhere) and
    // keeps serving the ones it has. Refused before authentication: it costs no hash and no Redis call.
    admit: () => {
      if (services.nodes?.overloaded) {
        metrics.connectionsOverloaded.inc();
        throw new NodeOverloadedError(Math.max(1000, config.OVERLOAD_LEAVE_MS));
      }
    },
    handshake: {
      authenticate: (token, ip) => service("sessions").authenticate(token, ip),
      nextEpoch: (playerId) => service("players").store.nextEpoch(playerId, config.SESSION_TTL_SECONDS),
      slideSession: (sessionId) => service("sessions").store.slide(sessionId),
    },
    beforeConnect: (playerId, ip) => each(booted, "beforeConnect", (h) => h(playerId, ip)),
    onConnected: async (socket) => {
      if (shutdown.started) {
        socket.emit("server:notice", { code: ErrorCode.SERVER_SHUTTING_DOWN, message: "Node is shutting down; reconnect" });
        socket.disconnect(true);
        return;
      }
      // Each feature on its own: a Redis error in one (say, adopting a queue ticket) must not keep the
      // player out of their match. They run side by side (none reads what another writes here): a
      // reconnect storm waits for the slowest feature's round trips, not for the sum of all of them.
      await Promise.all(
        booted.map(async (f) => {
          try {
            await f.hooks.onConnected?.(socket);
          } catch (err) {
            log.error({ err, feature: f.name, playerId: socket.data.playerId }, "onConnected failed");
          }
        }),
      );
    },
    onDisconnected: (socket, reason) => {
      for (const f of booted) f.hooks.onDisconnected?.(socket, reason);
    },
  });

  const core: Core = {
    config,
    nodeId: config.NODE_ID,
    redis: deps.redis,
    keys,
    scripts: deps.scripts,
    metrics,
    log,
    io,
    router,
    now,
    connect: deps.connect,
    sharded: deps.sharded,
    limit: (subject, action) => each(booted, "limit", (h) => h(subject, action)),
    beforeLogin: (ip, deviceId) => each(booted, "beforeLogin", (h) => h(ip, deviceId)),
    clientAddress: addressOf,
    beforeAuthenticate: (ip) => {
      for (const f of booted) f.hooks.beforeAuthenticate?.(ip);
    },
    authFailed: (ip) => {
      for (const f of booted) f.hooks.onAuthFailed?.(ip);
    },
  };
  ({ services, booted } = bootFeatures(core, deps.features ?? FEATURES));

  router.handle("net:ping", PingRequest, "ping", (_c, req) => ({ t: req.t, serverTime: now() }));
  for (const f of booted) f.hooks.registerEvents?.(router);
  router.guard = (c, action) => core.limit({ playerId: c.playerId, ip: c.ip }, action);
  const gates = booted.map((f) => f.hooks).filter((h) => h.gateFire);
  // Runs for every game input: a plain loop, no closure per call.
  if (gates.length)
    router.fireGate = (c, event) => {
      for (let i = 0; i < gates.length; i++) if (!gates[i]!.gateFire!(c, event)) return false;
      return true;
    };

  await app.register(healthRoutes, { scripts: deps.scripts, redis: deps.redis, nodeId: config.NODE_ID, isShuttingDown: () => shutdown.started || shutdown.draining, log });
  const metricsRoute = metricsEndpoint(app, {
    registry: metrics.registry,
    cacheMs: config.METRICS_CACHE_MS,
    perAddressPerSecond: config.METRICS_SCRAPES_PER_IP_PER_SECOND,
    port: config.METRICS_PORT,
    host: config.HOST,
    token: config.METRICS_TOKEN,
    allow: config.METRICS_ALLOW,
    log,
  });
  for (const f of booted) await f.hooks.registerRoutes?.(app);
  await app.register(adminArea, {
    prefix: "/admin/api",
    core,
    services: () => services,
    register: async (admin) => {
      for (const f of booted) await f.hooks.registerAdminRoutes?.(admin);
    },
  });

  // The built client (esbuild) when present, else the static placeholder page.
  const root = existsSync(CLIENT_DIST) ? [CLIENT_DIST, CLIENT_PUBLIC] : [CLIENT_PUBLIC];
  await app.register(fastifyStatic, { root, prefix: "/", wildcard: false, index: ["index.html"] });

  // preClose runs before the HTTP server stops: players hear why while their sockets are still open.
  app.addHook("preClose", async () => {
    shutdown.started = true;
    // Each feature's stop is bounded: with Redis unreachable, a write it waits for may never answer, and
    // the rest of the shutdown (telling players, closing sockets) must still happen.
    const stopLimitMs = Math.max(1000, Math.floor(config.SHUTDOWN_GRACE_MS / 4));
    for (const f of [...booted].reverse()) {
      let timer: NodeJS.Timeout | undefined;
      try {
        const timedOut = new Promise<"timeout">((ok) => (timer = setTimeout(() => ok("timeout"), stopLimitMs)));
        if ((await Promise.race([Promise.resolve(f.hooks.stop?.()), timedOut])) === "timeout") log.warn({ feature: f.name, ms: stopLimitMs }, "feature stop timed out; shutting down anyway");
      } catch (err) {
        log.error({ err, feature: f.name }, "feature stop failed");
      } finally {
        clearTimeout(timer);
      }
    }
    io.local.emit("server:notice", { code: ErrorCode.SERVER_SHUTTING_DOWN, message: "Node is shutting down; reconnect" });
    io.local.disconnectSockets(true);
  });
  app.addHook("onClose", async () => {
    // Closes the adapter (unsubscribes); the HTTP server itself is closed by Fastify.
    await new Promise<void>((ok) => io.close(() => ok()));
  });

  return { app, io, core, services, service, features: booted, metrics, metricsEndpoint: metricsRoute, shutdown };
}
