/**
 * The parts of the load-test runner (scripts/load*) that do not need Artillery or a cluster: reading
 * Artillery's checks and the nodes' metrics, the gates and the summary, durations, doc sections, and the
 * population-weighted places the bots queue from.
 */
import { describe, expect, it } from "vitest";
import { parseChecks } from "../scripts/load/artillery-run.ts";
import { byLabel, parsePrometheus, sumOf } from "../scripts/load/prometheus-text.ts";
import { gatesOf, peakTotal, renderSummary, type RunFacts } from "../scripts/load/summary.ts";
import { memoryGrowth } from "../scripts/load/memory.ts";
import { countErrorLines } from "../scripts/load/node-report.ts";
import { parseDuration } from "../scripts/load/profiles.ts";
import { withSection } from "../scripts/doc-section.ts";
import { randomPlace } from "../load-tests/lib/places.ts";
import { steer } from "../load-tests/lib/steering.ts";
import type { Snapshot } from "../shared/game/types.ts";
import cities from "../load-tests/cities.json" with { type: "json" };
import type { NodeSample } from "../scripts/load/node-sampler.ts";

const ARTILLERY_TAIL = `All VUs finished. Total time: 52 seconds
\x1b[90m--------------------------------\x1b[39m
Summary report @ 05:50:18(+0000)

Checks:
\x1b[32mok\x1b[39m: arena.errors == 0
\x1b[31mfail\x1b[39m: arena.input_rtt.p99 < 500
ok: http.response_time.p95 < 500 (optional)

Log file: /tmp/x.json
`;

describe("artillery checks", () => {
  it("reads ok and fail lines after 'Checks:', colours stripped", () => {
    expect(parseChecks(ARTILLERY_TAIL)).toEqual([
      { ok: true, text: "arena.errors == 0" },
      { ok: false, text: "arena.input_rtt.p99 < 500" },
      { ok: true, text: "http.response_time.p95 < 500" },
    ]);
  });

  it("finds none when Artillery printed none", () => {
    expect(parseChecks("Summary report\nvusers.created: 3\n")).toEqual([]);
  });
});

describe("prometheus text", () => {
  const text = [
    "# HELP arena_handler_errors_total Socket/HTTP handler errors by code",
    "# TYPE arena_handler_errors_total counter",
    'arena_handler_errors_total{code="INTERNAL",node="node-1"} 2',
    'arena_handler_errors_total{code="RATE_LIMITED",node="node-1"} 5',
    'arena_results_applied_total{node="node-1"} 17',
    'weird_label{msg="a \\"quoted\\" } brace",node="n"} 1',
    "process_resident_memory_bytes 123456789",
  ].join("\n");
  const samples = parsePrometheus(text);

  it("parses samples with labels, skipping comments", () => {
    expect(samples).toHaveLength(5);
    expect(samples[3]!.labels.msg).toBe('a "quoted" } brace');
    expect(sumOf(samples, "process_resident_memory_bytes")).toBe(123456789);
  });

  it("sums by name and label filter, and groups by a label", () => {
    expect(sumOf(samples, "arena_handler_errors_total")).toBe(7);
    expect(sumOf(samples, "arena_handler_errors_total", { code: "INTERNAL" })).toBe(2);
    expect(byLabel(samples, "arena_handler_errors_total", "code")).toEqual({ INTERNAL: 2, RATE_LIMITED: 5 });
  });
});

describe("node figures", () => {
  const samples: NodeSample[] = [];
  const push = (t: number, nodeId: string, mb: number, sockets: number) =>
    samples.push({ t, nodeId, rssBytes: mb * 1_048_576, heapUsedBytes: null, cpuSeconds: t / 10, sockets, matchesHosted: 0, resultsApplied: 0, internalErrors: 0, eventLoopLagP99Ms: 1 });
  for (let t = 0; t < 600; t += 10) {
    push(t, "node-1", t < 300 ? 100 : t < 360 ? 200 : 206, 40);
    push(t, "node-2", 150, t === 200 ? 70 : 30);
  }

  it("compares the top of the garbage collector's saw at both ends, wherever the saw is", () => {
    const MB = 1_048_576;
    const saw: NodeSample[] = [];
    // RSS climbing from 150 to 220 MB and dropping back every `period` s, `leak` MB/s on top; the live
    // heap floor (heap used right after a collection) follows the leak.
    const node = (id: string, period: number, leak: number, stuckHighAfter = Infinity) => {
      for (let t = 0; t <= 1800; t += 10) {
        const phase = t > stuckHighAfter ? 0.9 : (t % period) / period;
        saw.push({ t, nodeId: id, rssBytes: (150 + 70 * phase + leak * t) * MB, heapUsedBytes: (60 + 40 * phase + leak * t) * MB, cpuSeconds: null, sockets: 0, matchesHosted: 0, resultsApplied: 0, internalErrors: 0, eventLoopLagP99Ms: 0 });
      }
    };
    node("flat", 120, 0);
    node("stuck", 120, 0, 1200); // no major collection in the last 10 minutes: the saw sits at its top
    node("leaky", 120, 0.02); // +30 MB over 25 minutes
    const g = (id: string) => memoryGrowth(saw, id, 300, 1800)!;
    expect(Math.abs(g("flat").growthPct)).toBeLessThan(1);
    expect(Math.abs(g("stuck").growthPct)).toBeLessThan(1);
    expect(g("leaky").growthPct).toBeGreaterThan(5);
    expect(g("flat").min).toBe(150 * MB);
    expect(g("leaky").heapFloorEnd! - g("leaky").heapFloorStart!).toBeGreaterThan(20 * MB);
    expect(g("flat").windowSeconds).toBe(300);
    // Short spans: smaller windows, none under a minute.
    expect(memoryGrowth(saw, "flat", 300, 500)!.windowSeconds).toBe(100);
    expect(memoryGrowth(saw, "flat", 300, 400)).toBeNull();
  });

  it("peaks sockets over nodes sampled together", () => {
    expect(peakTotal(samples)).toBe(110);
  });

  it("counts error-level and crash lines of a node log, not info or warnings", () => {
    const log = [
      '{"level":30,"msg":"ok"}',
      '{"level":40,"msg":"tick loop stalled"}',
      '{"level":50,"msg":"could not end match"}',
      '{"level":60,"msg":"fatal"}',
      "[arena] node node-1 ready at http://127.0.0.1:1",
      "[arena] unhandled rejection (node keeps running) Error: x",
      '{"level":50,"msg":"cut sh',
    ].join("\n");
    expect(countErrorLines(log)).toBe(3);
  });
});

