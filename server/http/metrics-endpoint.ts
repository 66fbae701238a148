/**
 * GET /metrics (Prometheus text format), made cheap and private:
 * - rendered at most once per METRICS_CACHE_MS, one render at a time; every scrape in between gets the
 *   same text (a render walks every metric and costs the event loop ~2 ms: a flood of scrapes must not
 *   cost one render each);
 * - at most METRICS_SCRAPES_PER_IP_PER_SECOND per address (burst twice that; Prometheus scrapes every 15 s
 *   or so): the page is tens of KB, and sending it hundreds of times a second costs the node even from
 *   the cache. Over it: 429, a few bytes;
 * - with METRICS_PORT, served only on that separate listener (bind it to a private interface or keep the
 *   port off the load balancer), and the main port answers 404;
 * - otherwise on the main port, to addresses in METRICS_ALLOW (default loopback) or with
 *   `Authorization: Bearer <METRICS_TOKEN>`; anyone else gets 401/403 before any rendering.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { Counter, type Registry } from "prom-client";
import { addressGroup, compileTrust } from "../core/address.ts";
import { TokenBuckets } from "../core/token-buckets.ts";
import { ForbiddenError, NotFoundError, RateLimitedError, UnauthorizedError } from "../errors.ts";
import { bearerToken } from "./auth.ts";

export interface MetricsEndpointOptions {
  registry: Registry;
  cacheMs: number;
  /** Scrapes per second per address, bursting to twice that (0 = no cap). */
  perAddressPerSecond: number;
  /** Separate listener port (0 = any free one); undefined = the main port. */
  port: number | undefined;
  host: string;
  token: string | undefined;
  /** Addresses and CIDRs that need no token on the main port. */
  allow: readonly string[];
  log: FastifyBaseLogger;
}

export interface MetricsEndpoint {
  /** Starts the separate listener, if any (after the main port listens; a busy port fails start-up). */
  start(): Promise<void>;
  /** Port of the separate listener once it listens; null when /metrics is on the main port. */
  port(): number | null;
}

/** Renders the registry at most once per `cacheMs`, never twice at the same time. */
export class CachedRender {
  private text: string | null = null;
  private at = -Infinity;
  private pending: Promise<string> | null = null;

  constructor(
    private readonly registry: Registry,
    private readonly cacheMs: number,
    private readonly counted: Counter<"outcome">,
  ) {}

  get(): Promise<string> {
    if (this.text !== null && performance.now() - this.at < this.cacheMs) {
      this.counted.inc({ outcome: "cached" });
      return Promise.resolve(this.text);
    }
    if (this.pending) {
      this.counted.inc({ outcome: "cached" });
      return this.pending;
    }
    this.counted.inc({ outcome: "rendered" });
    this.pending = this.registry
      .metrics()
      .then((text) => {
        this.text = text;
        this.at = performance.now();
        return text;
      })
      .finally(() => (this.pending = null));
    return this.pending;
  }
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Registers /metrics on the app (or on a separate listener started when the app listens). */
export function metricsEndpoint(app: FastifyInstance, opts: MetricsEndpointOptions): MetricsEndpoint {
  const scrapes = new Counter({ name: "arena_metrics_scrapes_total", help: "GET /metrics answered, by outcome (rendered, cached, refused)", labelNames: ["outcome"], registers: [opts.registry] });
  const render = new CachedRender(opts.registry, opts.cacheMs, scrapes);
  const contentType = opts.registry.contentType;
  let server: Server | null = null;
  const rate = opts.perAddressPerSecond;
  const budget = rate > 0 ? new TokenBuckets({ ratePerSecond: rate, burst: rate * 2 }) : null;
  /** Refuses an address over its scrape budget (null when it may scrape). */
  const overBudget = (address: string): RateLimitedError | null => {
    const r = budget?.take(addressGroup(address));
    if (!r || r.ok) return null;
    scrapes.inc({ outcome: "refused" });
    return new RateLimitedError(r.retryAfterMs, `At most ${rate} scrapes per second per address`);
  };

  if (opts.port !== undefined) {
    app.get("/metrics", async () => {
      scrapes.inc({ outcome: "refused" });
      throw new NotFoundError("Metrics are served on METRICS_PORT");
    });
    server = createServer((req, res) => {
      if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
        res.writeHead(404, { "content-type": "text/plain" }).end("GET /metrics\n");
        return;
      }
      const refused = overBudget(req.socket.remoteAddress ?? "");
      if (refused) {
        res.writeHead(429, { "content-type": "text/plain", "retry-after": "1" }).end(`${refused.message}\n`);
        return;
      }
      render.get().then(
        (text) => res.writeHead(200, { "content-type": contentType }).end(text),
        (err: unknown) => {
          opts.log.error({ err }, "rendering metrics failed");
          res.writeHead(500).end();
        },
      );
    });
    server.headersTimeout = 5000;
    server.requestTimeout = 10_000;
    const listener = server;
    app.addHook("onClose", async () => {
      if (!listener.listening) return;
      listener.closeAllConnections();
      await new Promise<void>((ok) => listener.close(() => ok()));
    });
  } else {
    const allowed = compileTrust(opts.allow);
    const expected = opts.token ? digest(opts.token) : null;
    app.get("/metrics", async (req, reply) => {
      const refused = overBudget(req.ip);
      if (refused) throw refused;
      const token = bearerToken(req);
      if (token !== null || !allowed(req.ip, 0)) {
        if (!expected || token === null) {
          scrapes.inc({ outcome: "refused" });
          if (!expected) throw new ForbiddenError("Metrics are readable from METRICS_ALLOW addresses only (or set METRICS_TOKEN, or METRICS_PORT)");
          throw new UnauthorizedError("Send Authorization: Bearer <METRICS_TOKEN>");
        }
        if (!timingSafeEqual(digest(token), expected)) {
          scrapes.inc({ outcome: "refused" });
          throw new ForbiddenError("Wrong metrics token");
        }
      }
      return reply.type(contentType).header("cache-control", "no-store").send(await render.get());
    });
  }

  return {
    async start() {
      const listener = server;
      if (!listener || listener.listening) return;
      await new Promise<void>((ok, fail) => {
        listener.once("error", fail);
        listener.listen(opts.port, opts.host, () => {
          listener.off("error", fail);
          ok();
        });
      });
    },
    port() {
      const a = server?.address();
      return a && typeof a === "object" ? a.port : null;
    },
  };
}
