/**
 * Every key family and every Lua script has one owner, a feature folder under server/ (see keys.ts and
 * each feature's lua/ folder). This reads the sources: a folder that builds another owner's keys or runs
 * another owner's script fails here, with the file and the line. Other folders (core, http, sockets,
 * redis) build no feature keys at all.
 */
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { readScripts, scriptFolders } from "../server/redis/scripts.ts";

const SERVER = new URL("../server/", import.meta.url).pathname;

/** The key namespaces each feature folder owns (keys.ts groups keys by these names). */
const OWNED: Record<string, readonly string[]> = {
  sessions: ["sessions"],
  players: ["players"],
  matchmaking: ["matchmaking"],
  matches: ["matches"],
  boards: ["boards", "analytics"],
  nodes: ["nodes"],
  limits: ["limits"],
  admin: ["admin"],
};
const NAMESPACES = Object.values(OWNED).flat();
const KEY_USE = new RegExp(`\\bkeys\\.(${NAMESPACES.join("|")})\\b|Keys\\["(${NAMESPACES.join("|")})"\\]`, "g");
const SCRIPT_USE = /\b(?:run|queue)\(\s*(?:\w+,\s*)?"([a-z][A-Za-z0-9]*)"/g;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

function violations(): string[] {
  const owners = new Map([...readScripts(scriptFolders()).values()].map((s) => [s.name, s.owner]));
  const out: string[] = [];
  for (const file of sources(SERVER)) {
    const rel = relative(SERVER, file);
    if (rel === "redis/keys.ts") continue;
    const folder = rel.includes("/") ? rel.slice(0, rel.indexOf("/")) : "";
    const mine = OWNED[folder] ?? [];
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        for (const m of line.matchAll(KEY_USE)) {
          const ns = m[1] ?? m[2]!;
          if (!mine.includes(ns)) out.push(`${rel}:${i + 1} uses keys.${ns} (owned by ${Object.keys(OWNED).find((o) => OWNED[o]!.includes(ns))})`);
        }
        for (const m of line.matchAll(SCRIPT_USE)) {
          const owner = owners.get(m[1]!);
          if (owner && owner !== folder) out.push(`${rel}:${i + 1} runs script ${m[1]} (owned by ${owner})`);
        }
      });
  }
  return out;
}

describe("ownership of keys and scripts", () => {
  it("no folder builds another owner's keys or runs another owner's scripts", () => {
    expect(violations()).toEqual([]);
  });

  it("the check sees a violation (it can fail)", () => {
    const sample = `await this.redis.get(this.keys.players.match(id)); scripts.run("matchClaim", [], []);`;
    expect([...sample.matchAll(KEY_USE)].map((m) => m[1])).toEqual(["players"]);
    expect([...sample.matchAll(SCRIPT_USE)].map((m) => m[1])).toEqual(["matchClaim"]);
  });
});
