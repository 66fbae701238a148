/**
 * Caps on open TCP connections, counted on the node's own HTTP server `connection` event (before any
 * byte is parsed): per client address (so one address cannot hold every file descriptor) and per node
 * (so many addresses together cannot either: the node keeps descriptors for Redis and its players).
 *
 * A refused connection gets a short `503 TOO_MANY_CONNECTIONS` answer and is closed at once; it is
 * counted (`arena_connections_refused_total{reason}`) and logged, at most once per 10 s per reason.
 * Trusted proxies are exempt from the per-address cap: they carry many clients (cap those at the proxy).
 *
 * Why the raw `connection` event and not a request hook: an idle connection never makes a request, and
 * descriptors are what runs out. The listener is prepended so a refused socket is destroyed before
 * Node's HTTP parser reads from it.
 */
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { Socket } from "node:net";
import type { FastifyBaseLogger } from "fastify";
import { Counter, Gauge, type Registry } from "prom-client";
import { ErrorCode } from "../../shared/errors.ts";
import { addressGroup, type TrustFn } from "../core/address.ts";
import { ThrottledLog } from "./throttled-log.ts";

export interface ConnectionGuardOptions {
  /** Open connections per address group (0 = no cap). */
  perAddress: number;
  /** Open connections per node (0 = no cap). */
  total: number;
  /** Peers exempt from the per-address cap (the trusted proxies). */
  exempt: TrustFn;
  registry: Registry;
  log: FastifyBaseLogger;
}

/** Descriptors kept free for Redis connections, files and the like when the cap is derived. */
const FD_RESERVE = 128;

/** The per-node cap for MAX_CONNECTIONS=0: the soft open-file limit minus a reserve (0 when unknown). */
export function defaultConnectionCap(): number {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"));
    return m ? Math.max(64, Number(m[1]) - FD_RESERVE) : 0;
  } catch {
    return 0;
  }
}

function refusal(message: string): string {
  const body = JSON.stringify({ error: { code: ErrorCode.TOO_MANY_CONNECTIONS, message, retryAfterMs: 5000 } });
  return `HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 5\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

export interface ConnectionGuard {
  /** Open connections now (per address group, and in all). */
  open(group?: string): number;
}

/** Installs the caps on a server (call before it listens). */
export function guardConnections(server: Server, opts: ConnectionGuardOptions): ConnectionGuard {
  const byGroup = new Map<string, number>();
  let total = 0;
  const warn = new ThrottledLog(opts.log);
  const registers = [opts.registry];
  const refused = new Counter({ name: "arena_connections_refused_total", help: "TCP connections refused by a connection cap, by reason (per_address, total)", labelNames: ["reason"], registers });
  new Gauge({ name: "arena_http_connections", help: "Open TCP connections of this node (HTTP and websockets)", registers, collect() { this.set(total); } });

  const refuse = (socket: Socket, reason: "per_address" | "total", address: string, message: string) => {
    refused.inc({ reason });
    warn.warn(reason, { address, open: reason === "total" ? total : byGroup.get(addressGroup(address)) }, "connection refused: too many connections");
    socket.on("error", () => {});
    // The answer fits one packet and is written before the descriptor closes; the client may not have
    // sent its request yet, which HTTP clients accept as an early response.
    if (socket.writable) socket.write(refusal(message));
    socket.destroy();
  };

  server.prependListener("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "unknown";
    if (opts.total > 0 && total >= opts.total) return refuse(socket, "total", address, "This node is at its connection limit; retry shortly");
    const group = opts.exempt(address, 0) ? null : addressGroup(address);
    const mine = group === null ? 0 : (byGroup.get(group) ?? 0);
    if (group !== null && opts.perAddress > 0 && mine >= opts.perAddress) {
      return refuse(socket, "per_address", address, "Too many open connections from this address");
    }
    total++;
    if (group !== null) byGroup.set(group, mine + 1);
    socket.once("close", () => {
      total--;
      if (group === null) return;
      const n = (byGroup.get(group) ?? 1) - 1;
      if (n <= 0) byGroup.delete(group);
      else byGroup.set(group, n);
    });
  });

  return { open: (group) => (group === undefined ? total : (byGroup.get(addressGroup(group)) ?? 0)) };
}
