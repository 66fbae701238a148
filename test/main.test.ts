import { describe, expect, it, onTestFinished } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectClient, login, nextEvent, waitFor } from "./helpers/harness.ts";
import { startEmbeddedRedis } from "../server/embedded-redis.ts";

const root = new URL("..", import.meta.url).pathname;

describe("npm start entry point", () => {
  it("spawns its own redis-server, serves, and shuts both down gracefully on SIGTERM", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "arena-main-"));
    const env = { ...process.env, PORT: "0", HOST: "127.0.0.1", REDIS_DATA_DIR: dataDir, LOG_LEVEL: "warn" } as Record<string, string>;
    delete env.REDIS_URL;
    const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.on("data", (b) => (out += b));
    const exited = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)));
    const url = await new Promise<string>((ok, fail) => {
      const t = setTimeout(() => fail(new Error(`no ready line:\n${out}`)), 20_000);
      child.stdout.on("data", () => {
        const m = /ready at (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(t);
          ok(m[1]!);
        }
      });
    });
    const redisPid = Number(/redis-server pid (\d+)/.exec(out)?.[1]);
    expect(redisPid).toBeGreaterThan(0);

    const s = await login({ url }, "Graceful");
    const sock = await connectClient({ url }, s.token);
    const notice = nextEvent<{ code: string }>(sock, "server:notice");
    const gone = new Promise<string>((ok) => sock.once("disconnect", (r) => ok(r)));
    child.kill("SIGTERM");
    expect((await notice).code).toBe("SERVER_SHUTTING_DOWN");
    expect(await gone).toBe("io server disconnect");
    expect(await exited).toBe(0);
    expect(() => process.kill(redisPid, 0)).toThrow();
    sock.close();
  });

  it("never prints the Redis password: not in the start-up line, not in logs, not in config errors", async () => {
    const secret = "start-up-secret-pw-42";
    // Its own redis-server (it needs no password: ioredis warns and goes on), the secret in the URL.
    const dir = mkdtempSync(join(tmpdir(), "arena-secret-"));
    const redis = await startEmbeddedRedis({ port: 0, dataDir: dir, autoInstall: false, extraArgs: ["--appendonly", "no"] });
    onTestFinished(async () => {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const target = new URL(redis.url);
    const env = { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", KEY_PREFIX: "test:main-secret:", REDIS_URL: `redis://:${secret}@${target.host}/0` } as Record<string, string>;
    const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.on("data", (b) => (out += b));
    const exited = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)));
    await waitFor(() => /ready at http/.test(out), 20_000);
    await fetch(`${/ready at (http:\/\/\S+)/.exec(out)![1]}/healthz`);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(out).toContain(`(redis redis://:***@${target.host}/0)`);
    expect(out).not.toContain(secret);

    const bad = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], { cwd: root, env: { ...process.env, REDIS_URL: `redis//:${secret}@db:6379` }, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    bad.stderr.on("data", (b) => (err += b));
    bad.stdout.on("data", (b) => (err += b));
    expect(await new Promise((ok) => bad.once("exit", ok))).toBe(1);
    expect(err).toMatch(/REDIS_URL must be a redis/);
    expect(err).not.toContain(secret);
  });

  it("exits 1 listing every bad variable", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
      cwd: root,
      env: { ...process.env, PORT: "nope", TICK_HZ: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (b) => (err += b));
    const code = await new Promise((ok) => child.once("exit", ok));
    expect(code).toBe(1);
    expect(err).toMatch(/PORT must be an integer/);
    expect(err).toMatch(/TICK_HZ must be between 1 and 120/);
  });
});
