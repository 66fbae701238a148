/**
 * Runs Artillery from load-tests/ (its own package.json, installed on first use so the game server's
 * install stays small) and reads back what it decided: the JSON report and its `ensure` checks.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const LOAD_DIR = fileURLToPath(new URL("../../load-tests/", import.meta.url));
const ARTILLERY_VERSION = "2.0.21";

/** Installs load-tests/ when Artillery is missing or not the pinned version. */
export function ensureInstalled(log: (m: string) => void): void {
  const pkg = join(LOAD_DIR, "node_modules/artillery/package.json");
  if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).version === ARTILLERY_VERSION) return;
  log(`installing load-tests/ (artillery ${ARTILLERY_VERSION}, about a minute; browsers are not downloaded)...`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, ["ci", "--no-audit", "--no-fund"], { cwd: LOAD_DIR, stdio: "inherit", env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" } });
  if (r.status !== 0) throw new Error(`npm ci in load-tests/ failed (exit ${r.status ?? r.signal}); run it by hand: cd load-tests && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci`);
}

export interface Check {
  ok: boolean;
  /** The check as Artillery prints it, e.g. "http.response_time.p99 < 1000". */
  text: string;
}

/** The `ensure` verdicts Artillery printed after "Checks:" ("ok: ..." / "fail: ..."). */
export function parseChecks(output: string): Check[] {
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  const at = plain.lastIndexOf("\nChecks:\n");
  if (at < 0) return [];
  const out: Check[] = [];
  for (const line of plain.slice(at + 9).split("\n")) {
    const m = /^(ok|fail): (.+?)( \(optional\))?$/.exec(line.trim());
    if (m) out.push({ ok: m[1] === "ok", text: m[2]! });
    else if (out.length && line.trim() === "") break;
  }
  return out;
}

export interface ArtilleryReport {
  counters: Record<string, number>;
  summaries: Record<string, { count: number; min: number; max: number; p50: number; p95: number; p99: number }>;
}

export interface ArtilleryResult {
  code: number;
  checks: Check[];
  report: ArtilleryReport | null;
}

export interface ArtilleryRun {
  child: ChildProcess;
  /** Date.now() when the first phase started (players begin to arrive). */
  started: Promise<number>;
  done: Promise<ArtilleryResult>;
}

/**
 * Bundles processor.ts with the project's own (native) esbuild into `outFile`, for `config.processor`:
 * Artillery would otherwise bundle it itself with esbuild-wasm, which takes seconds more on a busy machine.
 */
export async function bundleProcessor(outFile: string): Promise<void> {
  const { build } = await import("esbuild");
  await build({ entryPoints: [join(LOAD_DIR, "processor.ts")], outfile: outFile, bundle: true, platform: "node", format: "cjs", target: "node20", logLevel: "error" });
}

export function runArtillery(o: { profile: string; target: string; reportFile: string; logFile: string; overrides?: object; variables?: object; echo: boolean }): ArtilleryRun {
  const args = [join(LOAD_DIR, "node_modules/artillery/bin/run"), "run", "-e", o.profile, "arena.yml", "--target", o.target, "-o", o.reportFile];
  if (o.overrides) args.push("--overrides", JSON.stringify(o.overrides));
  if (o.variables) args.push("--variables", JSON.stringify(o.variables));
  const child = spawn(process.execPath, args, {
    cwd: LOAD_DIR,
    env: { ...process.env, ARTILLERY_DISABLE_TELEMETRY: "true" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const log = createWriteStream(o.logFile);
  let output = "";
  let markStarted: (t: number) => void = () => {};
  const started = new Promise<number>((ok) => (markStarted = ok));
  const keep = (b: Buffer) => {
    output += b.toString();
    if (output.includes("Phase started")) markStarted(Date.now());
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
    log.write(b);
    if (o.echo) process.stdout.write(b);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const done = new Promise<ArtilleryResult>((ok) => {
    child.once("exit", (code, signal) => {
      markStarted(Date.now());
      log.end();
      let report: ArtilleryReport | null = null;
      try {
        report = (JSON.parse(readFileSync(o.reportFile, "utf8")) as { aggregate: ArtilleryReport }).aggregate;
      } catch {
        // no report: the run failed before writing one
      }
      ok({ code: code ?? (signal ? 128 : 1), checks: parseChecks(output), report });
    });
  });
  return { child, started, done };
}
