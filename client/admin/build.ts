/**
 * Bundles the ops dashboard with esbuild: client/admin/src/main.ts (Preact + htm, uPlot, d3-geo, the
 * world-atlas map data and the shared contract) into client/admin/dist/main.js, next to copies of
 * client/admin/public and uPlot's stylesheet (shipped as a file: the page's CSP allows no inline styles).
 * Nodes serve client/admin/dist under /admin/. `buildClient()` (client/build.ts) calls this, so
 * `npm run build:client`, `npm start` and the test global setup build both pages.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundlePage, type BuildOptions, type BuildResult } from "../bundle.ts";

const ADMIN_DIR = fileURLToPath(new URL(".", import.meta.url));
const require = createRequire(import.meta.url);

/** Builds the dashboard into `outDir` (default client/admin/dist). */
export function buildAdmin(outDir = join(ADMIN_DIR, "dist"), opts: BuildOptions = {}): Promise<BuildResult> {
  return bundlePage(join(ADMIN_DIR, "src", "main.ts"), outDir, join(ADMIN_DIR, "public"), [{ from: require.resolve("uplot/dist/uPlot.min.css"), name: "uplot.css" }], opts);
}
