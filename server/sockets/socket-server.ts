/**
 * socket.io on the Fastify HTTP server, fanned out across nodes by @socket.io/redis-adapter (sharded
 * pub/sub on Redis >= 7, classic pub/sub before). Handles the handshake (token -> session), the
 * one-live-socket-per-player rule across nodes, and hands events to the EventRouter.
 */
import type { Server as HttpServer, IncomingMessage } from "node:http";
import { Server } from "socket.io";
import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import type { FastifyBaseLogger } from "fastify";
import { ErrorCode } from "../../shared/errors.ts";
import { rooms } from "../../shared/protocol.ts";
import { toAppError } from "../errors.ts";
import type { RedisClient } from "../redis/connection.ts";
import type { Keys } from "../redis/keys.ts";
import type { Metrics } from "../metrics.ts";
import type { EventRouter } from "./event-router.ts";
import type { HandshakeGuard } from "./handshake-guard.ts";
import type { AppServer, AppSocket } from "./types.ts";

/** Engine.IO heartbeat: a ping every PING_INTERVAL_MS; a client silent PING_TIMEOUT_MS after it is closed. */
export const PING_INTERVAL_MS = 10_000;
export const PING_TIMEOUT_MS = 5_000;
/** How long the one-socket check waits for every node to list the player's sockets. */
const ONE_SOCKET_TIMEOUT_MS = 2_000;
/** A WebSocket that has not sent its socket.io CONNECT this long after opening is closed. */
const CONNECT_TIMEOUT_MS = 10_000;

/** What the handshake needs to know about a token and a player (from the sessions and players features). */
export interface Handshake {
  /** Resolves a token to its session (sliding it); throws a coded error when unknown or expired (budgeted per address). */
  authenticate(token: unknown, address: string): Promise<{ playerId: string; name: string; sessionId: string }>;
  /** Takes the player's next connection epoch (newest socket wins). */
  nextEpoch(playerId: string): Promise<number>;
  /** A socket's lifetime counts as use of its session: slide its expiry when it closes. */
  slideSession(sessionId: string): Promise<void>;
}

export interface SocketServerDeps {
  redis: RedisClient;
  /** Dedicated subscriber connection for the adapter. */
  sub: RedisClient;
  /** Redis >= 7: the sharded adapter (SPUBLISH). */
  sharded: boolean;
  keys: Keys;
  handshake: Handshake;
  metrics: Metrics;
  log: FastifyBaseLogger;
  router: EventRouter;
  maxPayloadBytes: number;
  /** The client address of a request (through trusted proxies only). */
  clientAddress: (req: IncomingMessage) => string;
  /** Per-address handshake budget (refuses before any work). */
  handshakeGuard?: HandshakeGuard;
  /** Refuses every new connection before any work while it throws a coded error (an overloaded node). */
  admit?: () => void;
  /** Extra handshake checks (bans...) run after the session resolves; throw a coded error to refuse. */
  beforeConnect?: (playerId: string, ip: string) => Promise<void>;
  /** Called once a socket is the player's live one (rejoin match, queue state...). */
  onConnected?: (socket: AppSocket) => void | Promise<void>;
  onDisconnected?: (socket: AppSocket, reason: string) => void;
}

/**
 * The adapter (un)subscribes a room's channel when the room is created or deleted (every connect and
 * disconnect) and drops the promise. While Redis is unreachable those calls fail after
 * maxRetriesPerRequest as unhandled rejections, and the room would silently stop hearing other nodes.
 * Catch them here; a subscribe that failed is sent again once the connection is back.
 */
function guardAdapterSubscriptions(sub: RedisClient, log: FastifyBaseLogger): void {
  const client = sub as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const cmd of ["subscribe", "ssubscribe", "unsubscribe", "sunsubscribe"]) {
    const original = client[cmd]!.bind(sub);
    const retry = cmd.endsWith("unsubscribe") ? null : original;
    client[cmd] = (...args: unknown[]) => {
      const p = original(...args);
      p.catch((err: unknown) => {
        log.warn({ err, cmd }, "adapter subscription command failed");
        if (retry) sub.once("ready", () => void retry(...args).catch((e: unknown) => log.warn({ err: e, cmd }, "adapter re-subscribe failed")));
      });
      return p;
    };
  }
}

