/**
 * Loads the Lua scripts of a folder once at start and runs them by name with typed keys and args.
 * Fails fast: an empty folder, a badly named file, a file without its header, a key-count mismatch with
 * `script-signatures.ts`, or a script Redis refuses to compile stops start-up.
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { ChainableCommander, Redis } from "ioredis";
import { SCRIPT_KEY_COUNTS, type ScriptName, type ScriptSignatures } from "./script-signatures.ts";

export const DEFAULT_LUA_DIR = fileURLToPath(new URL("./lua/", import.meta.url));
const FILE_RE = /^([a-z][A-Za-z0-9]*)-(\d+)\.lua$/;

export class ScriptLoadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ScriptLoadError";
  }
}

interface LoadedScript {
  name: string;
  numberOfKeys: number;
  source: string;
  sha: string;
}

/** Reads and checks the folder's scripts without talking to Redis. */
export async function readScriptFolder(dir: string, expected: Record<string, number> | null = SCRIPT_KEY_COUNTS): Promise<Map<string, LoadedScript>> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => !f.startsWith("."));
  } catch (err) {
    throw new ScriptLoadError(`Lua folder ${dir} cannot be read`, { cause: err });
  }
  if (files.length === 0) throw new ScriptLoadError(`Lua folder ${dir} has no scripts`);
  const out = new Map<string, LoadedScript>();
  for (const file of files.sort()) {
    const m = FILE_RE.exec(file);
    if (!m) throw new ScriptLoadError(`Lua file "${file}" must be named camelName-<numberOfKeys>.lua`);
    const [, name, keys] = m as unknown as [string, string, string];
    const source = await readFile(`${dir}/${file}`, "utf8");
    if (!source.trimStart().startsWith("--[[")) throw new ScriptLoadError(`Lua file "${file}" must open with a --[[ ]] header (KEYS, ARGV, output)`);
    if (out.has(name)) throw new ScriptLoadError(`Lua script "${name}" is defined twice`);
    if (expected && expected[name] === undefined) throw new ScriptLoadError(`Lua script "${name}" has no entry in script-signatures.ts`);
    if (expected && expected[name] !== Number(keys)) throw new ScriptLoadError(`Lua script "${name}" takes ${keys} keys by its file name but ${expected[name]} by its signature`);
    out.set(name, { name, numberOfKeys: Number(keys), source, sha: createHash("sha1").update(source).digest("hex") });
  }
  if (expected) {
    const missing = Object.keys(expected).filter((n) => !out.has(n));
    if (missing.length) throw new ScriptLoadError(`Lua scripts missing from ${dir}: ${missing.join(", ")}`);
  }
  return out;
}

/** The loaded scripts of one Redis deployment; `run` is safe on any client connected to it. */
export class Scripts {
  private constructor(
    private readonly redis: Redis,
    private readonly scripts: Map<string, LoadedScript>,
  ) {}

  /** Reads the folder, checks it, and SCRIPT LOADs every script (a compile error rejects). */
  static async load(redis: Redis, dir: string = DEFAULT_LUA_DIR, expected: Record<string, number> | null = SCRIPT_KEY_COUNTS): Promise<Scripts> {
    const scripts = await readScriptFolder(dir, expected);
    for (const s of scripts.values()) {
      try {
        await redis.script("LOAD", s.source);
      } catch (err) {
        throw new ScriptLoadError(`Redis refused Lua script "${s.name}": ${(err as Error).message}`, { cause: err });
      }
    }
    return new Scripts(redis, scripts);
  }

  private get(name: string): LoadedScript {
    const s = this.scripts.get(name);
    if (!s) throw new ScriptLoadError(`Lua script "${name}" is not loaded`);
    return s;
  }

  /** Runs a script by EVALSHA, re-sending the source once if Redis lost its script cache (restart, failover). */
  async run<N extends ScriptName>(name: N, keys: ScriptSignatures[N]["keys"], args: ScriptSignatures[N]["args"], client: Redis = this.redis): Promise<ScriptSignatures[N]["result"]> {
    const s = this.get(name);
    const argv = [...keys, ...args.map(String)];
    try {
      return (await client.evalsha(s.sha, s.numberOfKeys, ...argv)) as ScriptSignatures[N]["result"];
    } catch (err) {
      if (!String((err as Error).message).includes("NOSCRIPT")) throw err;
      return (await client.eval(s.source, s.numberOfKeys, ...argv)) as ScriptSignatures[N]["result"];
    }
  }

  /** Queues a script call on a pipeline or multi (EVALSHA; scripts were loaded at start). */
  queue<N extends ScriptName>(pipeline: ChainableCommander, name: N, keys: ScriptSignatures[N]["keys"], args: ScriptSignatures[N]["args"]): void {
    const s = this.get(name);
    pipeline.evalsha(s.sha, s.numberOfKeys, ...keys, ...args.map(String));
  }

  /** Names of the loaded scripts (for /readyz). */
  names(): string[] {
    return [...this.scripts.keys()];
  }
}
