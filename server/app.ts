/**
 * Builds one game node's Fastify app and socket.io server from its dependencies, without listening.
 * Tests call `buildApp` and then `app.inject()` or `app.listen({ port: 0 })`.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Fastify, { type FastifyInstance, type FastifyBaseLogger } from "fastify";
import fastifyStatic from "@fastify/static";
import type { Redis } from "ioredis";
import type { TSchema } from "typebox";
import type { Config } from "./config.ts";
import { createKeys } from "./redis/keys.ts";
import type { Scripts } from "./redis/scripts.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { SessionStore } from "./sessions/session-store.ts";
import { EventRouter } from "./sockets/event-router.ts";
import { createSocketServer } from "./sockets/socket-server.ts";
import type { AppServer } from "./sockets/types.ts";
import { installErrorHandlers } from "./http/errors-plugin.ts";
import { healthRoutes } from "./http/health-routes.ts";
import { sessionRoutes } from "./http/session-routes.ts";
import { adminHttp } from "./admin/admin-http.ts";
import { adminAreaOptions } from "./admin/admin-module.ts";
import { compiled, describeFirstError } from "./validation.ts";
import { rooms } from "../shared/protocol.ts";
import { ErrorCode } from "../shared/errors.ts";
import { PingRequest } from "../shared/schemas.ts";
import type { NodeContext, NodeModule } from "./node-module.ts";
import { createModules } from "./modules.ts";

export interface AppDeps {
  config: Config;
  redis: Redis;
  /** Subscriber connection for the socket.io adapter. */
  sub: Redis;
  scripts: Scripts;
  connect: (name: string) => Promise<Redis>;
  /** pino options or `false` to silence; default: the configured level. */
  logger?: boolean | { level: string };
  now?: () => number;
  /** Replaces the module list (tests of one module). */
  modules?: (ctx: NodeContext) => NodeModule[];
}

export interface BuiltApp {
  app: FastifyInstance;
  io: AppServer;
  ctx: NodeContext;
  modules: NodeModule[];
  metrics: Metrics;
  /** Set once shutdown starts (readiness turns 503). */
  shutdown: { started: boolean };
}

const CLIENT_DIST = fileURLToPath(new URL("../client/dist/", import.meta.url));
const CLIENT_PUBLIC = fileURLToPath(new URL("../client/public/", import.meta.url));

