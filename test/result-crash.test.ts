/**
 * A host killed between appending a match's result and its fenced end used to make the new host send
 * `match:end` a second time. The host here reaches Redis through a TCP proxy that holds back every command
 * after the result's XADD, so the crash lands exactly in that window (then kill -9). Every player must get
 * one match:end (the one on the host node too, after reconnecting elsewhere) and the result be applied once.
 * Single Redis only: the proxy stands in front of one server (a cluster client follows MOVED past it).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { redisUrl, uniquePrefix, waitFor } from "./helpers/harness.ts";
import { createMatch, matchRecordFor, type RecordingClient } from "./helpers/match-client.ts";
import { startFreezeProxy, type FreezeProxy } from "./helpers/freeze-proxy.ts";
import { TestCluster } from "./helpers/test-cluster.ts";
import type { MatchEnd } from "../shared/game/types.ts";
import type { PlayerProfile } from "../shared/protocol.ts";

const tc = new TestCluster({
  prefix: uniquePrefix("crash"),
  env: { HEARTBEAT_INTERVAL_MS: "250", NODE_TTL_MS: "1500", MATCH_COUNTDOWN_MS: "300", MATCH_DURATION_MS: "3000", MATCH_LEASE_MS: "1500", CHECKPOINT_INTERVAL_MS: "500", RATE_LIMITS: "login=1000/60s" },
});
let matchId = "\u0000";
let proxy: FreezeProxy;

beforeAll(async () => {
  const { hostname, port } = new URL(redisUrl());
  proxy = await startFreezeProxy({ host: hostname, port: Number(port) }, (chunk) => /xadd/i.test(chunk.toString("latin1")) && chunk.includes(matchId));
  await Promise.all([tc.spawnNode("crash-a"), tc.spawnNode("crash-b"), tc.spawnNode("crash-host", { REDIS_URL: `redis://127.0.0.1:${proxy.port}` })]);
  await tc.waitForNodes(["crash-a", "crash-b", "crash-host"]);
}, 60_000);
afterAll(async () => {
  await tc.cleanup();
  await proxy?.close();
});

it("a host killed right after appending a result: each player gets match:end once, the result is applied once", async () => {
  const [a, b, host] = ["crash-a", "crash-b", "crash-host"].map((id) => tc.process(id));
  // One player on the host itself (it reconnects elsewhere when the host dies), two on other nodes.
  const ps = [await tc.player(host!, "R0"), await tc.player(a!, "R1"), await tc.player(b!, "R2")];
  const victim = ps[0]!;
  const back = new Promise<RecordingClient>((ok, fail) => victim.socket.once("disconnect", () => tc.connect(a!, victim.session).then(ok, fail)));
  const rec = matchRecordFor(ps.map((p) => p.session), "crash-host");
  matchId = rec.matchId;
  await createMatch(tc.redis, tc.keys, rec);
  await proxy.frozen;
  // Whatever the host does on the append's reply (it used to tell its players here) happens now.
  await new Promise((r) => setTimeout(r, 300));
  await tc.kill9("crash-host");
  const again = await back;
  // A successor resumes the ended match, or finishes a dead host's end: either way one notice each.
  await Promise.all([again, ps[1]!, ps[2]!].map((c) => c.next("match:end", 15_000)));
  await new Promise((r) => setTimeout(r, 3000));
  const endsOf = (c: RecordingClient) => c.all<MatchEnd>("match:end").filter((e) => e.matchId === rec.matchId);
  const perPlayer = [[...endsOf(victim), ...endsOf(again)], endsOf(ps[1]!), endsOf(ps[2]!)];
  for (const ends of perPlayer) expect(ends).toHaveLength(1);
  for (const r of perPlayer[1]![0]!.results) {
    const profile = await waitFor(async () => {
      const body = (await (await fetch(`${a!.url}/api/players/${r.playerId}`)).json()) as PlayerProfile;
      return body.games >= 1 ? body : null;
    }, 10_000);
    expect(profile).toMatchObject({ games: 1, total: r.score });
  }
}, 60_000);
