/**
 * The admin area refuses without a token and with a wrong one, on every route and on the /admin
 * namespace; labelled tokens (ADMIN_TOKENS) and ADMIN_TOKEN both work and carry their label; without any
 * token the area does not exist; the page is served with a strict CSP.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, login, waitFor } from "./helpers/harness.ts";
import { adminCall, adminRequest, connectAdmin } from "./helpers/admin-client.ts";
import { TestCluster } from "./helpers/test-cluster.ts";
import type { RunningNode } from "../server/node.ts";
import type { AbuseView, AdminOverview, WhoAmI } from "../shared/admin-api.ts";
import { AUDITED_ROUTES } from "../server/admin/audit-actions.ts";

const OPS = "ops-token-0123456789abcdef";
const BOT = "bot-token-0123456789abcdef";
const SINGLE = "single-admin-token-0123456789";

/** Every /admin/api route, with a valid sample path (params filled in). */
const ROUTES: [string, string][] = [
  ["GET", "/admin/api/whoami"],
  ["GET", "/admin/api/overview"],
  ["GET", "/admin/api/series?minutes=5"],
  ["GET", "/admin/api/matchmaking"],
  ["GET", "/admin/api/matches"],
  ["GET", "/admin/api/matches/abc"],
  ["POST", "/admin/api/matches/abc/end"],
  ["POST", "/admin/api/matches/abc/handover"],
  ["GET", "/admin/api/players?prefix=a"],
  ["GET", "/admin/api/players/someone"],
  ["POST", "/admin/api/players/someone/kick"],
  ["GET", "/admin/api/leaderboards/weekly"],
  ["POST", "/admin/api/leaderboards/weekly/reset"],
  ["PUT", "/admin/api/leaderboards/weekly/players/someone"],
  ["DELETE", "/admin/api/leaderboards/weekly/players/someone"],
  ["GET", "/admin/api/abuse"],
  ["GET", "/admin/api/announce"],
  ["POST", "/admin/api/announce"],
  ["DELETE", "/admin/api/announce"],
  ["GET", "/admin/api/audit"],
  ["GET", "/admin/api/nodes"],
  ["GET", "/admin/api/queues"],
  ["GET", "/admin/api/bans"],
  ["POST", "/admin/api/bans"],
  ["DELETE", "/admin/api/bans/player/someone"],
  ["GET", "/admin/api/offenders"],
  ["GET", "/admin/api/limits"],
  ["GET", "/admin/api/analytics/daily"],
  ["GET", "/admin/api/analytics/minutes"],
];

const tc = new TestCluster();
let node: RunningNode;

beforeAll(async () => {
  // TRUST_PROXY: each deliberate wrong guess comes from its own address (five from one address ban it).
  node = await tc.startNode("auth", { ADMIN_TOKEN: SINGLE, ADMIN_TOKENS: `ops:${OPS},bot:${BOT}`, RATE_LIMITS: "admin_login=10000/60s", TRUST_PROXY: "true" });
});
afterAll(() => tc.cleanup());

