/**
 * Bundles the ops dashboard with esbuild: client/admin/src/main.ts (Preact + htm, uPlot, d3-geo, the
 * world-atlas map data and the shared contract) into client/admin/dist/main.js, next to copies of
 * client/admin/public and uPlot's stylesheet (shipped as a file: the page's CSP allows no inline styles).
 * Nodes serve client/admin/dist under /admin/. `buildClient()` (client/build.ts) calls this, so
 * `npm run build:client`, `npm start` and the test global setup build both pages.
 */
import { copyFileSync, mkdirSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ADMIN_DIR = fileURLToPath(new URL(".", import.meta.url));
const require = createRequire(import.meta.url);

function atomicCopy(from: string, to: string): void {
  const tmp = `${to}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  copyFileSync(from, tmp);
  renameSync(tmp, to);
}

/** Builds the dashboard into `outDir` (default client/admin/dist); resolves with the bundle's bytes. */
export async function buildAdmin(outDir = join(ADMIN_DIR, "dist")): Promise<{ outDir: string; files: string[]; bytes: number }> {
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: [join(ADMIN_DIR, "src", "main.ts")],
    outdir: outDir,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["es2022", "chrome100", "firefox100", "safari15"],
    minify: true,
    sourcemap: "linked",
    write: false,
    logLevel: "warning",
    legalComments: "none",
  });
  const files: string[] = [];
  let bytes = 0;
  for (const f of result.outputFiles) {
    const tmp = `${f.path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
    files.push(f.path);
    bytes += f.contents.byteLength;
  }
  const publicDir = join(ADMIN_DIR, "public");
  for (const name of readdirSync(publicDir)) {
    atomicCopy(join(publicDir, name), join(outDir, name));
    files.push(join(outDir, name));
  }
  atomicCopy(require.resolve("uplot/dist/uPlot.min.css"), join(outDir, "uplot.css"));
  files.push(join(outDir, "uplot.css"));
  return { outDir, files, bytes };
}
