/**
 * The load balancer and monitoring configs, checked by the real tools: `haproxy -c` on the compose
 * values, `promtool check config`, `promtool check rules` and the alert unit tests (`promtool test
 * rules`), and the Grafana dashboard: every query parses as PromQL (promtool) and names only metrics the
 * nodes or the exporters export, from the data source Grafana is provisioned with.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireTool, run, yamlToData } from "./helpers/tools.ts";
import { createMetrics } from "../server/metrics.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const at = (p: string) => join(ROOT, p);
const temp: string[] = [];
const tempDir = (label: string) => {
  const d = mkdtempSync(join(tmpdir(), `arena-${label}-`));
  temp.push(d);
  return d;
};
afterAll(() => {
  for (const d of temp) rmSync(d, { recursive: true, force: true });
});

/** Gauges the lead adds to server/metrics.ts (event-loop p99, results consumer backlog); rules and panels use them already. */
const PLANNED_NODE_METRICS = ["arena_event_loop_delay_p99_seconds", "arena_results_pending"];
/** What the dashboard may read from redis_exporter, HAProxy's exporter and Prometheus itself. */
const EXPORTER_METRICS = ["up", "redis_up", "redis_memory_used_bytes", "redis_memory_max_bytes", "redis_commands_processed_total", "redis_connected_clients", "haproxy_backend_active_servers"];

interface Panel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
  gridPos: { x: number; y: number; w: number; h: number };
}

/** Every series name a node exports, from the node's own registry (histograms as _bucket/_sum/_count). */
async function nodeMetricNames(): Promise<Set<string>> {
  const { registry } = createMetrics("names", { defaultMetrics: true });
  const names = new Set<string>();
  for (const m of await registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(`${m.name}${suffix}`);
  }
  return names;
}

beforeAll(() => {
  console.log(`[deploy-monitoring] ${requireTool("haproxy", ["-v"], "haproxy")}; ${requireTool("promtool", ["--version"], "prometheus")}`);
});

describe("deploy/haproxy/haproxy.cfg", () => {
  it("is valid for HAProxy with the compose values (no ARENA_LB_* set)", () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ARENA_LB_"))) as Record<string, string>;
    const r = run("haproxy", ["-c", "-f", at("deploy/haproxy/haproxy.cfg")], { env });
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/Configuration file is valid/);
    // Health checks on /readyz, expecting 200 (a node answers 503 while it shuts down).
    const cfg = readFileSync(at("deploy/haproxy/haproxy.cfg"), "utf8");
    expect(cfg).toMatch(/http-check send meth GET uri \/readyz/);
    expect(cfg).toMatch(/http-check expect status 200/);
  });

  it("is refused by HAProxy when broken (the check above can fail)", () => {
    const dir = tempDir("haproxy");
    const broken = readFileSync(at("deploy/haproxy/haproxy.cfg"), "utf8").replace("balance leastconn", "balance no-such-algorithm");
    writeFileSync(join(dir, "haproxy.cfg"), broken);
    const r = run("haproxy", ["-c", "-f", join(dir, "haproxy.cfg")]);
    expect(r.status).not.toBe(0);
  });
});

describe("deploy/prometheus", () => {
  it("passes promtool check config (with its rule files)", () => {
    const r = run("promtool", ["check", "config", at("deploy/prometheus/prometheus.yml")]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/SUCCESS: 1 rule files found/);
    // The file_sd list it names is the one compose mounts (promtool cannot see inside the container).
    expect(r.output).toContain("/etc/prometheus/targets/redis.yml");
    expect(existsSync(at("deploy/prometheus/targets/redis.yml"))).toBe(true);
  });

  it("has alert rules for node down, event-loop p99, skipped ticks, results consumer lag and Redis down", () => {
    const r = run("promtool", ["check", "rules", at("deploy/prometheus/rules/arena-alerts.yml")]);
    expect(r.status, r.output).toBe(0);
    const rules = yamlToData<{ groups: { rules: { alert: string; expr: string }[] }[] }>(readFileSync(at("deploy/prometheus/rules/arena-alerts.yml"), "utf8"));
    const byName = Object.fromEntries(rules.groups.flatMap((g) => g.rules).map((x) => [x.alert, x.expr]));
    expect(Object.keys(byName).sort()).toEqual(["ArenaEventLoopLagHigh", "ArenaNoNodes", "ArenaNodeDown", "ArenaResultsConsumerLag", "ArenaResultsConsumerStuck", "ArenaTicksSkipped", "RedisDown"]);
    expect(byName.ArenaEventLoopLagHigh).toContain("arena_event_loop_delay_p99_seconds");
    expect(byName.ArenaTicksSkipped).toContain("arena_ticks_skipped_total");
    expect(byName.ArenaResultsConsumerLag).toContain("arena_results_pending");
  });

  it("fires each alert when it should and not before (promtool test rules)", () => {
    const r = run("promtool", ["test", "rules", at("deploy/prometheus/tests/arena-alerts.test.yml")]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/SUCCESS/);
  });
});

