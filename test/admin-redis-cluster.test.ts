/**
 * The admin area on a real Redis Cluster (three masters, started here with redis-server and
 * `redis-cli --cluster create`): the overview shows one health row per master, and the dashboard's reads
 * and actions (name search, announce, ban through wrong tokens, end a match, audit) work without a single
 * cross-slot command.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cluster } from "ioredis";
import { startEmbeddedRedis, type EmbeddedRedis } from "../server/embedded-redis.ts";
import { crossSlotErrors } from "../server/redis/connection.ts";
import { connectClient, login, nextEvent, request, startTestNode, uniquePrefix, waitFor, type ClientSocket } from "./helpers/harness.ts";
import { adminCall } from "./helpers/admin-client.ts";
import type { RunningNode } from "../server/node.ts";
import type { AbuseView, AdminOverview, AuditPage, MatchEnded, PlayerSearch } from "../shared/admin-api.ts";
import type { Announcement, MatchFound } from "../shared/protocol.ts";

const TOKEN = "cluster-admin-token-0123456789";
const servers: EmbeddedRedis[] = [];
const sockets: ClientSocket[] = [];
let dir: string;
let node: RunningNode;
let seeds: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "arena-admin-cluster-"));
  for (let i = 0; i < 3; i++) {
    const data = join(dir, `n${i}`);
    servers.push(await startEmbeddedRedis({ port: 0, dataDir: data, autoInstall: false, extraArgs: ["--appendonly", "no", "--cluster-enabled", "yes", "--cluster-config-file", join(data, "nodes.conf")] }));
  }
  seeds = servers.map((s) => `127.0.0.1:${s.port}`).join(",");
  const made = spawnSync("redis-cli", ["--cluster", "create", ...seeds.split(","), "--cluster-replicas", "0", "--cluster-yes"], { encoding: "utf8", timeout: 30_000 });
  if (made.status !== 0) throw new Error(`redis-cli --cluster create failed: ${made.stdout}${made.stderr}`);
  const probe = new Cluster(seeds.split(",").map((s) => ({ host: "127.0.0.1", port: Number(s.split(":")[1]) })));
  probe.on("error", () => {});
  await waitFor(async () => /cluster_state:ok/.test(String(await probe.cluster("INFO"))) && (await probe.set("probe", "1")) === "OK", 20_000, 200);
  probe.disconnect();
  node = await startTestNode({
    REDIS_CLUSTER_NODES: seeds,
    KEY_PREFIX: uniquePrefix("admcl"),
    ADMIN_TOKEN: TOKEN,
    TRUST_PROXY: "true",
    RATE_LIMITS: "admin_login=10000/60s,login=1000/1s,queue_join=100/1s",
    MATCHMAKER_INTERVAL_MS: "50",
    MATCH_FILL_WAIT_MS: "0",
    MATCH_COUNTDOWN_MS: "200",
  });
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await node?.stop();
  await Promise.all(servers.map((s) => s.stop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("admin on a Redis Cluster", () => {
  it("shows every master, and reads and acts without a cross-slot command", async () => {
    const crossBefore = crossSlotErrors();
    const overview = (await adminCall<AdminOverview>(node, "GET", "/admin/api/overview", TOKEN)).body;
    expect(overview.redis).toHaveLength(3);
    expect(overview.redis.every((r) => r.role === "master" && !r.error)).toBe(true);
    expect(overview.redis.map((r) => r.address).sort()).toEqual(seeds.split(",").sort());
    expect(overview.nodes[0]).toMatchObject({ alive: true, self: true });

    // Players: indexed at login, found by prefix; one of them hears an announcement.
    const p = await Promise.all(["Quinn", "Quill", "Rosa"].map(async (name) => {
      const s = await login(node, name);
      const sock = await connectClient(node, s.token);
      sockets.push(sock);
      return { ...s, sock };
    }));
    const found = (await adminCall<PlayerSearch>(node, "GET", "/admin/api/players?prefix=qu", TOKEN)).body.players;
    expect(found.map((f) => f.name)).toEqual(["Quill", "Quinn"]);
    const heard = nextEvent<Announcement>(p[2]!.sock, "announce");
    expect((await adminCall(node, "POST", "/admin/api/announce", TOKEN, { message: "cluster says hi" })).status).toBe(201);
    expect((await heard).message).toBe("cluster says hi");

    // A match, ended by the operator.
    const matched = nextEvent<MatchFound>(p[0]!.sock, "match:found", 10_000);
    await request(p[0]!.sock, "queue:join", { region: "af" });
    await request(p[1]!.sock, "queue:join", { region: "af" });
    const { matchId } = await matched;
    await nextEvent(p[0]!.sock, "match:start", 10_000).catch(() => null);
    const end = nextEvent(p[1]!.sock, "match:end", 10_000);
    const ended = await adminCall<MatchEnded>(node, "POST", `/admin/api/matches/${matchId}/end`, TOKEN, { reason: "cluster test" });
    expect(ended.status).toBe(200);
    await end;

    // Five wrong tokens ban the address; the abuse view and the audit log say so.
    for (let i = 0; i < 5; i++) await adminCall(node, "GET", "/admin/api/whoami", `wrong-${i}-0123456789abcdef`, undefined, "192.0.2.77");
    await waitFor(async () => (await adminCall<{ error?: { code: string } }>(node, "GET", "/admin/api/whoami", TOKEN, undefined, "192.0.2.77")).body.error?.code === "BANNED", 5000);
    const abuse = (await adminCall<AbuseView>(node, "GET", "/admin/api/abuse", TOKEN)).body;
    expect(abuse.bans.map((b) => b.subject)).toContain("ip:192.0.2.77");
    expect(abuse.recent.some((r) => r.reason === "bad_admin_token")).toBe(true);
    const audit = (await adminCall<AuditPage>(node, "GET", "/admin/api/audit", TOKEN)).body.entries.map((e) => e.action);
    expect(audit).toEqual(expect.arrayContaining(["announce.post", "match.end"]));
    for (const path of ["/admin/api/series?minutes=5", "/admin/api/matchmaking", "/admin/api/matches"]) expect((await adminCall(node, "GET", path, TOKEN)).status).toBe(200);
    expect(crossSlotErrors()).toBe(crossBefore);
    // Nor did any single command cross slots (Redis counts those refusals itself).
    const stats = await Promise.all(servers.map((sv) => spawnSync("redis-cli", ["-p", String(sv.port), "INFO", "errorstats"], { encoding: "utf8" }).stdout));
    expect(stats.join("\n")).not.toMatch(/errorstat_CROSSSLOT/);
  }, 60_000);
});
