/**
 * The Lua scripts: read once at start from each feature's `lua/` folder, checked, and registered on every
 * client with ioredis `defineCommand`. ioredis sends a script's source the first time a connection runs it
 * and re-sends it whenever Redis answers NOSCRIPT (a restart, a failover, SCRIPT FLUSH, a new cluster
 * node), for plain calls and pipelines alike, so no call path depends on Redis's script cache.
 *
 * Scripts are never queued inside a MULTI (`queue` refuses): there Redis answers NOSCRIPT only at EXEC,
 * after the transaction's other commands ran, so no client can resend it safely. A script is atomic by
 * itself; what must happen together with it belongs in the script.
 *
 * Fails fast: a missing folder, a badly named file, a file without its header, an unknown include, a
 * key-count mismatch with `script-signatures.ts`, or a script Redis refuses to compile stops start-up.
 * Shared fragments are pulled in with `--- @include "includes/name"` (as BullMQ does), resolved here.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ChainableCommander } from "ioredis";
import { masters, type RedisClient } from "./connection.ts";
import { SCRIPT_KEY_COUNTS, type ScriptName, type ScriptSignatures } from "./script-signatures.ts";

/** The server folder: every `<feature>/lua/` below it holds that feature's scripts. */
const SERVER_DIR = fileURLToPath(new URL("../", import.meta.url));
const FILE_RE = /^([a-z][A-Za-z0-9]*)-(\d+)\.lua$/;
const INCLUDE_RE = /^--- @include "([A-Za-z0-9_/.-]+)"\s*$/gm;

export class ScriptLoadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ScriptLoadError";
  }
}

export interface ScriptSource {
  name: string;
  numberOfKeys: number;
  /** Source with every include inlined: what Redis runs. */
  lua: string;
  sha: string;
  /** The feature folder that owns the script (e.g. "matches"). */
  owner: string;
}

/** Every `<feature>/lua` folder of the server. */
export function scriptFolders(root: string = SERVER_DIR): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, "lua")))
    .map((d) => join(root, d.name, "lua"))
    .sort();
}

/** Inlines `--- @include "path"` lines (relative to the including file, `.lua` implied), each once. */
function resolveIncludes(source: string, file: string, seen: Set<string>, chain: string[]): string {
  return source.replace(INCLUDE_RE, (_line, ref: string) => {
    const path = resolve(dirname(file), ref.endsWith(".lua") ? ref : `${ref}.lua`);
    if (chain.includes(path)) throw new ScriptLoadError(`Lua include cycle: ${[...chain, path].map((p) => relative(SERVER_DIR, p)).join(" -> ")}`);
    if (seen.has(path)) return `-- (${ref} included above)`;
    if (!existsSync(path)) throw new ScriptLoadError(`Lua file ${relative(SERVER_DIR, file)} includes "${ref}", which does not exist`);
    seen.add(path);
    return resolveIncludes(readFileSync(path, "utf8"), path, seen, [...chain, path]);
  });
}

/** Reads and checks the scripts of some folders without talking to Redis. */
export function readScripts(dirs: readonly string[] = scriptFolders(), expected: Record<string, number> | null = SCRIPT_KEY_COUNTS): Map<string, ScriptSource> {
  const out = new Map<string, ScriptSource>();
  if (dirs.length === 0) throw new ScriptLoadError("No Lua folders found");
  for (const dir of dirs) {
    let files: string[];
    try {
      // Sub-folders (includes/) hold fragments, not scripts.
      files = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isFile() && !d.name.startsWith(".")).map((d) => d.name);
    } catch (err) {
      throw new ScriptLoadError(`Lua folder ${dir} cannot be read`, { cause: err });
    }
    if (files.length === 0) throw new ScriptLoadError(`Lua folder ${dir} has no scripts`);
    const owner = relative(SERVER_DIR, dirname(dir)) || dir;
    for (const file of files.sort()) {
      const m = FILE_RE.exec(file);
      if (!m) throw new ScriptLoadError(`Lua file "${file}" must be named camelName-<numberOfKeys>.lua`);
      const [, name, keys] = m as unknown as [string, string, string];
      const path = join(dir, file);
      const raw = readFileSync(path, "utf8");
      if (!raw.trimStart().startsWith("--[[")) throw new ScriptLoadError(`Lua file "${file}" must open with a --[[ ]] header (KEYS, ARGV, output)`);
      if (out.has(name)) throw new ScriptLoadError(`Lua script "${name}" is defined twice`);
      if (expected && expected[name] === undefined) throw new ScriptLoadError(`Lua script "${name}" has no entry in script-signatures.ts`);
      if (expected && expected[name] !== Number(keys)) throw new ScriptLoadError(`Lua script "${name}" takes ${keys} keys by its file name but ${expected[name]} by its signature`);
      const lua = resolveIncludes(raw, path, new Set(), [path]);
      out.set(name, { name, numberOfKeys: Number(keys), lua, sha: createHash("sha1").update(lua).digest("hex"), owner });
    }
  }
  if (expected) {
    const missing = Object.keys(expected).filter((n) => !out.has(n));
    if (missing.length) throw new ScriptLoadError(`Lua scripts missing: ${missing.join(", ")}`);
  }
  return out;
}

