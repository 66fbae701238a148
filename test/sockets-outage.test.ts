/**
 * A Redis outage must not leave the node with unhandled rejections or lost subscriptions: the socket.io
 * adapter (un)subscribes room channels on every connect/disconnect without handling the promise.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedRedis, type EmbeddedRedis } from "../server/embedded-redis.ts";
import { startNode, type RunningNode } from "../server/node.ts";
import { loadConfig } from "../server/config.ts";
import { connectClient, login, uniquePrefix, waitFor } from "./helpers/harness.ts";

const dir = mkdtempSync(join(tmpdir(), "arena-outage-"));
let redis: EmbeddedRedis | null = null;
let node: RunningNode | null = null;
const rejections: unknown[] = [];
const onRejection = (err: unknown) => rejections.push(err);

afterAll(async () => {
  process.off("unhandledRejection", onRejection);
  await node?.stop();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("socket edge during a Redis outage", () => {
  it("survives sockets disconnecting while Redis is down, and keeps serving once it is back", async () => {
    redis = await startEmbeddedRedis({ port: 0, dataDir: dir, autoInstall: false });
    const port = redis.port;
    const config = loadConfig({}, { PORT: "0", HOST: "127.0.0.1", REDIS_URL: redis.url, KEY_PREFIX: uniquePrefix("outage"), LOG_LEVEL: "silent" });
    node = await startNode(config, { logger: false });
    const s = await login(node, "Outage");
    const sock = await connectClient(node, s.token);
    process.on("unhandledRejection", onRejection);

    await redis.stop();
    sock.close(); // the server deletes the player's room: SUNSUBSCRIBE while Redis is down
    await new Promise((r) => setTimeout(r, 2500)); // past maxRetriesPerRequest
    expect(rejections.map((e) => (e as Error).message)).toEqual([]);

    redis = await startEmbeddedRedis({ port, dataDir: dir, autoInstall: false });
    await waitFor(async () => (await fetch(`${node!.url}/readyz`)).status === 200, 10_000, 100);
    const again = await connectClient(node, s.token);
    const room = `player:${s.playerId}`;
    // The node serves the player again once Redis is back.
    const got = new Promise((ok) => again.once("server:notice", ok));
    node.io.to(room).emit("server:notice", { code: "TEST", message: "hello" } as never);
    await expect(got).resolves.toBeTruthy();
    again.close();
    expect(rejections).toEqual([]);
  }, 30_000);
});
