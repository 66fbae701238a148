/**
 * Budget of socket handshakes per client address on this node, checked before any work is done: in
 * Engine.IO's `allowRequest` (before the WebSocket upgrade) and again for every further socket.io CONNECT
 * on a connection that already tried one (a client may retry CONNECT on one WebSocket, which would
 * otherwise skip `allowRequest`). Each attempt that reaches authentication costs a hash and a Redis call,
 * successful or not, so attempts are counted, not only failures. Bad tokens have their own, stricter
 * budget (limits feature).
 *
 * A refused upgrade is answered `400` with a JSON body `{ code: "RATE_LIMITED", message, retryAfterMs }`
 * (the body Engine.IO sends), a refused CONNECT with `connect_error` `data.code = "RATE_LIMITED"`; both are
 * counted in `arena_handshakes_refused_total` and logged at most once per 10 s.
 */
import type { IncomingMessage } from "node:http";
import type { FastifyBaseLogger } from "fastify";
import { Counter, type Registry } from "prom-client";
import { ErrorCode } from "../../shared/errors.ts";
import { addressGroup } from "../core/address.ts";
import { TokenBuckets } from "../core/token-buckets.ts";
import { RateLimitedError } from "../errors.ts";
import { ThrottledLog } from "../http/throttled-log.ts";

/** Seconds of handshakes an address may spend at once (a page reload, a reconnect after a node died). */
const BURST_SECONDS = 3;

export interface HandshakeGuardOptions {
  /** Handshakes per second per address group (0 = no cap). */
  perSecond: number;
  clientAddress: (req: IncomingMessage) => string;
  registry: Registry;
  log: FastifyBaseLogger;
}

export interface HandshakeGuard {
  /** Engine.IO `allowRequest`: refuses a new connection over the address's budget. */
  allowRequest(req: IncomingMessage, answer: (message: string | null | undefined, ok: boolean) => void): void;
  /** Called for each socket.io CONNECT; throws RateLimitedError for a repeated one over budget. */
  connectAttempt(conn: object, address: string): void;
}

export function createHandshakeGuard(opts: HandshakeGuardOptions): HandshakeGuard {
  const buckets = opts.perSecond > 0 ? new TokenBuckets({ ratePerSecond: opts.perSecond, burst: opts.perSecond * BURST_SECONDS }) : null;
  const refused = new Counter({ name: "arena_handshakes_refused_total", help: "Socket handshakes refused before authentication, by reason", labelNames: ["reason"], registers: [opts.registry] });
  const warn = new ThrottledLog(opts.log);
  const tried = new WeakSet<object>();
  const message = (ms: number) => `Too many connection attempts from this address; retry in ${Math.ceil(ms / 1000)} s`;

  const take = (address: string) => {
    const r = buckets ? buckets.take(addressGroup(address)) : { ok: true, retryAfterMs: 0 };
    if (!r.ok) {
      refused.inc({ reason: "rate" });
      warn.warn("handshake_rate", { address }, "socket handshake refused: too many from this address");
    }
    return r;
  };

  return {
    allowRequest(req, answer) {
      const r = take(opts.clientAddress(req));
      if (r.ok) return answer(null, true);
      answer(JSON.stringify({ code: ErrorCode.RATE_LIMITED, message: message(r.retryAfterMs), retryAfterMs: r.retryAfterMs }), false);
    },
    connectAttempt(conn, address) {
      // The first CONNECT of a connection was paid for by allowRequest.
      if (!tried.has(conn)) {
        tried.add(conn);
        return;
      }
      const r = take(address);
      if (!r.ok) throw new RateLimitedError(r.retryAfterMs, message(r.retryAfterMs));
    },
  };
}
