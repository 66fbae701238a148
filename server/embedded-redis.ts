/**
 * Runs a real redis-server as a child process for `npm start` without REDIS_URL (and for the test
 * harness): its own port, AOF on, data under a folder, stopped with its parent. Where redis-server is
 * missing it is installed with apt-get when we are root, otherwise start-up stops saying how to get it.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { resolve, join, delimiter } from "node:path";

export class EmbeddedRedisError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "EmbeddedRedisError";
  }
}

export interface EmbeddedRedisOptions {
  /** 0 = pick a free port. */
  port: number;
  dataDir: string;
  /** Install with apt-get when missing and running as root (default true). */
  autoInstall?: boolean;
  /** Extra redis-server arguments, e.g. ["--appendonly", "no"]. */
  extraArgs?: string[];
  log?: (msg: string) => void;
  startTimeoutMs?: number;
}

export interface EmbeddedRedis {
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  /** Stops redis-server (SIGTERM: it flushes the AOF and exits) and waits for it. */
  stop(): Promise<void>;
}

const HOW_TO_INSTALL = [
  "redis-server (Redis >= 7) was not found on PATH. Either:",
  "  - Debian/Ubuntu: sudo apt-get install -y redis-server",
  "  - macOS:         brew install redis",
  "  - use an existing Redis: REDIS_URL=redis://host:6379 npm start",
  "  - or run one in Docker:  docker compose up -d redis  (then REDIS_URL=redis://localhost:6379)",
].join("\n");

/** Finds redis-server on PATH (and the sbin folders Debian uses). */
export function findRedisServer(): string | null {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/bin", "/usr/sbin", "/usr/local/bin", "/opt/homebrew/bin"];
  for (const d of dirs) {
    const candidate = join(d, "redis-server");
    if (d && existsSync(candidate)) return candidate;
  }
  return null;
}

function ensureRedisServer(autoInstall: boolean, log: (m: string) => void): string {
  const found = findRedisServer();
  if (found) return found;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (autoInstall && isRoot && existsSync("/usr/bin/apt-get")) {
    log("redis-server not found; installing it with apt-get (running as root)...");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const update = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    const install = update.status === 0 ? spawnSync("apt-get", ["install", "-y", "-qq", "redis-server"], { stdio: "inherit", env }) : update;
    const after = findRedisServer();
    if (install.status === 0 && after) return after;
    throw new EmbeddedRedisError(`apt-get could not install redis-server.\n${HOW_TO_INSTALL}`);
  }
  throw new EmbeddedRedisError(HOW_TO_INSTALL);
}

/** Asks the OS for a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? ok(addr.port) : fail(new Error("no port"))));
    });
  });
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const sock = createConnection({ port, host: "127.0.0.1" });
    sock.once("connect", () => {
      sock.destroy();
      ok(true);
    });
    sock.once("error", () => ok(false));
  });
}

/** Sends a raw PING; resolves true on +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const sock = createConnection({ port, host: "127.0.0.1" });
    const done = (v: boolean) => {
      sock.destroy();
      ok(v);
    };
    sock.setTimeout(500, () => done(false));
    sock.once("connect", () => sock.write("PING\r\n"));
    sock.once("data", (buf) => done(buf.toString().startsWith("+PONG")));
    sock.once("error", () => done(false));
  });
}

/** True when `pid` is a live redis-server (a reused pid of another program does not count). */
function redisPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("redis-server");
  } catch {
    return true; // no /proc (macOS): trust the signal check
  }
}

/** Starts redis-server and resolves once it answers PING. */
export async function startEmbeddedRedis(opts: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const log = opts.log ?? (() => {});
  const bin = ensureRedisServer(opts.autoInstall ?? true, log);
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });

  // Two redis-servers appending to one AOF would corrupt it: refuse while another owns the folder.
  const lockFile = join(dataDir, "embedded.pid");
  if (existsSync(lockFile)) {
    const other = Number(readFileSync(lockFile, "utf8").trim());
    if (other && redisPidAlive(other)) {
      throw new EmbeddedRedisError(`Another embedded redis-server (pid ${other}) is using ${dataDir}. Stop it, or set REDIS_DATA_DIR or REDIS_URL.`);
    }
  }

  const port = opts.port === 0 ? await freePort() : opts.port;
  if (await portInUse(port)) {
    throw new EmbeddedRedisError(`Port ${port} is already in use; set REDIS_EMBEDDED_PORT to a free port (or 0 for any), or REDIS_URL to use that server.`);
  }

  const args = [
    "--port", String(port),
    "--bind", "127.0.0.1",
    "--dir", dataDir,
    "--appendonly", "yes",
    "--appendfsync", "everysec",
    "--save", "",
    "--daemonize", "no",
    "--logfile", "",
    "--loglevel", "warning",
    ...(opts.extraArgs ?? []),
  ];
  const child: ChildProcess = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited = false;
  const exitPromise = new Promise<void>((ok) => child.once("exit", () => {
    exited = true;
    ok();
  }));
  child.once("error", (err) => {
    output += `\n${err.message}`;
  });

  const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
  while (!(await ping(port))) {
    if (exited) throw new EmbeddedRedisError(`redis-server exited during start-up:\n${output.trim()}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new EmbeddedRedisError(`redis-server did not answer PING on port ${port} within ${opts.startTimeoutMs ?? 10_000} ms:\n${output.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  writeFileSync(lockFile, String(child.pid));
  // If the parent dies without running stop(), at least do not leave redis-server running.
  const onExit = () => {
    if (!exited) child.kill("SIGTERM");
  };
  process.once("exit", onExit);
  log(`embedded redis-server pid ${child.pid} on port ${port}, data in ${dataDir}`);

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    dataDir,
    async stop() {
      process.removeListener("exit", onExit);
      if (!exited) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exitPromise;
        clearTimeout(timer);
      }
      rmSync(lockFile, { force: true });
    },
  };
}