describe("admin auth", () => {
  it("refuses every route without a token (401) and with a wrong one (403), and lets the right one through", async () => {
    for (const [i, [method, path]] of ROUTES.entries()) {
      const none = await adminCall<{ error: { code: string } }>(node, method, path, null);
      expect(none.status, `${method} ${path} without token`).toBe(401);
      expect(none.body.error.code).toBe("UNAUTHORIZED");
      const wrong = await adminCall<{ error: { code: string } }>(node, method, path, "not-the-token-0123456789", undefined, `10.1.${i}.1`);
      expect(wrong.status, `${method} ${path} wrong token`).toBe(403);
      expect(wrong.body.error.code).toBe("FORBIDDEN");
      const right = await adminCall<{ error?: { message: string } }>(node, method, path, OPS);
      expect([401, 403], `${method} ${path} right token`).not.toContain(right.status);
      expect(right.body?.error?.message ?? "", `${method} ${path} is a route`).not.toMatch(/^No route/);
    }
  });

  it("labels each token: ADMIN_TOKEN is 'admin', ADMIN_TOKENS carry their own label", async () => {
    for (const [token, label] of [[SINGLE, "admin"], [OPS, "ops"], [BOT, "bot"]] as const) {
      const res = await adminCall<WhoAmI>(node, "GET", "/admin/api/whoami", token);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ admin: true, label, nodeId: node.core.nodeId });
      expect(res.body.capabilities).toMatchObject({ kick: true, announce: true });
    }
  });

  it("refuses the /admin namespace without a token, with a wrong or a player's token; accepts an admin token", async () => {
    await expect(connectAdmin(node, undefined)).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
    await expect(connectAdmin(node, "not-the-token-0123456789", "10.2.0.1")).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    const player = await login(node, "Pat");
    await expect(connectAdmin(node, player.token, "10.2.0.2")).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    // And the other way round: an admin token is not a player session.
    await expect(connectClient(node, OPS)).rejects.toMatchObject({ data: { code: "INVALID_TOKEN" } });

    const s = await connectAdmin(node, BOT);
    try {
      const ack = await adminRequest<AdminOverview>(s, "admin:subscribe", { view: "overview" });
      expect(ack.ok).toBe(true);
      if (ack.ok) expect(ack.data.nodes.map((n) => n.nodeId)).toContain(node.core.nodeId);
      const bad = await adminRequest(s, "admin:subscribe", { view: "secrets" });
      expect(bad).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
      const pushed = await new Promise<AdminOverview>((ok) => s.once("admin:overview", ok));
      expect(pushed.totals.liveNodes).toBeGreaterThanOrEqual(1);
    } finally {
      s.close();
    }
  });

  it("every state-changing route has an audit rule, and docs/admin-api.md documents every route", () => {
    const changing = ROUTES.filter(([m]) => m !== "GET").map(([m, p]) => `${m} ${p.split("?")[0]}`);
    const docs = readFileSync(new URL("../docs/admin-api.md", import.meta.url), "utf8");
    expect(changing.length).toBe(AUDITED_ROUTES.length);
    for (const key of AUDITED_ROUTES) {
      const [method, pattern] = key.split(" ") as [string, string];
      expect(docs, `docs lack ${key}`).toContain(`${method} ${pattern}`);
    }
    for (const [method, path] of ROUTES) {
      const pattern = path.split("?")[0]!.replace("/abc", "/:matchId").replace("/someone", "/:playerId").replace("/weekly", "/:period").replace("/player/:playerId", "/:kind/:id");
      expect(docs, `docs lack ${method} ${pattern}`).toContain(`${method} ${pattern}`);
    }
  });

  it("serves the page under /admin/ with a strict CSP; /admin and /dashboard redirect to it", async () => {
    const page = await fetch(`${node.url}/admin/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(await page.text()).not.toMatch(/<script>|<style>| style=/);
    for (const p of ["/admin", "/dashboard"]) {
      const r = await fetch(`${node.url}${p}`, { redirect: "manual" });
      expect(r.status).toBe(302);
      expect(r.headers.get("location")).toBe("/admin/");
    }
  });
});

describe("admin disabled", () => {
  it("without ADMIN_TOKEN or ADMIN_TOKENS the area does not exist (404 everywhere)", async () => {
    const bare = await tc.startNode("auth-bare");
    try {
      const res = await adminCall<{ error: { code: string } }>(bare, "GET", "/admin/api/whoami", "anything-0123456789abc");
      expect(res.status).toBe(404);
      await expect(connectAdmin(bare, "anything-0123456789abc")).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
    } finally {
      await tc.stopNode("auth-bare");
    }
  });
});

describe("wrong admin tokens ban the address (issue 11)", () => {
  it("five wrong tokens from one address ban it on HTTP and the namespace; right tokens never count", async () => {
    const n = await tc.startNode("auth-ban", { ADMIN_TOKEN: SINGLE, TRUST_PROXY: "true", RATE_LIMITS: "admin_login=10000/60s", BAN_SECONDS: "600" });
    const redis = tc.redis;
    const limits = n.core.keys.limits;
    const GOOD = "203.0.113.7";
    const BAD = "198.51.100.9";
    try {
      // Many right tokens: no violation, no score, never banned.
      for (let i = 0; i < 20; i++) expect((await adminCall(n, "GET", "/admin/api/whoami", SINGLE, undefined, GOOD)).status).toBe(200);
      // Four wrong guesses: refused, counted, not banned yet (the right token still gets in).
      for (let i = 0; i < 4; i++) {
        const r = await adminCall<{ error: { code: string } }>(n, "GET", "/admin/api/whoami", `guess-${i}-0123456789abcdef`, undefined, BAD);
        expect(r.status).toBe(403);
        expect(r.body.error.code).toBe("FORBIDDEN");
      }
      await waitFor(async () => (await redis.exists(limits.violations(`ip:${BAD}`))) === 1);
      expect(await redis.exists(limits.ban(`ip:${BAD}`))).toBe(0);
      expect((await adminCall(n, "GET", "/admin/api/whoami", SINGLE, undefined, BAD)).status).toBe(200);
      // The fifth (on the namespace this time) bans the address, on every route and the namespace.
      await expect(connectAdmin(n, "guess-4-0123456789abcdef", BAD)).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
      await waitFor(async () => (await redis.exists(limits.ban(`ip:${BAD}`))) === 1);
      expect(await redis.pttl(limits.ban(`ip:${BAD}`))).toBeGreaterThan(590_000);
      const banned = await adminCall<{ error: { code: string; retryAfterMs: number } }>(n, "GET", "/admin/api/whoami", SINGLE, undefined, BAD);
      expect(banned.status).toBe(403);
      expect(banned.body.error.code).toBe("BANNED");
      await expect(connectAdmin(n, SINGLE, BAD)).rejects.toMatchObject({ data: { code: "BANNED" } });
      // The good address is untouched, and the abuse view names the guesser.
      expect(await redis.exists(limits.violations(`ip:${GOOD}`))).toBe(0);
      const abuse = (await adminCall<AbuseView>(n, "GET", "/admin/api/abuse", SINGLE, undefined, GOOD)).body;
      expect(abuse.bans.map((b) => b.subject)).toContain(`ip:${BAD}`);
      expect(abuse.recent.filter((r) => r.subject === `ip:${BAD}`).every((r) => r.reason === "bad_admin_token")).toBe(true);
      expect(abuse.recent.some((r) => r.subject === `ip:${BAD}` && r.banned)).toBe(true);
      expect(abuse.recent.some((r) => r.subject === `ip:${GOOD}`)).toBe(false);
    } finally {
      await tc.stopNode("auth-ban");
    }
  });
});
