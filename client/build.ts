/**
 * Bundles the browser client with esbuild: client/src/main.ts (+ socket.io-client and the shared contract)
 * into client/dist/main.js, next to copies of client/public (index.html, styles.css). The node serves
 * client/dist when it exists. `npm run build:client` runs this; `npm start` does it first (scripts/start.ts) and
 * the test global setup once per run.
 *
 * Files are written to a temporary name and renamed into place, so a node serving client/dist while
 * another build runs (parallel test runs) never reads a half-written file.
 *
 * No source map unless asked for (`CLIENT_SOURCEMAP=1 npm run build:client`, or `{ sourcemap: true }`):
 * a public map hands out the readable source. A build without one removes a map left by an earlier build.
 */
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { buildAdmin } from "./admin/build.ts";

const CLIENT_DIR = fileURLToPath(new URL(".", import.meta.url));

export interface BuildResult {
  outDir: string;
  files: string[];
  bytes: number;
}

function atomicWrite(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export interface BuildOptions {
  /** Emit a linked source map next to the bundle (default: only when CLIENT_SOURCEMAP=1). */
  sourcemap?: boolean;
}

/** Builds the client into `outDir` (default client/dist). */
export async function buildClient(outDir = join(CLIENT_DIR, "dist"), opts: BuildOptions = {}): Promise<BuildResult> {
  const sourcemap = opts.sourcemap ?? process.env.CLIENT_SOURCEMAP === "1";
  mkdirSync(outDir, { recursive: true });
  if (!sourcemap) for (const name of readdirSync(outDir)) if (name.endsWith(".map")) rmSync(join(outDir, name), { force: true });
  const result = await build({
    entryPoints: [join(CLIENT_DIR, "src", "main.ts")],
    outdir: outDir,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["es2022", "chrome100", "firefox100", "safari15"],
    minify: true,
    sourcemap: sourcemap ? "linked" : false,
    write: false,
    logLevel: "warning",
    legalComments: "none",
  });
  const files: string[] = [];
  let bytes = 0;
  for (const f of result.outputFiles) {
    atomicWrite(f.path, f.contents);
    files.push(f.path);
    bytes += f.contents.byteLength;
  }
  const publicDir = join(CLIENT_DIR, "public");
  for (const name of readdirSync(publicDir)) {
    const dest = join(outDir, name);
    const tmp = `${dest}.${process.pid}.tmp`;
    copyFileSync(join(publicDir, name), tmp);
    renameSync(tmp, dest);
    files.push(dest);
  }
  // The ops dashboard is built with the game client, so everything that builds one builds both.
  const admin = await buildAdmin();
  return { outDir, files: [...files, ...admin.files], bytes: bytes + admin.bytes };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t0 = performance.now();
  const r = await buildClient();
  console.log(`client built into ${r.outDir}: ${r.files.length} files, bundle ${(r.bytes / 1024).toFixed(1)} KiB, ${Math.round(performance.now() - t0)} ms`);
}
