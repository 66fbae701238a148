import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Scripts, ScriptLoadError, readScripts, scriptFolders } from "../server/redis/scripts.ts";
import { SCRIPT_KEY_COUNTS } from "../server/redis/script-signatures.ts";
import { redisClient } from "./helpers/harness.ts";

const header = "--[[\n  test\n]]\n";
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "arena-lua-"));
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return dir;
}

describe("Lua script loader", () => {
  const redis = redisClient();
  afterAll(() => redis.quit());

  it("loads the project's scripts from every feature folder and runs one by name", async () => {
    const scripts = await Scripts.load(redis);
    expect(scripts.names().sort()).toEqual(Object.keys(SCRIPT_KEY_COUNTS).sort());
    const key = `test:scripts:${Date.now()}`;
    expect(await scripts.run("sessionTouch", [key], [1000])).toBeNull();
    await redis.hset(key, { a: "1" });
    expect(await scripts.run("sessionTouch", [key], [5000])).toEqual(["a", "1"]);
    expect(await redis.pttl(key)).toBeGreaterThan(4000);
  });

  it("re-sends a script after Redis lost its cache (NOSCRIPT): plain calls and pipelines; refuses a MULTI", async () => {
    const scripts = await Scripts.load(redis);
    const key = `test:scripts:flush:${Date.now()}`;
    await redis.hset(key, { a: "1" });
    await scripts.run("sessionTouch", [key], [1000]);
    await redis.script("FLUSH");
    expect(await scripts.missing()).toContain("sessionTouch");
    expect(await scripts.run("sessionTouch", [key], [1000])).toEqual(["a", "1"]);
    await redis.script("FLUSH");
    const p = redis.pipeline();
    scripts.queue(p, "sessionTouch", [key], [2000]);
    scripts.queue(p, "sessionTouch", [key], [3000]);
    expect(await p.exec()).toEqual([
      [null, ["a", "1"]],
      [null, ["a", "1"]],
    ]);
    expect(await redis.pttl(key)).toBeGreaterThan(2000);
    // Inside MULTI, NOSCRIPT comes at EXEC after the other commands ran: never allowed.
    const m = redis.multi().set(`${key}:x`, "1");
    expect(() => scripts.queue(m, "sessionTouch", [key], [4000])).toThrow(/inside a MULTI/);
    m.discard();
    await scripts.reload();
    expect(await scripts.missing()).toEqual([]);
  });

  it("refuses an empty folder", () => {
    expect(() => readScripts([folder({})], null)).toThrow(/has no scripts/);
  });

  it("refuses a badly named file", () => {
    expect(() => readScripts([folder({ "bad_name.lua": header })], null)).toThrow(ScriptLoadError);
    expect(() => readScripts([folder({ "noKeys.lua": header })], null)).toThrow(/camelName-<numberOfKeys>/);
  });

  it("refuses a file without its header", () => {
    expect(() => readScripts([folder({ "thing-1.lua": "return 1" })], null)).toThrow(/header/);
  });

  it("refuses key counts that disagree with the typed signatures", () => {
    expect(() => readScripts([folder({ "sessionTouch-2.lua": header })])).toThrow(/takes 2 keys/);
    expect(() => readScripts([folder({ "unknownThing-1.lua": header })])).toThrow(/no entry in script-signatures/);
  });

  it("inlines includes once, and refuses unknown or cyclic ones", async () => {
    const dir = folder({
      "twice-0.lua": `${header}--- @include "includes/one"\n--- @include "includes/one"\nreturn one()\n`,
      "includes/one.lua": "local function one()\n  return 1\nend\n",
    });
    const [s] = [...readScripts([dir], null).values()];
    expect(s!.lua.match(/local function one/g)).toHaveLength(1);
    const scripts = await Scripts.load(redis, [dir], null);
    expect(await (redis as unknown as { twice: () => Promise<number> }).twice()).toBe(1);
    expect(scripts.names()).toEqual(["twice"]);
    expect(() => readScripts([folder({ "x-0.lua": `${header}--- @include "includes/nope"\n` })], null)).toThrow(/does not exist/);
    const cyclic = folder({ "x-0.lua": `${header}--- @include "includes/a"\n`, "includes/a.lua": '--- @include "b"\n', "includes/b.lua": '--- @include "a"\n' });
    expect(() => readScripts([cyclic], null)).toThrow(/include cycle/);
  });

  it("refuses a script Redis cannot compile", async () => {
    const dir = folder({ "broken-1.lua": `${header}return (` });
    await expect(Scripts.load(redis, [dir], null)).rejects.toThrow(/refused Lua script "broken"/);
  });

  it("has a header listing its keys on every project script, each owned by a feature folder", () => {
    const scripts = readScripts(scriptFolders());
    for (const s of scripts.values()) {
      expect(s.lua, s.name).toMatch(/KEYS\[1\]|no keys/);
      expect(["sessions", "players", "limits", "matchmaking", "matches", "boards"]).toContain(s.owner);
    }
  });
});
