import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { startEmbeddedRedis, EmbeddedRedisError, freePort } from "../server/embedded-redis.ts";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("embedded redis-server launcher", () => {
  it("starts, answers, writes its AOF, and stops", async () => {
    const dir = mkdtempSync(join(tmpdir(), "arena-embedded-"));
    const r = await startEmbeddedRedis({ port: 0, dataDir: dir });
    expect(alive(r.pid)).toBe(true);
    const client = new Redis(r.url);
    expect(await client.config("GET", "appendonly")).toEqual(["appendonly", "yes"]);
    expect(await client.config("GET", "appendfsync")).toEqual(["appendfsync", "everysec"]);
    await client.set("embedded:test", "kept");
    await client.quit();
    await r.stop();
    expect(alive(r.pid)).toBe(false);
    const aofDir = join(dir, "appendonlydir");
    expect(existsSync(aofDir)).toBe(true);
    const incr = readdirSync(aofDir).find((f) => f.endsWith(".incr.aof"))!;
    expect(readFileSync(join(aofDir, incr), "utf8")).toContain("embedded:test");
    // Restart on the same folder: the data came back from the AOF.
    const again = await startEmbeddedRedis({ port: 0, dataDir: dir });
    const c2 = new Redis(again.url);
    expect(await c2.get("embedded:test")).toBe("kept");
    await c2.quit();
    await again.stop();
  });

  it("refuses cleanly when the port is taken", async () => {
    const port = await freePort();
    const blocker = createServer().listen(port, "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    try {
      const err = await startEmbeddedRedis({ port, dataDir: mkdtempSync(join(tmpdir(), "arena-embedded-")) }).catch((e) => e);
      expect(err).toBeInstanceOf(EmbeddedRedisError);
      expect(err.message).toMatch(new RegExp(`Port ${port} is already in use`));
    } finally {
      blocker.close();
    }
  });

  it("refuses a data folder another embedded redis-server is using", async () => {
    const dir = mkdtempSync(join(tmpdir(), "arena-embedded-"));
    const first = await startEmbeddedRedis({ port: 0, dataDir: dir });
    try {
      await expect(startEmbeddedRedis({ port: 0, dataDir: dir })).rejects.toThrow(/is using/);
    } finally {
      await first.stop();
    }
  });
});
