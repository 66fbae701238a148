/**
 * The host lease and its fenced writes, straight against Redis: one holder at a time, a new token per
 * acquisition, and a host whose lease lapsed can renew, checkpoint and end nothing.
 */
import { afterAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { redisClient, uniquePrefix, waitFor } from "./helpers/harness.ts";
import { createKeys } from "../server/redis/keys.ts";
import { Scripts } from "../server/redis/scripts.ts";
import { MatchLeases } from "../server/matches/match-leases.ts";
import { MatchHost } from "../server/matches/match-host.ts";
import { StaleFencingTokenError } from "../server/errors.ts";
import { ScriptCode } from "../server/redis/script-codes.ts";
import { createMatch, matchRecordFor } from "./helpers/match-client.ts";

const redis = redisClient();
afterAll(() => redis.quit());

async function setup(leaseMs = 300) {
  const keys = createKeys(uniquePrefix("lease"));
  const scripts = await Scripts.load(redis);
  const rec = matchRecordFor([{ playerId: `p-${randomBytes(3).toString("hex")}`, name: "A" }, { playerId: `p-${randomBytes(3).toString("hex")}`, name: "B" }], "n1");
  await createMatch(redis, keys, rec, 30_000);
  const a = new MatchLeases(redis, keys, scripts, "n1", leaseMs, 60_000);
  const b = new MatchLeases(redis, keys, scripts, "n2", leaseMs, 60_000);
  const hostOf = (res: Awaited<ReturnType<MatchLeases["acquire"]>>) => {
    if (!res.ok) throw new Error(res.reason);
    return new MatchHost(rec.matchId, rec, { token: res.token, value: res.value, validUntil: Infinity }, MatchHost.create(rec, {}));
  };
  return { keys, scripts, rec, a, b, hostOf };
}

describe("match lease", () => {
  it("has one holder at a time and mints a new token at each acquisition", async () => {
    const { keys, rec, a, b, hostOf } = await setup(300);
    const first = await a.acquire(rec.matchId);
    expect(first).toMatchObject({ ok: true, token: 1, value: "n1|1", previousStatus: "created" });
    expect(await b.acquire(rec.matchId)).toEqual({ ok: false, reason: "held" });
    expect(await redis.hmget(keys.matches.record(rec.matchId), "status", "hostNodeId")).toEqual(["running", "n1"]);
    // Every lease-related key has a TTL.
    for (const key of [keys.matches.lease(rec.matchId), keys.matches.leaseFence(rec.matchId)]) expect(await redis.pttl(key)).toBeGreaterThan(0);

    const hostA = hostOf(first);
    await waitFor(async () => (await redis.exists(keys.matches.lease(rec.matchId))) === 0, 2000);
    const second = await b.acquire(rec.matchId);
    // A failover: the record says running, and the token moved on.
    expect(second).toMatchObject({ ok: true, token: 2, value: "n2|2", previousStatus: "running" });
    const hostB = hostOf(second);

    // The old holder is fenced out of every write.
    expect(await a.renewAll([hostA])).toEqual([false]);
    expect(await a.checkpointAll([{ host: hostA, json: hostA.checkpoint(1) }])).toEqual([false]);
    await expect(a.confirm(hostA)).rejects.toBeInstanceOf(StaleFencingTokenError);
    await expect(a.finish(hostA, Date.now(), "[]", 1000)).rejects.toBeInstanceOf(StaleFencingTokenError);
    expect(await redis.get(keys.matches.checkpoint(rec.matchId))).toBeNull();
    expect(await redis.hget(keys.matches.record(rec.matchId), "status")).toBe("running");

    // The current holder writes, and the checkpoint carries the record's TTL.
    expect(await b.renewAll([hostB])).toEqual([true]);
    expect(await b.checkpointAll([{ host: hostB, json: hostB.checkpoint(2) }])).toEqual([true]);
    expect(await redis.pttl(keys.matches.checkpoint(rec.matchId))).toBeGreaterThan(20_000);
  });

  it("ends a match once: fenced finish, then nobody can take it", async () => {
    const { keys, rec, a, b, hostOf } = await setup(5000);
    const hostA = hostOf(await a.acquire(rec.matchId));
    await a.checkpointAll([{ host: hostA, json: hostA.checkpoint(1) }]);
    await a.finish(hostA, 1234, JSON.stringify([{ playerId: "x" }]), 10_000);
    expect(await redis.hmget(keys.matches.record(rec.matchId), "status", "endedAt")).toEqual(["ended", "1234"]);
    expect(await redis.exists(keys.matches.lease(rec.matchId), keys.matches.checkpoint(rec.matchId))).toBe(0);
    const ttl = await redis.pttl(keys.matches.record(rec.matchId));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10_000);
    expect(await b.acquire(rec.matchId)).toEqual({ ok: false, reason: "ended" });
    await redis.del(keys.matches.record(rec.matchId));
    expect(await b.acquire(rec.matchId)).toEqual({ ok: false, reason: "gone" });
  });

  it("hands a lease over at graceful stop: checkpoint then release", async () => {
    const { keys, rec, a, b, hostOf } = await setup(60_000);
    const hostA = hostOf(await a.acquire(rec.matchId));
    await a.handOver(hostA, hostA.checkpoint(7));
    expect(JSON.parse((await redis.get(keys.matches.checkpoint(rec.matchId)))!)).toMatchObject({ v: 1, savedAt: 7 });
    // No waiting for a 60 s lease to lapse.
    expect(await b.acquire(rec.matchId)).toMatchObject({ ok: true, token: 2, previousStatus: "running" });
  });

  it("shrinks a dropped player's pointer to the grace unless a newer socket exists", async () => {
    const { keys, scripts } = await setup();
    const pid = `p-${randomBytes(4).toString("hex")}`;
    await redis.set(keys.players.match(pid), "m1", "PX", 60_000);
    await redis.set(keys.players.epoch(pid), "3");
    expect(await scripts.run("playerMatchDrop", [keys.players.match(pid), keys.players.epoch(pid)], ["m1", 2, 1000])).toBe(ScriptCode.NEWER_SOCKET);
    expect(await redis.pttl(keys.players.match(pid))).toBeGreaterThan(50_000);
    expect(await scripts.run("playerMatchDrop", [keys.players.match(pid), keys.players.epoch(pid)], ["other", 3, 1000])).toBe(ScriptCode.OTHER_MATCH);
    expect(await scripts.run("playerMatchDrop", [keys.players.match(pid), keys.players.epoch(pid)], ["m1", 3, 1000])).toBe(1);
    expect(await redis.pttl(keys.players.match(pid))).toBeLessThanOrEqual(1000);
    expect(await scripts.run("playerMatchClear", [keys.players.match(pid)], ["other"])).toBe(0);
    expect(await scripts.run("playerMatchClear", [keys.players.match(pid)], ["m1"])).toBe(1);
    expect(await redis.exists(keys.players.match(pid))).toBe(0);
  });
});
