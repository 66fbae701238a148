import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Scripts, ScriptLoadError, readScriptFolder, DEFAULT_LUA_DIR } from "../server/redis/scripts.ts";
import { redisClient } from "./helpers/harness.ts";

const header = "--[[\n  test\n]]\n";
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "arena-lua-"));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  return dir;
}

describe("Lua script loader", () => {
  const redis = redisClient();
  afterAll(() => redis.quit());

  it("loads the project's scripts and runs one by name", async () => {
    const scripts = await Scripts.load(redis);
    expect(scripts.names()).toContain("sessionTouch");
    const key = `test:scripts:${Date.now()}`;
    expect(await scripts.run("sessionTouch", [key], [1000])).toBeNull();
    await redis.hset(key, { a: "1" });
    expect(await scripts.run("sessionTouch", [key], [5000])).toEqual(["a", "1"]);
    expect(await redis.pttl(key)).toBeGreaterThan(4000);
  });

  it("re-sends a script after Redis lost its cache (NOSCRIPT)", async () => {
    const scripts = await Scripts.load(redis);
    await redis.script("FLUSH");
    expect(await scripts.run("sessionTouch", [`test:scripts:none:${Date.now()}`], [1000])).toBeNull();
  });

  it("refuses an empty folder", async () => {
    await expect(readScriptFolder(folder({}), null)).rejects.toThrow(/has no scripts/);
  });

  it("refuses a badly named file", async () => {
    await expect(readScriptFolder(folder({ "bad_name.lua": header }), null)).rejects.toThrow(ScriptLoadError);
    await expect(readScriptFolder(folder({ "noKeys.lua": header }), null)).rejects.toThrow(/camelName-<numberOfKeys>/);
  });

  it("refuses a file without its header", async () => {
    await expect(readScriptFolder(folder({ "thing-1.lua": "return 1" }), null)).rejects.toThrow(/header/);
  });

  it("refuses key counts that disagree with the typed signatures", async () => {
    await expect(readScriptFolder(folder({ "sessionTouch-2.lua": header }))).rejects.toThrow(/takes 2 keys/);
    await expect(readScriptFolder(folder({ "unknownThing-1.lua": header }))).rejects.toThrow(/no entry in script-signatures/);
  });

  it("refuses a script Redis cannot compile", async () => {
    const dir = folder({ "broken-1.lua": `${header}return (` });
    await expect(Scripts.load(redis, dir, null)).rejects.toThrow(/refused Lua script "broken"/);
  });

  it("has a header on every project script", async () => {
    const scripts = await readScriptFolder(DEFAULT_LUA_DIR);
    for (const s of scripts.values()) expect(s.source).toMatch(/KEYS\[1\]|no keys/);
  });
});