type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

/** The scripts of one Redis deployment, callable by name with typed keys and arguments on any client. */
export class Scripts {
  private readonly defined = new WeakSet<object>();

  private constructor(
    private readonly main: RedisClient,
    private readonly sources: Map<string, ScriptSource>,
  ) {
    this.define(main);
  }

  /** Reads the folders, checks them, registers the scripts on `main` and compiles each on every master. */
  static async load(main: RedisClient, dirs?: readonly string[], expected: Record<string, number> | null = SCRIPT_KEY_COUNTS): Promise<Scripts> {
    const scripts = new Scripts(main, readScripts(dirs, expected));
    // Compiled now so a syntax error stops start-up (ioredis would only send it on first use).
    await scripts.loadInto(masters(main));
    return scripts;
  }

  /** Registers every script on a client (idempotent). Every connection that runs scripts needs this. */
  define(client: RedisClient): void {
    if (this.defined.has(client)) return;
    for (const s of this.sources.values()) client.defineCommand(s.name, { lua: s.lua, numberOfKeys: s.numberOfKeys });
    this.defined.add(client);
  }

  /** Runs a script (on `client`, default the main connection). */
  run<N extends ScriptName>(name: N, keys: ScriptSignatures[N]["keys"], args: ScriptSignatures[N]["args"], client: RedisClient = this.main): Promise<ScriptSignatures[N]["result"]> {
    this.define(client);
    return (client as unknown as Record<string, ScriptFn>)[this.get(name).name]!(...keys, ...args) as Promise<ScriptSignatures[N]["result"]>;
  }

  /** Queues a script call on a pipeline (not a MULTI: see the header) of a client the scripts are defined on. */
  queue<N extends ScriptName>(pipeline: ChainableCommander, name: N, keys: ScriptSignatures[N]["keys"], args: ScriptSignatures[N]["args"]): void {
    if (((pipeline as unknown as { _transactions?: number })._transactions ?? 0) > 0) {
      throw new ScriptLoadError(`Lua script "${name}" queued inside a MULTI: NOSCRIPT there cannot be retried safely; use a pipeline or put the work in the script`);
    }
    (pipeline as unknown as Record<string, ScriptFn>)[this.get(name).name]!(...keys, ...args);
  }

  /** Names of scripts missing from some master's script cache (readiness; they are re-sent on use). */
  async missing(): Promise<string[]> {
    const list = [...this.sources.values()];
    const replies = await Promise.all(masters(this.main).map((m) => m.script("EXISTS", ...list.map((s) => s.sha)) as Promise<number[]>));
    return list.filter((_, i) => replies.some((r) => r[i] !== 1)).map((s) => s.name);
  }

  /** SCRIPT LOADs every script into the given servers (start-up check; refill after a flush). */
  async loadInto(servers: readonly RedisClient[]): Promise<void> {
    for (const server of servers) {
      for (const s of this.sources.values()) {
        try {
          await server.script("LOAD", s.lua);
        } catch (err) {
          throw new ScriptLoadError(`Redis refused Lua script "${s.name}": ${(err as Error).message}`, { cause: err });
        }
      }
    }
  }

  /** Reloads the scripts into every master (after a flushed cache; a plain call would do it lazily). */
  reload(): Promise<void> {
    return this.loadInto(masters(this.main));
  }

  /** Names of the loaded scripts. */
  names(): string[] {
    return [...this.sources.keys()];
  }

  /** Every script with its owner folder (ownership checks, docs). */
  list(): ScriptSource[] {
    return [...this.sources.values()];
  }

  private get(name: string): ScriptSource {
    const s = this.sources.get(name);
    if (!s) throw new ScriptLoadError(`Lua script "${name}" is not loaded`);
    return s;
  }
}
