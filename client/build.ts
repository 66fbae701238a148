/**
 * Bundles the browser client with esbuild: client/src/main.ts (+ socket.io-client and the shared contract)
 * into client/dist/main.js, next to copies of client/public (index.html, styles.css), and the ops
 * dashboard (client/admin/build.ts). The node serves client/dist when it exists. `npm run build:client`
 * runs this; `npm start` does it first (scripts/start.ts) and the test global setup once per run. See
 * client/bundle.ts for atomic writes and source maps (only when asked for: CLIENT_SOURCEMAP=1).
 */
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildAdmin } from "./admin/build.ts";
import { bundlePage, type BuildOptions, type BuildResult } from "./bundle.ts";

export type { BuildOptions, BuildResult } from "./bundle.ts";

const CLIENT_DIR = fileURLToPath(new URL(".", import.meta.url));

/** Builds the client into `outDir` (default client/dist), and the dashboard into client/admin/dist. */
export async function buildClient(outDir = join(CLIENT_DIR, "dist"), opts: BuildOptions = {}): Promise<BuildResult> {
  const game = await bundlePage(join(CLIENT_DIR, "src", "main.ts"), outDir, join(CLIENT_DIR, "public"), [], opts);
  // The ops dashboard is built with the game client, so everything that builds one builds both.
  const admin = await buildAdmin(undefined, opts);
  return { outDir, files: [...game.files, ...admin.files], bytes: game.bytes + admin.bytes };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t0 = performance.now();
  const r = await buildClient();
  console.log(`client built into ${r.outDir}: ${r.files.length} files, bundle ${(r.bytes / 1024).toFixed(1)} KiB, ${Math.round(performance.now() - t0)} ms`);
}
