/**
 * Test helpers: real Redis (from global setup: one server, or a Redis Cluster on the `cluster` engine),
 * unique key prefixes, real nodes on port 0, real clients. Multi-node tests: test/helpers/test-cluster.ts.
 */
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { Cluster, Redis } from "ioredis";
import { io as ioClient, type Socket } from "socket.io-client";
import { loadConfig, type Config, CONFIG_SPEC } from "../../server/config.ts";
import { startNode, type RunningNode, type StartNodeOptions } from "../../server/node.ts";
import { masters, type RedisClient, type RedisTarget } from "../../server/redis/connection.ts";
import type { ClientToServerEvents, ServerToClientEvents, Ack } from "../../shared/protocol.ts";
import type { TestRedis } from "./global-setup.ts";

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The engine this file runs on, and where it is: `{ engine: "single", url }` or `{ engine: "cluster", nodes }`. */
export const testRedis = (): TestRedis => inject("redis");

/** The single Redis's URL; a test that needs exactly one server says so on the cluster engine. */
export function redisUrl(): string {
  const r = testRedis();
  if (r.engine !== "single" || !r.url) throw new Error(`this test needs REDIS_URL, but runs on the ${r.engine} engine: use redisEnv()`);
  return r.url;
}

/** What a node is given to reach the test Redis: REDIS_URL, or REDIS_CLUSTER_NODES on the cluster. */
export function redisEnv(): Record<string, string> {
  const r = testRedis();
  return r.engine === "cluster" ? { REDIS_CLUSTER_NODES: r.nodes!.join(",") } : { REDIS_URL: r.url! };
}

const hostPort = (a: string) => ({ host: a.slice(0, a.lastIndexOf(":")), port: Number(a.slice(a.lastIndexOf(":") + 1)) });

/** A unique key prefix per test (isolation without FLUSHDB). */
export function uniquePrefix(label = "t"): string {
  return `test:${label}:${randomBytes(4).toString("hex")}:`;
}

/**
 * A plain client to inspect what is in Redis: an ioredis `Redis`, or a `Cluster` on the cluster engine
 * (`shardedSubscribers` for SSUBSCRIBE, as the sharded adapter needs).
 */
export function redisClient(opts: { shardedSubscribers?: boolean } = {}): RedisClient {
  const r = testRedis();
  const client: RedisClient =
    r.engine === "cluster"
      ? new Cluster(r.nodes!.map(hostPort), { shardedSubscribers: opts.shardedSubscribers ?? false, redisOptions: { maxRetriesPerRequest: 2 } })
      : new Redis(r.url!, { lazyConnect: false, maxRetriesPerRequest: 2 });
  client.on("error", () => {});
  return client;
}

/** The test Redis as the server's connection factory takes it (either engine). */
export function redisTarget(): RedisTarget {
  const r = testRedis();
  return r.engine === "cluster" ? { kind: "cluster", nodes: r.nodes!.map(hostPort) } : { kind: "single", url: r.url! };
}

/** Every key matching a pattern, on every server that holds data (each master of a cluster): tests only. */
export async function keysMatching(redis: RedisClient, pattern: string): Promise<string[]> {
  const out: string[] = [];
  for (const server of masters(redis)) {
    let cursor = "0";
    do {
      const [next, batch] = await server.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      cursor = next;
      out.push(...batch);
    } while (cursor !== "0");
  }
  return out;
}

/**
 * Throws on the cluster engine while server/config.ts does not declare REDIS_CLUSTER_NODES: a node given
 * only that would quietly fall back to another Redis (127.0.0.1:6379, or an embedded one).
 */
export function assertNodesSpeakEngine(): void {
  if (testRedis().engine === "cluster" && !("REDIS_CLUSTER_NODES" in CONFIG_SPEC)) {
    throw new Error("The cluster test engine needs the server to read REDIS_CLUSTER_NODES (server/config.ts); it does not yet.");
  }
}

/** A config for a test node: port 0, the test Redis (either engine), a fresh prefix unless given. */
export function testConfig(overrides: Partial<Record<keyof typeof CONFIG_SPEC, string>> = {}): Config {
  assertNodesSpeakEngine();
  return loadConfig(redisEnv(), { PORT: "0", HOST: "127.0.0.1", KEY_PREFIX: uniquePrefix(), LOG_LEVEL: "silent", ...overrides });
}

/** Starts a real node (Fastify + socket.io + modules) on a free port. */
export async function startTestNode(overrides: Partial<Record<keyof typeof CONFIG_SPEC, string>> = {}, opts: StartNodeOptions = {}): Promise<RunningNode> {
  return startNode(testConfig(overrides), { logger: false, ...opts });
}

/** Logs a device in over HTTP. */
export async function login(node: { url: string }, name = "Player", deviceId = `dev-${randomBytes(8).toString("hex")}`) {
  const res = await fetch(`${node.url}/api/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ deviceId, name }) });
  if (res.status !== 201) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { token: string; playerId: string; name: string; expiresAt: string };
}

/** Connects a real socket.io client and waits for connect (rejects with the connect_error data). */
export function connectClient(node: { url: string }, token: string | undefined): Promise<ClientSocket> {
  return new Promise((ok, fail) => {
    const s: ClientSocket = ioClient(node.url, { transports: ["websocket"], auth: token === undefined ? {} : { token }, reconnection: false, forceNew: true });
    s.once("connect", () => ok(s));
    s.once("connect_error", (err) => {
      s.close();
      fail(Object.assign(new Error(err.message), { data: (err as Error & { data?: unknown }).data }));
    });
  });
}

/**
 * Emits an acked event and resolves with the ack. Untyped on purpose: validation and fuzz tests send
 * unknown events and bad payloads. Typed: `TestClient.request` in test/helpers/test-cluster.ts.
 */
export function request<T = unknown>(s: ClientSocket, event: string, payload: unknown, timeoutMs = 5000): Promise<Ack<T>> {
  return (s as unknown as Socket).timeout(timeoutMs).emitWithAck(event, payload) as Promise<Ack<T>>;
}

/** Resolves with the next occurrence of an event. */
export function nextEvent<T = unknown>(s: ClientSocket, event: string, timeoutMs = 5000): Promise<T> {
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`timeout waiting for ${event}`)), timeoutMs);
    (s as unknown as Socket).once(event, (data: T) => {
      clearTimeout(timer);
      ok(data);
    });
  });
}

/** Polls until `fn` returns a truthy value or the time runs out. */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs = 5000, stepMs = 20): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`waitFor timed out${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
