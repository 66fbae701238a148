/**
 * Pure parts of the admin feature (tokens, INFO parsing, percentiles, histogram quantiles, ADMIN_TOKENS
 * parsing) and the cluster-wide admin series: two nodes' refusals and queue waits summed per minute.
 */
import { afterAll, describe, expect, it } from "vitest";
import { AdminTokens } from "../server/admin/admin-tokens.ts";
import { healthOf, parseInfo } from "../server/admin/redis-health.ts";
import { percentile } from "../server/admin/matchmaking-view.ts";
import { quantileMs } from "../server/admin/series.ts";
import { ConfigError, loadConfig } from "../server/config.ts";
import { startTestNode, uniquePrefix } from "./helpers/harness.ts";
import { adminCall } from "./helpers/admin-client.ts";
import type { RunningNode } from "../server/node.ts";
import type { AdminSeries } from "../shared/admin-api.ts";

describe("admin units", () => {
  it("labels tokens and refuses others", () => {
    const t = new AdminTokens("single-token-0123456789", { ops: "ops-token-0123456789", bot: "bot-token-0123456789" });
    expect(t.enabled).toBe(true);
    expect(t.verify("single-token-0123456789")).toBe("admin");
    expect(t.verify("ops-token-0123456789")).toBe("ops");
    expect(t.verify("bot-token-0123456789")).toBe("bot");
    expect(t.verify("ops-token-012345678")).toBeNull();
    expect(t.verify("")).toBeNull();
    expect(new AdminTokens(undefined, undefined).enabled).toBe(false);
  });

  it("parses ADMIN_TOKENS and refuses malformed entries", () => {
    expect(loadConfig({ ADMIN_TOKENS: "alice:aaaaaaaaaaaaaaaa, oncall-bot:bbbbbbbbbbbbbbbb" }).ADMIN_TOKENS).toEqual({ alice: "a".repeat(16), "oncall-bot": "b".repeat(16) });
    for (const bad of ["alice:short", "no-colon-here-at-all", "a:aaaaaaaaaaaaaaaa,a:bbbbbbbbbbbbbbbb", "bad label:aaaaaaaaaaaaaaaa"]) {
      expect(() => loadConfig({ ADMIN_TOKENS: bad }), bad).toThrow(ConfigError);
    }
  });

  it("reads INFO into a health row", () => {
    const info = parseInfo("# Server\r\nredis_version:7.0.15\r\nuptime_in_seconds:42\r\n# Stats\r\nkeyspace_hits:30\r\nkeyspace_misses:10\r\ninstantaneous_ops_per_sec:900\r\n# Persistence\r\naof_enabled:1\r\naof_last_write_status:err\r\nrole:master\r\n");
    expect(healthOf("h:1", info, 0.5)).toMatchObject({ version: "7.0.15", uptimeSeconds: 42, hitRate: 0.75, opsPerSec: 900, role: "master", aof: { enabled: true, lastWriteOk: false, rewriteInProgress: false } });
    expect(healthOf("h:1", {}, 1).hitRate).toBeNull();
  });

  it("computes nearest-rank percentiles and histogram quantiles", () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([10], 0.99)).toBe(10);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.99)).toBe(4);
    // 10 waits <= 1 s, 10 more in (1, 2] s: the median is the top of the first bucket, p99 near 2 s.
    const b = new Map([["0.5", 0], ["1", 10], ["2", 20], ["+Inf", 20]]);
    expect(quantileMs(b, 0.5)).toBe(1000);
    expect(quantileMs(b, 0.99)).toBe(1980);
    expect(quantileMs(new Map([["1", 0], ["+Inf", 0]]), 0.5)).toBeNull();
    // Everything above the last finite bucket: the best we can say is "at least" that bucket.
    expect(quantileMs(new Map([["1", 0], ["120", 0], ["+Inf", 5]]), 0.5)).toBe(120_000);
  });
});

describe("admin series across nodes", () => {
  const nodes: RunningNode[] = [];
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  });

  it("sums refusals, violations and queue-wait histograms of every node per minute", async () => {
    const prefix = uniquePrefix("series");
    const common = { KEY_PREFIX: prefix, ADMIN_TOKEN: "series-token-0123456789" };
    nodes.push(await startTestNode({ ...common, NODE_ID: "series-a" }), await startTestNode({ ...common, NODE_ID: "series-b" }));
    const [a, b] = nodes as [RunningNode, RunningNode];
    // Keep both flushes inside one minute: a histogram split over two minutes has other percentiles.
    const into = Date.now() % 60_000;
    if (into > 56_000) await new Promise((r) => setTimeout(r, 60_000 - into + 100));
    a.metrics.rateLimited.inc({ action: "queue_join" }, 3);
    b.metrics.rateLimited.inc({ action: "login" }, 2);
    b.metrics.violations.inc({ reason: "rate_limited" }, 4);
    for (const s of [0.8, 0.9, 1.5]) a.metrics.queueWait.observe(s);
    b.metrics.queueWait.observe(1.8);
    await Promise.all(nodes.map((n) => n.service("admin").flushSeries()));
    const res = await adminCall<AdminSeries>(b, "GET", "/admin/api/series?minutes=2", "series-token-0123456789");
    expect(res.status).toBe(200);
    expect(res.body.minutes).toHaveLength(2);
    const sum = (k: "rateLimited" | "violations") => res.body.minutes.reduce((acc, m) => acc + m[k], 0);
    expect(sum("rateLimited")).toBe(5);
    expect(sum("violations")).toBe(4);
    const withWaits = res.body.minutes.find((m) => m.queueWaitP50Ms !== null)!;
    // Four waits: two in (0.5, 1] s, two in (1, 2] s (one from each node).
    expect(withWaits.queueWaitP50Ms).toBe(1000);
    expect(withWaits.queueWaitP99Ms).toBeGreaterThan(1900);
    expect(withWaits.queueWaitP99Ms).toBeLessThanOrEqual(2000);
  });
});
