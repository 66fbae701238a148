/**
 * Helpers shared by the benchmarks in bench/. Importing this module loads no server code (the embedded
 * Redis is imported on first use), so bench/broadcast.ts's client child process can use it too.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The p-th percentile (p in 0..100) of `xs`: the sorted value at index floor(p/100 * length); NaN when empty. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

/** `n` rounded to an integer with thousands separators, e.g. 1234567.8 -> "1,234,568". */
export function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** A throwaway redis-server for one benchmark; `stop()` stops it and removes its temp data dir. */
export interface BenchRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts a throwaway redis-server (free port, no AOF, no RDB) with data in a temp dir `arena-bench-<label>-*`. */
export async function startBenchRedis(label: string): Promise<BenchRedis> {
  const { startEmbeddedRedis } = await import("../server/embedded-redis.ts");
  const dir = mkdtempSync(join(tmpdir(), `arena-bench-${label}-`));
  let server;
  try {
    server = await startEmbeddedRedis({ port: 0, dataDir: dir, autoInstall: false, extraArgs: ["--appendonly", "no", "--save", ""] });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const started = server;
  return {
    url: started.url,
    port: started.port,
    async stop() {
      try {
        await started.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Runs `redis-benchmark -p port -P 16 -n n -r r -q ...args` and returns its requests per second; throws if it is missing or its output is not understood. */
export function redisBenchmark(port: number, args: string[], opts: { n: number; r: number }): number {
  return redisBenchmarkOn(["-p", String(port)], args, opts);
}

/**
 * Runs `redis-benchmark <server> -P 16 -n n -r r -q ...args` and returns its requests per second. `server`
 * names the engine: `["-u", url]`, or `["-h", host, "-p", port, "--cluster"]` for a Redis Cluster (there
 * every key in `args` must contain `{tag}`: each master's clients get a tag of one of its own slots).
 */
export function redisBenchmarkOn(server: string[], args: string[], opts: { n: number; r: number }): number {
  const rb = spawnSync("redis-benchmark", [...server, "-P", "16", "-n", String(opts.n), "-r", String(opts.r), "-q", ...args], { encoding: "utf8" });
  if (rb.error) {
    const missing = (rb.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new Error(
      missing
        ? "redis-benchmark was not found on PATH (it ships with Redis: Debian/Ubuntu `apt-get install redis-tools` or `redis-server`, macOS `brew install redis`)"
        : `redis-benchmark could not be run: ${rb.error.message}`,
    );
  }
  // -q prints progress lines separated by "\r", then one "<TEST>: <rps> requests per second, ..." line.
  const all = [...(rb.stdout ?? "").matchAll(/([\d.]+) requests per second/g)];
  const last = all[all.length - 1];
  if (!last) {
    throw new Error(`redis-benchmark output not understood (exit ${rb.status ?? rb.signal}, args ${args.join(" ")}): ${(rb.stdout ?? "").slice(-300)} ${rb.stderr ?? ""}`.trim());
  }
  return Number(last[1]);
}

/** One headline figure of a benchmark, read by bench/run-all.ts into docs/benchmarks.md (see bench/README.md). */
export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  /** The baseline measured in the same run that `ratio` compares against. */
  baseline?: { name: string; value: number; unit: string };
  /** Usually value / baseline; a bench may define another ratio (say so in `name`). */
  ratio?: number;
  /** Goal on the ratio when there is one, else on the value: ">= 0.5", "<= 2", "< 1". */
  goal?: string;
}

/** Prints the machine-readable last line of a benchmark: `BENCH_RESULT {"figures":[...]}`. */
export function printBenchResult(figures: BenchFigure[]): void {
  const round = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)) : v);
  const clean = figures.map((f) => ({ ...f, value: round(f.value), ...(f.ratio !== undefined ? { ratio: round(f.ratio) } : {}), ...(f.baseline ? { baseline: { ...f.baseline, value: round(f.baseline.value) } } : {}) }));
  console.log(`BENCH_RESULT ${JSON.stringify({ figures: clean })}`);
}