function facts(over: Partial<RunFacts> = {}): RunFacts {
  return {
    title: "t",
    machine: "m",
    artillery: {
      code: 0,
      checks: [{ ok: true, text: "arena.errors == 0" }],
      report: { counters: { "arena.errors": 0, "vusers.created_by_name.player": 10 }, summaries: { "arena.ack.queue_join": { count: 5, min: 1, max: 9, p50: 2, p95: 8, p99: 9 } } },
    },
    nodes: [
      { nodeId: "node-1", killed: false, rssStartMb: 100, rssBaseMb: 200, rssEndMb: 206, growthPct: 3, rssRangeMb: [190, 215], heapFloorMb: [60, 61], cpuPct: 20, peakSockets: 5, internalErrors: 0, handlerErrors: {}, errorLogLines: 0, resultsApplied: 4 },
      { nodeId: "node-2", killed: false, rssStartMb: 100, rssBaseMb: 200, rssEndMb: 220, growthPct: 10, rssRangeMb: [190, 230], heapFloorMb: [60, 80], cpuPct: 20, peakSockets: 5, internalErrors: 0, handlerErrors: {}, errorLogLines: 0, resultsApplied: 5 },
    ],
    peakSockets: 10,
    audit: { produced: 9, entries: 9, applied: 9, missing: [], pending: 0, lag: 0, dead: 0, activeMatches: 0, settled: true },
    appliedByMetrics: 9,
    generatorCpuPct: 50,
    notes: [],
    chaos: false,
    rssSkipped: null,
    rssLimitPct: 5,
    ...over,
  };
}

describe("gates and summary", () => {
  it("fails the node whose memory grew more than the limit, and only it", () => {
    const failed = gatesOf(facts()).filter((g) => !g.ok);
    expect(failed.map((g) => g.name)).toEqual(["node-2: RSS growth <= 5 %"]);
  });

  it("skips the memory gate when the run is too short, and for a killed node", () => {
    expect(gatesOf(facts({ rssSkipped: "short" })).every((g) => g.ok)).toBe(true);
    const nodes = facts().nodes!.map((n) => (n.nodeId === "node-2" ? { ...n, killed: true } : n));
    expect(gatesOf(facts({ nodes })).every((g) => g.ok)).toBe(true);
  });

  it("fails when results produced and applied differ, in Redis or in the metrics", () => {
    const audit = { ...facts().audit!, applied: 8, missing: ["m1"] };
    expect(gatesOf(facts({ rssSkipped: "short", audit })).filter((g) => !g.ok).map((g) => g.name)).toEqual(["results produced == applied (Redis)"]);
    expect(gatesOf(facts({ rssSkipped: "short", appliedByMetrics: 10 })).filter((g) => !g.ok).map((g) => g.name)).toEqual(["results produced == applied (metrics)"]);
  });

  it("fails on a ticket cancelled by the server, unless a node was killed", () => {
    const withCancel = (chaos: boolean) => {
      const f = facts({ rssSkipped: "short", chaos });
      f.artillery.report!.counters["arena.queue_cancelled"] = 2;
      return gatesOf(f).filter((g) => !g.ok).map((g) => g.name);
    };
    expect(withCancel(false)).toEqual(["no ticket cancelled by the server (no node was killed)"]);
    expect(withCancel(true)).toEqual([]);
  });

  it("fails on handler errors, error logs, a failed check or a run without checks", () => {
    const nodes = facts().nodes!.map((n) => ({ ...n, internalErrors: 1, errorLogLines: 2 }));
    expect(gatesOf(facts({ rssSkipped: "short", nodes })).filter((g) => !g.ok)).toHaveLength(4);
    const noChecks = { ...facts().artillery, code: 1, checks: [] };
    expect(gatesOf(facts({ rssSkipped: "short", artillery: noChecks })).some((g) => !g.ok && g.name === "artillery ensure checks ran")).toBe(true);
  });

  it("prints the latency table, nodes and the verdict", () => {
    const { text, pass } = renderSummary(facts());
    expect(pass).toBe(false);
    expect(text).toMatch(/ack queue:join\s+5\s+2\.0\s+8\.0\s+9\.0\s+9\.0/);
    expect(text).toContain("FAIL  node-2: RSS growth <= 5 %  [peak 200 -> 220 MB (+10.0 %)]");
    expect(text).toContain("RESULT: FAIL");
    expect(renderSummary(facts({ rssSkipped: "short" })).text).toContain("RESULT: PASS");
    expect(renderSummary(facts({ notes: ["[load] player p1 gave up after 60000 ms"] })).text).toContain("bot notes (1; all in artillery.log):\n  [load] player p1 gave up");
  });
});

