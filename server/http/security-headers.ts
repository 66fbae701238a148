/**
 * Security headers on every HTTP answer (pages, API, errors, 404s), through @fastify/helmet, and
 * `Cache-Control: no-store` on the API (its answers carry tokens and per-player data, never to be kept by
 * a browser or a shared cache).
 *
 * The policy fits the game client as built (client/build.ts): one bundled module script and one
 * stylesheet from the node's own origin, no inline script or style, a canvas, and a WebSocket back to the
 * same origin. Choices that differ from helmet's defaults:
 * - `frame-ancestors 'none'` and `X-Frame-Options: DENY`: no page of ours is meant to be framed;
 * - no `upgrade-insecure-requests`: nodes are reached over plain http on a LAN and in development, and
 *   TLS, where there is any, ends at the load balancer;
 * - no HSTS: the same load balancer owns the HTTPS policy of the domain.
 */
import type { FastifyInstance } from "fastify";
import helmet from "@fastify/helmet";

/** Path prefixes answered with `Cache-Control: no-store`. */
const NO_STORE = ["/api/", "/admin/api/"];

export async function securityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        fontSrc: ["'self'"],
        // 'self' covers ws:/wss: to the same host (CSP Level 3).
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: "deny" },
    strictTransportSecurity: false,
  });
  app.addHook("onSend", async (req, reply, payload) => {
    if (NO_STORE.some((p) => req.url.startsWith(p))) reply.header("cache-control", "no-store");
    return payload;
  });
}
