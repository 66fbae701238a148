/**
 * `npm run bench [-- names...] [--all] [--timeout 900]`: runs the benchmarks of bench/ one after another
 * (each in its own process, as `npx tsx bench/<name>.ts` would), then rewrites the benchmark section of
 * docs/benchmarks.md: machine, load average before and after each benchmark, date, commit, the headline
 * figures with their baselines, ratios and goals (the `BENCH_RESULT` line each prints last, see
 * bench/README.md), and each benchmark's full output. Benchmarks marked `@slow` in their header run only
 * when named or with --all. Exits non-zero when a benchmark fails, times out or misses a goal.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { writeSection } from "../scripts/doc-section.ts";
import { meetsGoal, parseBenchResult, type BenchFigure } from "./bench-result.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = fileURLToPath(new URL("..", import.meta.url));
const { values, positionals } = parseArgs({ allowPositionals: true, options: { all: { type: "boolean" }, timeout: { type: "string" }, "no-write": { type: "boolean" } } });
const timeoutS = Number(values.timeout ?? process.env.BENCH_TIMEOUT_S ?? 900);
const NOT_BENCHES = new Set(["lib.ts", "run-all.ts", "bench-result.ts"]);

const available = readdirSync(here).filter((f) => f.endsWith(".ts") && !NOT_BENCHES.has(f)).map((f) => f.slice(0, -3)).sort();
const slow = new Set(available.filter((b) => /@slow\b/.test(readFileSync(`${here}${b}.ts`, "utf8").slice(0, 3000))));
const unknown = positionals.filter((p) => !available.includes(p));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; available: ${available.join(", ")}`);
  process.exit(2);
}
const chosen = positionals.length ? positionals : available.filter((b) => values.all || !slow.has(b));

interface Outcome {
  name: string;
  status: "ok" | "failed" | "timeout";
  seconds: number;
  loadBefore: number[];
  loadAfter: number[];
  output: string;
  figures: BenchFigure[] | null;
}

function runOne(name: string): Promise<Outcome> {
  const loadBefore = loadavg();
  const t0 = performance.now();
  console.log(`\n=== ${name} (timeout ${timeoutS} s, load average ${loadBefore.map((x) => x.toFixed(2)).join(" ")})`);
  return new Promise((ok) => {
    const child = spawn(process.execPath, ["--import", "tsx", `${here}${name}.ts`], { cwd: root, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    const keep = (b: Buffer) => {
      output += b.toString();
      process.stdout.write(b);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL"); // the bench and anything it started (redis-server, clients)
      } catch {
        // gone already
      }
    }, timeoutS * 1000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      const status = timedOut ? "timeout" : code === 0 ? "ok" : "failed";
      ok({ name, status, seconds: (performance.now() - t0) / 1000, loadBefore, loadAfter: loadavg(), output, figures: parseBenchResult(output) });
    });
  });
}

function commit(): string {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: root, encoding: "utf8" }).trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return "unknown (not a git checkout)";
  }
}

const num = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en-US") : Number(v.toPrecision(3)).toString());

function render(outcomes: Outcome[], startedAt: Date): string {
  const out = [
    "## Benchmarks (`npm run bench`)",
    "",
    `- date: ${startedAt.toISOString()}; commit: ${commit()}; Node ${process.version}`,
    `- machine: ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB RAM`,
    `- load average (1/5/15 min) is shown per benchmark: figures from a machine shared with other work move with it`,
    "",
    "| benchmark | figure | value | baseline (same run) | ratio | goal | |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const o of outcomes) {
    if (!o.figures?.length) {
      out.push(`| ${o.name} | ${o.status === "ok" ? "no BENCH_RESULT line (see output)" : o.status} | | | | | ${o.status === "ok" ? "" : "FAIL"} |`);
      continue;
    }
    for (const f of o.figures) {
      const verdict = f.goal ? (meetsGoal(f) ? "ok" : "MISSED") : "";
      const base = f.baseline ? `${f.baseline.name}: ${num(f.baseline.value)} ${f.baseline.unit}` : "";
      out.push(`| ${o.name} | ${f.name} | ${num(f.value)} ${f.unit} | ${base} | ${f.ratio !== undefined ? `${num(f.ratio)}x` : ""} | ${f.goal ?? ""} | ${verdict} |`);
    }
  }
  out.push("");
  for (const o of outcomes) {
    out.push(`### ${o.name}: ${o.status}, ${o.seconds.toFixed(0)} s, load average ${o.loadBefore.map((x) => x.toFixed(2)).join(" ")} before, ${o.loadAfter.map((x) => x.toFixed(2)).join(" ")} after`, "");
    out.push("```", o.output.replace(/^BENCH_RESULT .*$/m, "").replace(/\r/g, "").trim(), "```", "");
  }
  return out.join("\n");
}

const startedAt = new Date();
console.log(`benchmarks: ${chosen.join(", ")}${slow.size && !values.all && !positionals.length ? ` (skipped @slow: ${[...slow].join(", ")}; name them or pass --all)` : ""}`);
const outcomes: Outcome[] = [];
for (const name of chosen) outcomes.push(await runOne(name));
if (!values["no-write"]) {
  writeSection(`${root}docs/benchmarks.md`, "bench", render(outcomes, startedAt));
  console.log(`\nwrote docs/benchmarks.md`);
}
const bad = outcomes.filter((o) => o.status !== "ok" || o.figures?.some((f) => f.goal && !meetsGoal(f)));
console.log(`\n${outcomes.map((o) => `${o.name}: ${o.status}${o.figures?.some((f) => f.goal && !meetsGoal(f)) ? " (goal missed)" : ""}`).join(", ")}`);
process.exit(bad.length ? 1 : 0);
