/**
 * Operator control of matches across two real nodes over one RedisClient, each call sent to the node that does
 * NOT host the match: the live view streams the host's snapshots; ending a match sends `match:end` once to
 * players on both nodes and applies the result once; handing it over moves the host (the game goes on
 * from where it was); refusals are coded. Every action is in the audit stream.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniquePrefix, waitFor } from "./helpers/harness.ts";
import { adminCall, adminRequest, connectAdmin } from "./helpers/admin-client.ts";
import { TestCluster } from "./helpers/test-cluster.ts";
import type { RunningNode } from "../server/node.ts";
import type { AdminMatchSnapshot, AuditPage, MatchDetail, MatchEnded, MatchHandedOver } from "../shared/admin-api.ts";

const OPS = "ops-token-0123456789abcdef";
const tc = new TestCluster({
  prefix: uniquePrefix("admmatch"),
  env: {
    ADMIN_TOKENS: `ops:${OPS}`,
    RATE_LIMITS: "admin_login=10000/60s,login=1000/1s,queue_join=100/1s",
    HEARTBEAT_INTERVAL_MS: "200",
    MATCHMAKER_INTERVAL_MS: "50",
    MATCH_FILL_WAIT_MS: "0",
    MATCH_COUNTDOWN_MS: "200",
    MATCH_DURATION_MS: "120000",
    RESULTS_BLOCK_MS: "100",
  },
});
const { redis, keys } = tc;
let a: RunningNode;
let b: RunningNode;

beforeAll(async () => {
  a = await tc.startNode("mctl-a");
  b = await tc.startNode("mctl-b");
});
afterAll(() => tc.cleanup());

/** Two players, one on each node, in one running match; resolves with the match and its host. */
async function matchOfTwo(n1: string, n2: string) {
  const p1 = await tc.player(a, n1);
  const p2 = await tc.player(b, n2);
  await p1.request("queue:join", { region: "eu-east" });
  await p2.request("queue:join", { region: "eu-east" });
  const { matchId } = await p1.next("match:found", 10_000);
  const [start1] = await Promise.all([p1.next("match:start", 10_000), p2.next("match:start", 10_000)]);
  const host = await waitFor(async () => (await redis.get(keys.matches.lease(matchId)))?.split("|")[0], 10_000);
  const [hostNode, other] = host === "mctl-a" ? [a, b] : [b, a];
  return { matchId, p1, p2, host, hostNode, other, you1: start1!.you };
}

const audit = async () => (await adminCall<AuditPage>(a, "GET", "/admin/api/audit?count=100", OPS)).body.entries;

