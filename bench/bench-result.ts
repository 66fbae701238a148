/**
 * Reading the `BENCH_RESULT {"figures":[...]}` line a benchmark prints last (bench/lib.ts writes it; the
 * convention is in bench/README.md), and checking a figure against its goal.
 */
import type { BenchFigure } from "./lib.ts";

export type { BenchFigure };

/** The figures of the last BENCH_RESULT line in `output`; null when there is none or it is unreadable. */
export function parseBenchResult(output: string): BenchFigure[] | null {
  const lines = output.split(/\r?\n/).filter((l) => l.startsWith("BENCH_RESULT "));
  const last = lines[lines.length - 1];
  if (!last) return null;
  try {
    const parsed = JSON.parse(last.slice("BENCH_RESULT ".length)) as { figures?: unknown };
    if (!Array.isArray(parsed.figures)) return null;
    return parsed.figures.filter((f): f is BenchFigure => typeof f === "object" && f !== null && typeof (f as BenchFigure).name === "string" && typeof (f as BenchFigure).value === "number");
  } catch {
    return null;
  }
}

/** Whether the figure meets its goal (on the ratio when it has one, else on the value); true without a goal. */
export function meetsGoal(f: BenchFigure): boolean {
  if (!f.goal) return true;
  const m = /^\s*(>=|<=|>|<)\s*(-?[\d.]+)\s*$/.exec(f.goal);
  if (!m) return false;
  const v = f.ratio ?? f.value;
  const limit = Number(m[2]);
  switch (m[1]) {
    case ">=":
      return v >= limit;
    case "<=":
      return v <= limit;
    case ">":
      return v > limit;
    default:
      return v < limit;
  }
}
