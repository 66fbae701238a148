/**
 * Serves the dashboard page (client/admin, built by esbuild into client/admin/dist) under /admin/ with a
 * strict Content-Security-Policy: scripts, styles, images and connections from the page's own origin
 * only, no inline script or style, no framing. The page itself is public (it only asks for a token);
 * everything it shows comes from the authenticated /admin/api and /admin namespace.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import fastifyStatic from "@fastify/static";
import { ErrorCode } from "../../shared/errors.ts";

export const ADMIN_DIST = fileURLToPath(new URL("../../client/admin/dist/", import.meta.url));

/** The policy of every /admin/ response. 'self' covers the same-origin WebSocket (CSP level 3). */
export const ADMIN_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": ADMIN_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
};

/** Registers /admin/ (the page), and /admin and /dashboard redirecting to it. */
export async function adminPage(app: FastifyInstance, opts: { root?: string } = {}): Promise<void> {
  const root = opts.root ?? ADMIN_DIST;
  for (const path of ["/admin", "/dashboard", "/dashboard/"]) app.get(path, (_req, reply) => reply.redirect("/admin/", 302));
  if (!existsSync(root)) {
    app.get("/admin/", (_req, reply) =>
      reply.status(503).headers(SECURITY_HEADERS).send({ error: { code: ErrorCode.UNAVAILABLE, message: "Dashboard not built: run npm run build:client" } }),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: "/admin/",
    decorateReply: false,
    wildcard: false,
    index: ["index.html"],
    setHeaders: (res, path) => {
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.header(k, v);
      // The page must pick up a new bundle at once; bundles are small.
      res.header("cache-control", path.endsWith(".html") ? "no-cache" : "public, max-age=60");
    },
  });
}
