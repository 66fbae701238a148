/**
 * One esbuild pipeline for the browser pages (the game client, the ops dashboard): bundle an entry into
 * an output folder next to copies of static files, every file written to a temporary name and renamed
 * into place, so a node serving the folder while another build runs (parallel test runs) never reads a
 * half-written file.
 *
 * No source map unless asked for (`CLIENT_SOURCEMAP=1`, or `{ sourcemap: true }`): a public map hands out
 * the readable source. A build without one removes a map left by an earlier build.
 */
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

export interface BuildResult {
  outDir: string;
  files: string[];
  /** Bytes of the bundled output (static copies not counted). */
  bytes: number;
}

export interface BuildOptions {
  /** Emit a linked source map next to the bundle (default: only when CLIENT_SOURCEMAP=1). */
  sourcemap?: boolean;
}

const tmpName = (path: string) => `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;

function atomicWrite(path: string, data: Uint8Array | string): void {
  const tmp = tmpName(path);
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function atomicCopy(from: string, to: string): void {
  const tmp = tmpName(to);
  copyFileSync(from, tmp);
  renameSync(tmp, to);
}

/** Bundles `entry` into `outDir`, then copies every file of `publicDir` and each of `extraFiles` (under its `name`) next to it. */
export async function bundlePage(entry: string, outDir: string, publicDir: string, extraFiles: readonly { from: string; name: string }[] = [], opts: BuildOptions = {}): Promise<BuildResult> {
  const sourcemap = opts.sourcemap ?? process.env.CLIENT_SOURCEMAP === "1";
  mkdirSync(outDir, { recursive: true });
  if (!sourcemap) for (const name of readdirSync(outDir)) if (name.endsWith(".map")) rmSync(join(outDir, name), { force: true });
  const result = await build({
    entryPoints: [entry],
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
  for (const { from, name } of [...readdirSync(publicDir).map((name) => ({ from: join(publicDir, name), name })), ...extraFiles]) {
    const to = join(outDir, name);
    atomicCopy(from, to);
    files.push(to);
  }
  return { outDir, files, bytes };
}