describe("deploy/grafana", () => {
  const dashboard = JSON.parse(readFileSync(at("deploy/grafana/dashboards/redis-arena.json"), "utf8")) as { uid: string; title: string; panels: Panel[] };
  const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

  it("is provisioned: a Prometheus data source and a provider for the dashboards folder compose mounts", () => {
    const ds = yamlToData<{ datasources: { uid: string; type: string; url: string }[] }>(readFileSync(at("deploy/grafana/provisioning/datasources/prometheus.yml"), "utf8"));
    expect(ds.datasources).toEqual([expect.objectContaining({ uid: "prometheus", type: "prometheus", url: "http://prometheus:9090" })]);
    const prov = yamlToData<{ providers: { options: { path: string } }[] }>(readFileSync(at("deploy/grafana/provisioning/dashboards/redis-arena.yml"), "utf8"));
    expect(prov.providers[0]!.options.path).toBe("/etc/grafana/dashboards");
    expect(readFileSync(at("docker-compose.yml"), "utf8")).toContain("./deploy/grafana/dashboards:/etc/grafana/dashboards:ro");
    for (const p of dashboard.panels.filter((x) => x.type !== "row")) {
      expect(p.datasource?.uid, p.title).toBe("prometheus");
      for (const t of p.targets ?? []) expect(t.datasource?.uid, p.title).toBe("prometheus");
    }
  });

  it("shows CCU, matches, tick p99, queue wait, limit refusals, Redis memory and ops/s", () => {
    const all = queries.map((q) => q.expr).join("\n");
    for (const m of ["arena_sockets_connected", "arena_matches_hosted", "arena_tick_seconds_bucket", "arena_queue_wait_seconds_bucket", "arena_rate_limited_total", "redis_memory_used_bytes", "redis_commands_processed_total"]) {
      expect(all, m).toContain(m);
    }
    expect(all).toMatch(/histogram_quantile\(0\.99, sum by \(le, node\) \(rate\(arena_tick_seconds_bucket/);
  });

  it("queries only metrics that exist, in valid PromQL", async () => {
    const known = new Set([...(await nodeMetricNames()), ...PLANNED_NODE_METRICS, ...EXPORTER_METRICS]);
    const names = (expr: string) => [...expr.matchAll(/\b((?:arena|redis|haproxy|process|nodejs)_[a-z0-9_]+|up)\b(?=\s*[{[)\s]|$)/g)].map((m) => m[1]!);
    for (const q of queries) {
      const used = names(q.expr);
      expect(used.length, `${q.panel}: ${q.expr}`).toBeGreaterThan(0);
      for (const n of used) expect(known.has(n), `${q.panel}: unknown metric ${n}`).toBe(true);
    }
    // promtool parses each query as a recording rule ($__rate_interval is Grafana's, replaced by a range).
    const dir = tempDir("grafana");
    const rules = { groups: [{ name: "dashboard", rules: queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: q.expr.replaceAll("$__rate_interval", "1m") })) }] };
    writeFileSync(join(dir, "queries.yml"), JSON.stringify(rules));
    const r = run("promtool", ["check", "rules", join(dir, "queries.yml")]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain(`SUCCESS: ${queries.length} rules found`);
  });

  it("lays panels out without overlaps", () => {
    const cells = new Set<string>();
    for (const p of dashboard.panels) {
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          const k = `${x},${y}`;
          expect(cells.has(k), `${p.title} overlaps at ${k}`).toBe(false);
          cells.add(k);
        }
      }
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    }
  });
});