describe("durations and doc sections", () => {
  it("parses the duration forms and refuses others", () => {
    expect(parseDuration("90")).toBe(90);
    expect(parseDuration("30m")).toBe(1800);
    expect(parseDuration("1h30m")).toBe(5400);
    expect(parseDuration("45s")).toBe(45);
    for (const bad of ["", "m", "10 min", "-5", "0s"]) expect(() => parseDuration(bad), bad).toThrow();
  });

  it("replaces only its own section and appends a new one", () => {
    const doc = "# T\n\n<!-- a:start -->\nold a\n<!-- a:end -->\n\n<!-- b:start -->\nb\n<!-- b:end -->\n";
    const next = withSection(doc, "a", "new a");
    expect(next).toBe(doc.replace("old a", "new a"));
    expect(withSection(next, "c", "c!")).toBe(`${next.trimEnd()}\n\n<!-- c:start -->\nc!\n<!-- c:end -->\n`);
  });
});

describe("places of the load-test players", () => {
  it("are drawn in proportion to the population of cities.json, inside the GEO limits", () => {
    const rows = cities as [number, number, number][];
    const inAsia = (lat: number, lon: number) => lon > 60 && lon < 150 && lat > -10;
    const total = rows.reduce((s, r) => s + r[2], 0);
    const expectedAsia = rows.filter((r) => inAsia(r[0], r[1])).reduce((s, r) => s + r[2], 0) / total;
    const expectedNorth = rows.filter((r) => r[0] > 0).reduce((s, r) => s + r[2], 0) / total;
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const places = Array.from({ length: 20_000 }, () => randomPlace(rnd));
    for (const p of places) {
      expect(Math.abs(p.lat)).toBeLessThanOrEqual(85);
      expect(Math.abs(p.lon)).toBeLessThanOrEqual(180);
    }
    const share = (f: (p: { lat: number; lon: number }) => boolean) => places.filter(f).length / places.length;
    expect(share((p) => inAsia(p.lat, p.lon))).toBeCloseTo(expectedAsia, 1);
    expect(share((p) => p.lat > 0)).toBeCloseTo(expectedNorth, 1);
    // The most populous cell (first row) gets its share too, not an even 1/3000.
    const [lat0, lon0, pop0] = rows[0]!;
    expect(share((p) => Math.abs(p.lat - lat0) <= 0.25 && Math.abs(p.lon - lon0) <= 0.25)).toBeGreaterThan((pop0 / total) * 0.7);
  });
});

describe("bot steering", () => {
  const snap = (o: Snapshot["o"], others: Snapshot["p"] = []): Snapshot => ({ m: "m", n: 1, ph: "playing", t: 1000, p: [[0, 100, 100, 0, 0, 0, 0, 0, 0, 0], ...others], o });
  const still = () => 0.5; // no wander, no dash roll

  it("heads for the best orb: the nearest, or a farther gold one", () => {
    expect(steer(snap([[1, 200, 100, 1]]), 0, still)).toEqual({ x: 1, y: 0, d: false });
    const c = steer(snap([[1, 100, 160, 1], [2, 100, 0, 5]]), 0, still);
    expect(c.y).toBeLessThan(-0.9); // gold at distance 100 (cost 20) beats a plain orb at 60 (cost 60)
  });

  it("dashes only near another player with the dash ready, and sends unit directions", () => {
    const near: Snapshot["p"] = [[1, 150, 100, 0, 0, 0, 0, 0, 0, 0]];
    expect(steer(snap([[1, 300, 300, 1]], near), 0, () => 0.1).d).toBe(true);
    expect(steer(snap([[1, 300, 300, 1]]), 0, () => 0.1).d).toBe(false);
    const cooling = snap([[1, 300, 300, 1]], near);
    cooling.p[0]![5] = 800;
    expect(steer(cooling, 0, () => 0.1).d).toBe(false);
    const c = steer(snap([[1, 173, 341, 1]]), 0);
    expect(Math.hypot(c.x, c.y)).toBeCloseTo(1, 1);
  });
});