/** Creates the socket.io server; it shares the HTTP server's port. */
export async function createSocketServer(httpServer: HttpServer, deps: SocketServerDeps): Promise<AppServer> {
  guardAdapterSubscriptions(deps.sub, deps.log);
  const adapter = deps.sharded
    ? createShardedAdapter(deps.redis, deps.sub, { channelPrefix: deps.keys.adapterChannel, subscriptionMode: "dynamic" })
    : createAdapter(deps.redis, deps.sub, { key: deps.keys.adapterChannel });
  const io: AppServer = new Server(httpServer, {
    adapter,
    // WebSocket only: no long-polling means no sticky sessions behind a load balancer or node:cluster.
    transports: ["websocket"],
    maxHttpBufferSize: deps.maxPayloadBytes,
    pingInterval: PING_INTERVAL_MS,
    pingTimeout: PING_TIMEOUT_MS,
    serveClient: false,
    cors: { origin: true },
    connectTimeout: CONNECT_TIMEOUT_MS,
    allowRequest: deps.handshakeGuard?.allowRequest,
  });

  io.use(async (socket, next) => {
    try {
      deps.admit?.();
      const ip = deps.clientAddress(socket.request);
      deps.handshakeGuard?.connectAttempt(socket.conn, ip);
      const auth = socket.handshake.auth as Record<string, unknown> | undefined;
      const token = auth?.token;
      if (token === undefined || token === null || token === "") {
        const err = new Error("Missing auth.token") as Error & { data: unknown };
        err.data = { code: ErrorCode.UNAUTHORIZED, message: "Send auth: { token } in the handshake" };
        return next(err);
      }
      const session = await deps.handshake.authenticate(token, ip);
      await deps.beforeConnect?.(session.playerId, ip);
      const epoch = await deps.handshake.nextEpoch(session.playerId);
      socket.data = {
        playerId: session.playerId,
        name: session.name,
        sessionId: session.sessionId,
        connectedAt: Date.now(),
        epoch,
        ip,
      };
      next();
    } catch (err) {
      const appErr = toAppError(err);
      if (appErr.code === ErrorCode.INTERNAL) deps.log.error({ err }, "handshake failed");
      const e = new Error(appErr.message) as Error & { data: unknown };
      e.data = appErr.toBody();
      next(e);
    }
  });

  io.on("connection", async (socket) => {
    deps.metrics.socketsConnected.inc();
    socket.once("disconnect", (reason) => {
      deps.metrics.socketsConnected.dec();
      // A socket's lifetime counts as use of its session: slide the expiry from the last activity.
      deps.handshake.slideSession(socket.data.sessionId).catch(() => {});
      deps.onDisconnected?.(socket, reason);
    });
    // Events are answered only once the connection is set up (the one-socket rule, the player's match and
    // ticket adopted): a queue:join sent right after connecting must not race the adoption of old tickets.
    const ready = deps.router.attach(socket);
    const { playerId, epoch } = socket.data;
    const room = rooms.player(playerId);
    socket.join(room);
    try {
      await enforceOneSocket(io, room, socket.id, epoch, deps.metrics);
    } catch (err) {
      // fetchSockets waits for every node; one stalled node must not leave this player half-connected.
      // Fall back to "newest wins" without the epoch comparison (only a simultaneous race can lose both).
      deps.log.warn({ err, playerId }, "one-socket check timed out; replacing older sockets blindly");
      io.in(room).except(socket.id).emit("server:notice", { code: ErrorCode.SESSION_REPLACED, message: "This player connected elsewhere" });
      io.in(room).except(socket.id).disconnectSockets(true);
    }
    try {
      if (socket.connected) await deps.onConnected?.(socket);
    } catch (err) {
      deps.log.error({ err, playerId }, "post-connect handling failed");
    } finally {
      ready();
    }
  });

  return io;
}

/**
 * One live socket per player, whichever node each lives on: every socket carries an epoch from a Redis
 * counter, and the newest disconnects all older ones. Comparing epochs (rather than "kick everyone but
 * me") keeps exactly one survivor when two connections race on two nodes.
 */
async function enforceOneSocket(io: AppServer, room: string, selfId: string, epoch: number, metrics: SocketServerDeps["metrics"]): Promise<void> {
  const sockets = await io.in(room).timeout(ONE_SOCKET_TIMEOUT_MS).fetchSockets();
  for (const s of sockets) {
    if (s.id === selfId) continue;
    if (s.data.epoch < epoch) {
      s.emit("server:notice", { code: ErrorCode.SESSION_REPLACED, message: "This player connected elsewhere" });
      s.disconnect(true);
      metrics.socketsReplaced.inc();
    } else {
      // A newer socket exists already: this one lost the race.
      const me = sockets.find((x) => x.id === selfId);
      me?.emit("server:notice", { code: ErrorCode.SESSION_REPLACED, message: "This player connected elsewhere" });
      me?.disconnect(true);
      metrics.socketsReplaced.inc();
      return;
    }
  }
}