describe("operator control of matches across two nodes", () => {
  it("watching a match from the node that does not host it gets the host's snapshots, ~10 a second", async () => {
    const { matchId, other } = await matchOfTwo("Hana", "Ivo");
    const s = await connectAdmin(other, OPS);
    try {
      const got: AdminMatchSnapshot[] = [];
      s.on("admin:match:snapshot", (m) => got.push(m));
      const ack = await adminRequest<MatchDetail>(s, "admin:match:watch", { matchId });
      expect(ack.ok).toBe(true);
      if (ack.ok) expect(ack.data.roster.map((r) => r.name).sort()).toEqual(["Hana", "Ivo"]);
      const fromHost = () => got.filter((g) => g.source === "host");
      await waitFor(() => fromHost().length >= 5, 5000);
      const t0 = Date.now();
      const before = fromHost().length;
      await new Promise((r) => setTimeout(r, 1000));
      expect(((fromHost().length - before) * 1000) / (Date.now() - t0)).toBeGreaterThan(5);
      const ticks = fromHost().map((g) => g.snapshot.n);
      expect(ticks).toEqual([...ticks].sort((x, y) => x - y));
      expect(got.every((g) => g.matchId === matchId)).toBe(true);
      expect((await adminRequest(s, "admin:match:unwatch", {})).ok).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      const after = got.length;
      await new Promise((r) => setTimeout(r, 500));
      expect(got.length).toBe(after);
      expect(await adminRequest(s, "admin:match:watch", { matchId: "nope" })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    } finally {
      s.close();
    }
  });

  it("ending a match from the other node sends match:end once to players on both nodes and applies the result once", async () => {
    const { matchId, p1, p2, other } = await matchOfTwo("Jo", "Kai");
    const ends = () => [p1.all("match:end"), p2.all("match:end")];
    const res = await adminCall<MatchEnded>(other, "POST", `/admin/api/matches/${matchId}/end`, OPS, { reason: "stuck round" });
    expect(res.status).toBe(200);
    expect(res.body.ended).toBe(true);
    expect(res.body.results.map((r) => r.playerId).sort()).toEqual([p1.playerId, p2.playerId].sort());
    expect(await redis.hget(keys.matches.record(matchId), "status")).toBe("ended");
    await waitFor(() => ends().every((e) => e.length === 1), 5000);
    expect(ends()[0]![0]).toMatchObject({ matchId, results: res.body.results });
    // Applied once: each player has one game, and stays so when the end is asked again.
    const games = () => Promise.all([p1.playerId, p2.playerId].map((id) => redis.hget(keys.players.profile(id), "games")));
    await waitFor(async () => (await games()).every((g) => g === "1"), 10_000);
    const again = await adminCall<MatchEnded>(a, "POST", `/admin/api/matches/${matchId}/end`, OPS, {});
    expect(again.body).toEqual({ matchId, ended: false, results: res.body.results });
    await new Promise((r) => setTimeout(r, 700));
    expect(await games()).toEqual(["1", "1"]);
    expect(ends().map((e) => e.length)).toEqual([1, 1]);
    const appended = (await redis.xrange(keys.boards.results, "-", "+")).filter(([, f]) => f[1] === matchId);
    expect(appended).toHaveLength(1);
    // The players are free again: a new ticket is accepted.
    expect((await p1.request("queue:join", { region: "eu-east" })).ok).toBe(true);
    await p1.request("queue:leave", {});
    // Newest first: the repeated end ({}), then the first one with its reason.
    const entries200 = (await audit()).filter((e) => e.action === "match.end" && e.target === `match:${matchId}` && e.status === 200);
    expect(entries200.map((e) => JSON.parse(e.detail))).toEqual([{}, { reason: "stuck round" }]);
    expect((await adminCall<{ error: { code: string } }>(a, "POST", "/admin/api/matches/nope/end", OPS)).body.error.code).toBe("NOT_FOUND");
  });

  it("handing a match over moves its host; the game goes on from where it was", async () => {
    const { matchId, p1, p2, host, other, you1 } = await matchOfTwo("Lia", "Max");
    const from = p2.events.length;
    const snaps = () => p2.all("match:snapshot", from);
    await waitFor(() => snaps().length > 5, 5000);
    const before = snaps().at(-1)!.n;
    const res = await adminCall<MatchHandedOver>(other, "POST", `/admin/api/matches/${matchId}/handover`, OPS, {});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ matchId, from: host, to: other.core.nodeId });
    expect((await redis.get(keys.matches.lease(matchId)))?.split("|")[0]).toBe(other.core.nodeId);
    expect(await redis.hget(keys.matches.record(matchId), "hostNodeId")).toBe(other.core.nodeId);
    // Snapshots keep coming from the new host, with no rewind past the hand-over.
    const mark = snaps().length;
    await waitFor(() => snaps().length > mark + 10, 5000);
    const after = snaps().slice(mark);
    expect(after[0]!.n).toBeGreaterThanOrEqual(before);
    expect(after.map((s) => s.n)).toEqual([...after.map((s) => s.n)].sort((x, y) => x - y));
    expect(other.service("matches").hostedCount()).toBeGreaterThanOrEqual(1);
    expect(other.service("matches").hosted(matchId)).toBeDefined();
    const [hostNode] = host === "mctl-a" ? [a] : [b];
    expect(hostNode.service("matches").hosted(matchId)).toBeUndefined();
    // Inputs still reach the match on its new host: p1 (connected to node a) moves right, then left.
    const xOf = () => snaps().at(-1)!.p.find((row) => row[0] === you1)![1];
    let seq = 1000;
    const moves = async () => {
      for (const dir of [1, -1]) {
        const x0 = xOf();
        for (let i = 0; i < 10; i++) {
          p1.input(seq++, dir, 0, false);
          await new Promise((r) => setTimeout(r, 50));
        }
        await waitFor(() => (dir > 0 ? xOf() > x0 + 5 : xOf() < x0 - 5), 3000);
      }
    };
    await moves();
    // And back, naming the node (so p1's inputs have gone both local and through another node's inbox).
    const back = await adminCall<MatchHandedOver>(a, "POST", `/admin/api/matches/${matchId}/handover`, OPS, { toNodeId: host });
    expect(back.body).toEqual({ matchId, from: other.core.nodeId, to: host });
    await moves();
    // Naming the node that hosts it, or a dead one, is a conflict.
    const same = await adminCall<{ error: { code: string } }>(a, "POST", `/admin/api/matches/${matchId}/handover`, OPS, { toNodeId: host });
    expect([same.status, same.body.error.code]).toEqual([409, "CONFLICT"]);
    const dead = await adminCall<{ error: { code: string } }>(a, "POST", `/admin/api/matches/${matchId}/handover`, OPS, { toNodeId: "no-such-node" });
    expect([dead.status, dead.body.error.code]).toEqual([409, "CONFLICT"]);
    expect((await audit()).filter((e) => e.action === "match.handover" && e.target === `match:${matchId}`).map((e) => e.status).sort()).toEqual([200, 200, 409, 409]);
    // An ended match cannot move.
    expect((await adminCall(b, "POST", `/admin/api/matches/${matchId}/end`, OPS)).status).toBe(200);
    expect((await adminCall(b, "POST", `/admin/api/matches/${matchId}/handover`, OPS)).status).toBe(409);
  });
});
