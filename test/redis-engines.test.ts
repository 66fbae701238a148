/**
 * The test harness on both Redis engines: every file that uses it runs against one redis-server
 * (`single`) and a local Redis Cluster (`cluster`, TEST_ENGINES=single,cluster). Multi-key work done the
 * cluster-safe way (keys of one {hash tag} in one MULTI, a Lua script via defineCommand) works on both;
 * a pipeline over keys of different slots works on one server and is refused on the cluster.
 */
import { afterAll, describe, expect, it } from "vitest";
import { Cluster, Redis } from "ioredis";
import { randomBytes } from "node:crypto";
import { redisClient, redisEnv, testConfig, testRedis } from "./helpers/harness.ts";
import { CROSS_SLOT_ERROR_MESSAGES } from "./helpers/crossslot.ts";
import { CONFIG_SPEC } from "../server/config.ts";

const engine = testRedis().engine;
// Typed as the server's RedisClient (Redis today); the engine decides what it really is.
const redis = redisClient() as unknown as Redis | Cluster;
afterAll(() => redis.quit());
const tag = () => `{test:engines:${randomBytes(4).toString("hex")}}`;

describe(`the ${engine} engine`, () => {
  it("hands tests and nodes the right Redis", () => {
    const r = testRedis();
    if (engine === "cluster") {
      expect(redis).toBeInstanceOf(Cluster);
      expect(r.nodes!.length).toBeGreaterThanOrEqual(6);
      expect(redisEnv()).toEqual({ REDIS_CLUSTER_NODES: r.nodes!.join(",") });
      // Until the server reads REDIS_CLUSTER_NODES, a node config is refused rather than pointed elsewhere.
      if (!("REDIS_CLUSTER_NODES" in CONFIG_SPEC)) return void expect(() => testConfig()).toThrow(/REDIS_CLUSTER_NODES/);
      const config = testConfig() as unknown as Record<string, unknown>;
      expect(config.REDIS_CLUSTER_NODES).toBeTruthy();
      expect(config.REDIS_URL).toBeUndefined();
    } else {
      expect(redis).toBeInstanceOf(Redis);
      expect(redisEnv()).toEqual({ REDIS_URL: r.url });
      expect(testConfig().REDIS_URL).toBe(r.url);
    }
  });

  it("runs keys of one hash tag in one MULTI", async () => {
    const t = tag();
    const res = await redis.multi().hset(`${t}:player`, { name: "Ada" }).zadd(`${t}:board`, 10, "ada").incr(`${t}:games`).exec();
    expect(res?.map(([err]) => err)).toEqual([null, null, null]);
    expect(await redis.zscore(`${t}:board`, "ada")).toBe("10");
  });

  it("runs a Lua script over keys of one hash tag, through defineCommand", async () => {
    const t = tag();
    redis.defineCommand("moveScore", {
      numberOfKeys: 2,
      lua: "local s = redis.call('ZSCORE', KEYS[1], ARGV[1]) redis.call('ZREM', KEYS[1], ARGV[1]) redis.call('ZADD', KEYS[2], s, ARGV[1]) return s",
    });
    await redis.zadd(`${t}:from`, 42, "p1");
    const moved = await (redis as unknown as { moveScore(a: string, b: string, m: string): Promise<string> }).moveScore(`${t}:from`, `${t}:to`, "p1");
    expect(moved).toBe("42");
    expect(await redis.zscore(`${t}:to`, "p1")).toBe("42");
    expect(await redis.zcard(`${t}:from`)).toBe(0);
  });

  it("refuses a pipeline over keys of different slots on the cluster (never reaching Redis), not on one server", async () => {
    const keys = Array.from({ length: 12 }, (_, i) => `test:engines:spread:${i}:${randomBytes(3).toString("hex")}`);
    await redis.ping(); // the cluster client knows its slot map before the pipeline is checked against it
    const pipeline = redis.pipeline();
    for (const k of keys) pipeline.set(k, "1", "PX", 10_000);
    if (engine === "cluster") {
      const err = await pipeline.exec().then(() => null, (e: Error) => e);
      expect(err?.message).toBe("All keys in the pipeline should belong to the same slots allocation group");
      expect(CROSS_SLOT_ERROR_MESSAGES.some((m) => err!.message.includes(m))).toBe(true);
    } else {
      expect((await pipeline.exec())?.every(([e]) => e === null)).toBe(true);
    }
  });
});
