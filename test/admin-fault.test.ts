/**
 * Nodes as real processes over one Redis: the dashboard on a surviving node flags a node killed with
 * kill -9 as dead (it stopped heartbeating), keeps pushing, and forgets a node stopped gracefully (SIGTERM)
 * instead of calling it dead. An operator ending a match whose host was just killed gets it ended (by the
 * node that takes it over), its players hear match:end once and its result is applied once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { connectClient, login, nextEvent, redisClient, redisEnv, request, uniquePrefix, waitFor, type ClientSocket } from "./helpers/harness.ts";
import { adminCall, adminRequest, connectAdmin, type AdminClient } from "./helpers/admin-client.ts";
import type { AdminOverview, MatchEnded, MatchHandedOver } from "../shared/admin-api.ts";
import type { MatchFound } from "../shared/protocol.ts";
import type { MatchEnd } from "../shared/game/types.ts";
import { createKeys } from "../server/redis/keys.ts";

const root = new URL("..", import.meta.url).pathname;
const prefix = uniquePrefix("admfault");
const TOKEN = "fault-token-0123456789abc";

interface NodeProc {
  id: string;
  url: string;
  child: ChildProcess;
  exited: Promise<unknown>;
}
const procs: NodeProc[] = [];
const players: ClientSocket[] = [];
const redis = redisClient();
let admin: AdminClient;
let latest: AdminOverview | null = null;

/** Starts `node --import tsx server/main.ts` and waits for its ready line. */
async function spawnNode(id: string): Promise<NodeProc> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...redisEnv(),
    KEY_PREFIX: prefix,
    NODE_ID: id,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    HEARTBEAT_INTERVAL_MS: "250",
    NODE_TTL_MS: "1500",
    MATCH_LEASE_MS: "1500",
    ADMIN_TOKEN: TOKEN,
    MATCHMAKER_INTERVAL_MS: "50",
    MATCH_FILL_WAIT_MS: "0",
    MATCH_COUNTDOWN_MS: "200",
    RATE_LIMITS: "login=1000/1s,queue_join=100/1s,admin_login=10000/60s",
  };
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (b) => (out += b));
  child.stderr!.on("data", (b) => (out += b));
  const exited = new Promise((ok) => child.once("exit", ok));
  const url = await new Promise<string>((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`${id}: no ready line:\n${out}`)), 25_000);
    child.stdout!.on("data", () => {
      const m = /ready at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        ok(m[1]!);
      }
    });
    child.once("exit", () => fail(new Error(`${id} exited:\n${out}`)));
  });
  const p = { id, url, child, exited };
  procs.push(p);
  return p;
}

const node = (o: AdminOverview | null, id: string) => o?.nodes.find((n) => n.nodeId === id);

beforeAll(async () => {
  const [first] = await Promise.all([spawnNode("fault-1"), spawnNode("fault-2"), spawnNode("fault-3")]);
  admin = await connectAdmin(first!, TOKEN);
  admin.on("admin:overview", (o) => (latest = o));
  const ack = await adminRequest<AdminOverview>(admin, "admin:subscribe", { view: "overview" });
  expect(ack.ok).toBe(true);
}, 60_000);

afterAll(async () => {
  admin?.close();
  for (const s of players) s.close();
  redis.disconnect();
  for (const p of procs) p.child.kill("SIGKILL");
  await Promise.all(procs.map((p) => p.exited));
});

describe("dashboard across node deaths", () => {
  it("flags a node killed with kill -9 as dead, ends the match it hosted on request, forgets one stopped gracefully", async () => {
    await waitFor(() => ["fault-1", "fault-2", "fault-3"].every((id) => node(latest, id)?.alive), 15_000, 100);

    // A running match of two players connected to fault-1, moved onto fault-2 by an operator.
    const first = procs.find((p) => p.id === "fault-1")!;
    const [p1, p2] = await Promise.all(
      ["Una", "Vic"].map(async (name) => {
        const s = await login(first, name);
        return { ...s, sock: await connectClient(first, s.token) };
      }),
    );
    players.push(p1!.sock, p2!.sock);
    const found = nextEvent<MatchFound>(p1!.sock, "match:found", 10_000);
    await request(p1!.sock, "queue:join", { region: "sa" });
    await request(p2!.sock, "queue:join", { region: "sa" });
    const { matchId } = await found;
    const keys = createKeys(prefix);
    const hostOf = async () => (await redis.get(keys.matches.lease(matchId)))?.split("|")[0];
    await waitFor(hostOf, 10_000);
    if ((await hostOf()) !== "fault-2") {
      const moved = await adminCall<MatchHandedOver>(first, "POST", `/admin/api/matches/${matchId}/handover`, TOKEN, { toNodeId: "fault-2" });
      expect(moved.body.to).toBe("fault-2");
    }
    const ends = [p1!.sock, p2!.sock].map((s) => {
      const got: MatchEnd[] = [];
      s.on("match:end", (e) => got.push(e));
      return got;
    });

    const killed = procs.find((p) => p.id === "fault-2")!;
    const t0 = Date.now();
    killed.child.kill("SIGKILL");
    await killed.exited;

    // Ending it right away: its host is dead and still holds the lease; the node that takes it over ends it.
    const ended = await adminCall<MatchEnded>(first, "POST", `/admin/api/matches/${matchId}/end`, TOKEN, { reason: "host died" });
    expect(ended.status).toBe(200);
    expect(ended.body.ended).toBe(true);
    await waitFor(() => ends.every((e) => e.length === 1), 5000);
    const games = () => Promise.all([p1!.playerId, p2!.playerId].map((id) => redis.hget(keys.players.profile(id), "games")));
    await waitFor(async () => (await games()).every((g) => g === "1"), 10_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(ends.map((e) => e.length)).toEqual([1, 1]);
    expect(await games()).toEqual(["1", "1"]);

    // Its heartbeat hash expires after NODE_TTL_MS (1.5 s); the next push shows it dead.
    await waitFor(() => node(latest, "fault-2")?.alive === false, 10_000, 50);
    const seenDeadAfter = Date.now() - t0;
    expect(seenDeadAfter).toBeLessThan(6_000);
    expect(latest!.totals).toMatchObject({ liveNodes: 2, deadNodes: 1 });
    expect(node(latest, "fault-2")!.lastSeen).toBeLessThanOrEqual(t0 + 500);

    const stopped = procs.find((p) => p.id === "fault-3")!;
    stopped.child.kill("SIGTERM");
    await stopped.exited;
    await waitFor(() => !node(latest, "fault-3"), 10_000, 50);
    expect(latest!.totals).toMatchObject({ liveNodes: 1, deadNodes: 1 });
    expect(node(latest, "fault-1")).toMatchObject({ alive: true, self: true });
  }, 40_000);
});
