/**
 * /metrics is cheap and private: rendered at most once per METRICS_CACHE_MS whatever the scrape rate,
 * served on METRICS_PORT only when that is set, otherwise on the main port to METRICS_ALLOW addresses or
 * with Bearer METRICS_TOKEN; refusals never render; at most 10 scrapes per second per address. Real nodes over real HTTP, from distinct loopback
 * addresses. (Its effect on a running match under a scrape flood is a benchmark: bench/metrics-flood.ts.)
 */
import { afterAll, describe, expect, it } from "vitest";
import { startTestNode } from "./helpers/harness.ts";
import type { RunningNode } from "../server/node.ts";
import { fetchFrom, metricValue } from "./edge-helpers.ts";

const TOKEN = "metrics-token-for-the-edge-tests";
const nodes: RunningNode[] = [];
async function node(env: Parameters<typeof startTestNode>[0]): Promise<RunningNode> {
  const n = await startTestNode(env);
  nodes.push(n);
  return n;
}
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
});
const rendered = (n: RunningNode) => metricValue(n.metrics.registry, "arena_metrics_scrapes_total", { outcome: "rendered" });

describe("/metrics on the main port", () => {
  it("is open to METRICS_ALLOW addresses, needs the token from anywhere else, and refuses without rendering", async () => {
    const n = await node({ METRICS_ALLOW: "127.0.0.1", METRICS_TOKEN: TOKEN });
    const ok = await fetchFrom("127.0.0.1", `${n.url}/metrics`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await ok.text()).toContain("arena_sockets_connected");

    const before = await rendered(n);
    const outsider = "127.0.0.40";
    const none = await fetchFrom(outsider, `${n.url}/metrics`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    const wrong = await fetchFrom(outsider, `${n.url}/metrics`, { headers: { authorization: "Bearer wrong-token-of-the-same-length!" } });
    expect(wrong.status).toBe(403);
    for (let i = 0; i < 15; i++) expect((await fetchFrom(outsider, `${n.url}/metrics`)).status).toBe(401);
    expect(await rendered(n)).toBe(before);
    const right = await fetchFrom(outsider, `${n.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain("arena_metrics_scrapes_total");
  });

  it("without a token, only METRICS_ALLOW addresses (false: nobody) may read it", async () => {
    const n = await node({ METRICS_ALLOW: "false" });
    const res = await fetch(`${n.url}/metrics`);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "FORBIDDEN" } });
  });

  it("renders once per METRICS_CACHE_MS however many scrapes arrive, and again after it", async () => {
    const n = await node({ METRICS_CACHE_MS: "1500" });
    await fetch(`${n.url}/metrics`);
    const before = await rendered(n);
    // 100 scrapes from 5 addresses (20 each: within each one's burst).
    const from = (i: number) => `127.0.0.${60 + (i % 5)}`;
    const answers = await Promise.all(Array.from({ length: 100 }, async (_, i) => fetchFrom(from(i), `${n.url}/metrics`)));
    expect(answers.map((r) => r.status)).toEqual(Array(100).fill(200));
    const bodies = await Promise.all(answers.map((r) => r.text()));
    expect(new Set(bodies).size).toBe(1);
    expect(await rendered(n)).toBe(before);
    await new Promise((r) => setTimeout(r, 1600));
    await Promise.all(Array.from({ length: 10 }, (_, i) => fetchFrom(from(i), `${n.url}/metrics`)));
    expect(await rendered(n)).toBe(before + 1);
    expect(await metricValue(n.metrics.registry, "arena_metrics_scrapes_total", { outcome: "cached" })).toBeGreaterThanOrEqual(109);
  });

  it("answers one address at most 10 scrapes per second (burst 20), then 429 without sending the page", async () => {
    const n = await node({});
    const answers = await Promise.all(Array.from({ length: 40 }, () => fetchFrom("127.0.0.70", `${n.url}/metrics`)));
    const ok = answers.filter((r) => r.status === 200).length;
    // 20 at once, plus the refill (10/s) while 40 requests go through: a few more on a slow machine.
    expect(ok).toBeGreaterThanOrEqual(20);
    expect(ok).toBeLessThanOrEqual(28);
    const refused = answers.find((r) => r.status === 429)!;
    expect(refused.headers.get("retry-after")).toBeTruthy();
    expect(await refused.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });
    expect((await fetchFrom("127.0.0.71", `${n.url}/metrics`)).status).toBe(200);
  });
});

describe("METRICS_PORT", () => {
  it("serves /metrics on its own listener only; the main port answers 404", async () => {
    const n = await node({ METRICS_PORT: "0" });
    const port = n.metricsEndpoint.port();
    expect(port).toBeGreaterThan(0);
    expect(port).not.toBe(n.port);
    const main = await fetch(`${n.url}/metrics`);
    expect(main.status).toBe(404);
    const side = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(side.status).toBe(200);
    expect(side.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await side.text()).toContain("arena_sockets_connected");
    expect((await fetch(`http://127.0.0.1:${port}/api/me`)).status).toBe(404);
    // The listener goes with the node.
    await n.stop();
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });
});