/** Builds the node (routes, sockets, modules) without calling listen(). */
export async function buildApp(deps: AppDeps): Promise<BuiltApp> {
  const { config } = deps;
  const app = Fastify({
    logger: deps.logger === false ? false : { level: deps.logger && typeof deps.logger === "object" ? deps.logger.level : config.LOG_LEVEL },
    bodyLimit: config.MAX_PAYLOAD_BYTES,
    // One hop: req.ip is the address our load balancer saw (the right-most X-Forwarded-For entry),
    // not the left-most one, which any client can forge.
    trustProxy: config.TRUST_PROXY ? (_addr: string, hop: number) => hop === 0 : false,
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
  const log: FastifyBaseLogger = app.log.child({ nodeId: config.NODE_ID });
  const now = deps.now ?? Date.now;
  const sessions = new SessionStore(deps.redis, keys, deps.scripts, config.SESSION_TTL_SECONDS, now);
  const router = new EventRouter(metrics, log);
  const shutdown = { started: false };
  installErrorHandlers(app, metrics);

  const moduleMap = new Map<string, NodeModule>();
  let modules: NodeModule[] = [];
  // Hooks below read `modules` lazily: it is filled once io exists.
  const io = await createSocketServer(app.server, {
    redis: deps.redis,
    sub: deps.sub,
    keys,
    sessions,
    metrics,
    log,
    router,
    maxPayloadBytes: config.MAX_PAYLOAD_BYTES,
    sessionTtlSeconds: config.SESSION_TTL_SECONDS,
    trustProxy: config.TRUST_PROXY,
    beforeConnect: async (playerId, ip) => {
      for (const m of modules) await m.beforeConnect?.(playerId, ip);
    },
    onConnected: async (socket) => {
      if (shutdown.started) {
        socket.emit("server:notice", { code: ErrorCode.SERVER_SHUTTING_DOWN, message: "Node is shutting down; reconnect" });
        socket.disconnect(true);
        return;
      }
      // Each module on its own: a Redis error in one (say, adopting a queue ticket) must not keep the
      // player out of their match.
      for (const m of modules) {
        try {
          await m.onConnected?.(socket);
        } catch (err) {
          log.error({ err, module: m.name, playerId: socket.data.playerId }, "onConnected failed");
        }
      }
    },
    onDisconnected: (socket, reason) => {
      for (const m of modules) m.onDisconnected?.(socket, reason);
    },
  });

  const ctx: NodeContext = {
    config,
    nodeId: config.NODE_ID,
    redis: deps.redis,
    keys,
    scripts: deps.scripts,
    sessions,
    metrics,
    log,
    io,
    router,
    now,
    connect: deps.connect,
    modules: { get: <T extends NodeModule>(name: string) => moduleMap.get(name) as T | undefined },
    limit: async (subject, action) => {
      for (const m of modules) await m.limit?.(subject, action);
    },
  };
  modules = (deps.modules ?? createModules)(ctx);
  for (const m of modules) moduleMap.set(m.name, m);

  router.handle("net:ping", PingRequest, null, (_c, req) => ({ t: req.t, serverTime: now() }));
  for (const m of modules) m.registerEvents?.(router);
  router.guard = (c, action) => ctx.limit({ playerId: c.playerId, ip: c.ip }, action);
  const gates = modules.filter((m) => m.gateFire);
  if (gates.length) router.fireGate = (c, event) => gates.every((m) => m.gateFire!(c, event));

  await app.register(healthRoutes, { redis: deps.redis, scripts: deps.scripts, nodeId: config.NODE_ID, isShuttingDown: () => shutdown.started });
  await app.register(sessionRoutes, {
    sessions,
    metrics,
    beforeLogin: async (ip, deviceId) => {
      for (const m of modules) await m.beforeLogin?.(ip, deviceId);
    },
    onLogout: async (playerId, sessionId) => {
      try {
        const sockets = await io.in(rooms.player(playerId)).timeout(2000).fetchSockets();
        for (const s of sockets) if (s.data.sessionId === sessionId) s.disconnect(true);
      } catch (err) {
        // A stalled node must not turn a completed logout into a 500: close the player's socket blindly
        // (a player has one live socket; the token is already gone, so a reconnect is refused anyway).
        log.warn({ err, playerId }, "logout socket lookup timed out; disconnecting the player's sockets");
        io.in(rooms.player(playerId)).disconnectSockets(true);
      }
    },
  });
  app.get("/metrics", async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  for (const m of modules) await m.registerRoutes?.(app);
  await app.register(adminHttp, {
    prefix: "/admin/api",
    ...adminAreaOptions(ctx),
    beforeAuth: (ip) => ctx.limit({ ip }, "admin_login"),
    register: async (admin) => {
      for (const m of modules) await m.registerAdminRoutes?.(admin);
    },
  });

  // The built client (esbuild) when present, else the static placeholder page.
  const root = existsSync(CLIENT_DIST) ? [CLIENT_DIST, CLIENT_PUBLIC] : [CLIENT_PUBLIC];
  await app.register(fastifyStatic, { root, prefix: "/", wildcard: false, index: ["index.html"] });

  // preClose runs before the HTTP server stops: players hear why while their sockets are still open.
  app.addHook("preClose", async () => {
    shutdown.started = true;
    for (const m of [...modules].reverse()) {
      try {
        await m.stop?.();
      } catch (err) {
        log.error({ err, module: m.name }, "module stop failed");
      }
    }
    io.local.emit("server:notice", { code: ErrorCode.SERVER_SHUTTING_DOWN, message: "Node is shutting down; reconnect" });
    io.local.disconnectSockets(true);
  });
  app.addHook("onClose", async () => {
    // Closes the adapter (unsubscribes); the HTTP server itself is closed by Fastify.
    await new Promise<void>((ok) => io.close(() => ok()));
  });

  return { app, io, ctx, modules, metrics, shutdown };
}
