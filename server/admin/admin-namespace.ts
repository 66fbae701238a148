/**
 * The /admin socket.io namespace: checked at the handshake by the admin guard (admin token in
 * `auth.token`: bans, per-IP limit, constant-time compare, wrong tokens counted against the address),
 * never the players' namespace. Admin sockets subscribe to views (view-pusher.ts)
 * and watch one match at a time (match-watch.ts). Every payload is parsed by its schema; acks are
 * `{ ok: true, data }` or `{ ok: false, error }` as on the players' namespace.
 */
import type { Namespace, Socket } from "socket.io";
import type { IncomingMessage } from "node:http";
import type { FastifyBaseLogger } from "fastify";
import type { TSchema, Static } from "typebox";
import { ErrorCode } from "../../shared/errors.ts";
import type { AdminAck, AdminMatchSnapshot } from "../../shared/admin-api.ts";
import type { AdminClientToServerEvents, AdminServerToClientEvents, AdminSocketData } from "../../shared/admin-events.ts";
import { AdminEmpty, SubscribeRequest, WatchRequest } from "../../shared/admin-schemas.ts";
import { AppError, toAppError } from "../errors.ts";
import { parse } from "../validation.ts";
import type { AppServer } from "../sockets/types.ts";
import type { AdminGuard } from "./admin-guard.ts";
import type { AdminService } from "./admin-service.ts";
import { ViewPusher } from "./view-pusher.ts";
import { MatchWatch } from "./match-watch.ts";

/** Between nodes on /admin: who watches which match, and the host's snapshots of watched matches. */
export interface AdminInterServerEvents {
  "admin:watching": (matchId: string) => void;
  "admin:snapshot": (s: AdminMatchSnapshot) => void;
}
/** Server-side data of an admin socket: the handshake's, plus the match it watches. */
export type AdminServerSocketData = AdminSocketData & { watching?: string };
export type AdminNamespace = Namespace<AdminClientToServerEvents, AdminServerToClientEvents, AdminInterServerEvents, AdminServerSocketData>;
export type AdminSocket = Socket<AdminClientToServerEvents, AdminServerToClientEvents, AdminInterServerEvents, AdminServerSocketData>;

export interface AdminNamespaceDeps {
  io: AppServer;
  guard: AdminGuard;
  service: AdminService;
  log: FastifyBaseLogger;
  /** The node's one way to read a client's address (TRUST_PROXY applied). */
  clientAddress: (req: IncomingMessage) => string;
}

function refusal(err: unknown): Error {
  const appErr = toAppError(err);
  const e = new Error(appErr.message) as Error & { data: unknown };
  e.data = appErr.toBody();
  return e;
}

/** Sets up /admin on the node's socket.io server; returns a stop function. */
export function setUpAdminNamespace(deps: AdminNamespaceDeps): { nsp: AdminNamespace; stop: () => void } {
  const nsp = deps.io.of("/admin") as unknown as AdminNamespace;
  const pusher = new ViewPusher(nsp, deps.service, deps.log);
  const watch = new MatchWatch(nsp, deps.service, deps.log);

  nsp.use(async (socket, next) => {
    try {
      const ip = deps.clientAddress(socket.request);
      const token = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
      const label = await deps.guard.check(ip, token, "Send auth: { token: <admin token> } in the handshake");
      socket.data = { label, ip };
      next();
    } catch (err) {
      next(refusal(err));
    }
  });

  nsp.on("connection", (socket) => {
    const on = <S extends TSchema, T>(event: keyof AdminClientToServerEvents, schema: S, handler: (payload: Static<S>) => Promise<T> | T) => {
      (socket as unknown as Socket).on(event, async (payload: unknown, ack: unknown) => {
        if (typeof ack !== "function") return;
        let res: AdminAck<T>;
        try {
          res = { ok: true, data: await handler(parse(schema, payload)) };
        } catch (err) {
          const e = err instanceof AppError ? err : toAppError(err);
          if (e.code === ErrorCode.INTERNAL) deps.log.error({ err, event }, "admin event failed");
          res = { ok: false, error: e.toBody() as AdminAck<T> extends { error: infer B } ? B : never };
        }
        (ack as (r: AdminAck<T>) => void)(res);
      });
    };
    on("admin:subscribe", SubscribeRequest, (req) => pusher.subscribe(socket, req.view));
    on("admin:unsubscribe", SubscribeRequest, (req) => pusher.unsubscribe(socket, req.view));
    on("admin:match:watch", WatchRequest, (req) => watch.watch(socket, req.matchId));
    on("admin:match:unwatch", AdminEmpty, () => watch.unwatch(socket));
    socket.on("disconnect", () => watch.unwatch(socket));
  });

  return {
    nsp,
    stop: () => {
      pusher.stop();
      watch.stop();
      nsp.local.disconnectSockets(true);
    },
  };
}
