/**
 * Starting and stopping what one capacity measurement needs: the server process of a target (the arena
 * node with its throwaway redis-server, the bare relay, or the Colyseus room server), each with the probe
 * of probe.ts, and the bot worker processes of bots.ts. Every process is forked with `--import tsx` so its
 * pid is the process measured (no wrapper process in between).
 */
import { fork, type ChildProcess } from "node:child_process";
import { openSync, closeSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { startBenchRedis, type BenchRedis } from "../lib.ts";
import type { TargetKind, WorkerInit, WorkerStatus, WorkerWindow } from "./bots.ts";
import type { ServerStats } from "./probe.ts";

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const ENTRY: Record<TargetKind, string> = { arena: here("./arena-node.ts"), relay: here("./relay-server.ts"), colyseus: here("./colyseus-server.ts") };

/** Sends `msg` and resolves the first message whose cmd is `reply` (rejects after `timeoutMs` or on exit). */
export function ask<T>(child: ChildProcess, msg: object | null, reply: string, timeoutMs = 120_000): Promise<T> {
  return new Promise((ok, fail) => {
    const done = (fn: () => void) => {
      clearTimeout(timer);
      child.off("message", onMsg);
      child.off("exit", onExit);
      fn();
    };
    const onMsg = (m: { cmd?: string }) => m?.cmd === reply && done(() => ok(m as T));
    const onExit = (code: number | null) => done(() => fail(new Error(`process ${child.pid} exited (${code}) while waiting for ${reply}`)));
    const timer = setTimeout(() => done(() => fail(new Error(`no ${reply} from process ${child.pid} within ${timeoutMs} ms`))), timeoutMs);
    child.on("message", onMsg);
    child.on("exit", onExit);
    if (msg) child.send(msg);
  });
}

export interface SharedSettings {
  tickHz: number;
  countdownMs: number;
  durationMs: number;
  /** Extra environment of the arena node (RATE_LIMITS, LOG_LEVEL, ...). */
  arenaEnv: Record<string, string>;
  outDir: string;
}

export interface TargetServer {
  kind: TargetKind;
  url: string;
  pid: number;
  child: ChildProcess;
  /** Redis CPU seconds so far (arena only; 0 for the baselines, which have no Redis). */
  redisCpu(): Promise<number>;
  read(): Promise<ServerStats>;
  mark(): Promise<void>;
  stop(): Promise<void>;
}

export async function startServer(kind: TargetKind, s: SharedSettings, execArgv: string[] = []): Promise<TargetServer> {
  let redis: BenchRedis | null = null;
  let redisClient: Redis | null = null;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    TICK_HZ: String(s.tickHz),
    MATCH_COUNTDOWN_MS: String(s.countdownMs),
    MATCH_DURATION_MS: String(s.durationMs),
    MATCH_MIN_PLAYERS: "8",
    MATCH_MAX_PLAYERS: "8",
  };
  if (kind === "arena") {
    redis = await startBenchRedis("capacity");
    redisClient = new Redis(redis.url, { lazyConnect: false });
    Object.assign(env, { PORT: "0", HOST: "127.0.0.1", REDIS_URL: redis.url, KEY_PREFIX: `cap${randomBytes(3).toString("hex")}:`, NODE_ID: "bench-arena" }, s.arenaEnv);
  }
  const log = openSync(join(s.outDir, `${kind}-${Date.now()}.log`), "a");
  const child = fork(ENTRY[kind], [], { execArgv: ["--import", "tsx", ...execArgv], env, stdio: ["ignore", log, log, "ipc"] });
  closeSync(log);
  let ready: { url: string; pid: number };
  try {
    ready = await ask<{ url: string; pid: number }>(child, null, "ready", 60_000);
  } catch (err) {
    child.kill("SIGKILL");
    redisClient?.disconnect();
    await redis?.stop();
    throw err;
  }
  return {
    kind,
    url: ready.url,
    pid: ready.pid,
    child,
    async redisCpu() {
      if (!redisClient) return 0;
      const info = await redisClient.info("cpu");
      return Number(/used_cpu_user:([\d.]+)/.exec(info)![1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)![1]);
    },
    read: () => ask<ServerStats>(child, { cmd: "read" }, "stats", 30_000),
    mark: async () => void (await ask(child, { cmd: "mark" }, "marked", 30_000)),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((ok) => child.once("exit", ok));
        child.send({ cmd: "exit" });
        const t = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(t);
      }
      redisClient?.disconnect();
      await redis?.stop();
    },
  };
}

export interface Workers {
  children: ChildProcess[];
  /** Sends one message to every worker and resolves their replies. */
  all<T>(msg: object | ((i: number) => object), timeoutMs?: number): Promise<T[]>;
  status(): Promise<WorkerStatus>;
  stop(): Promise<void>;
}

export async function startWorkers(n: number, init: Omit<WorkerInit, "cmd" | "workerId">): Promise<Workers> {
  const children = Array.from({ length: n }, () => fork(here("./bots.ts"), [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] }));
  await Promise.all(children.map((c) => ask(c, null, "ready", 60_000)));
  const all = <T>(msg: object | ((i: number) => object), timeoutMs = 120_000) =>
    Promise.all(children.map((c, i) => {
      const m = (typeof msg === "function" ? msg(i) : msg) as { cmd: string };
      return ask<T>(c, m, `${m.cmd}:done`, timeoutMs);
    }));
  await all((i) => ({ cmd: "init", workerId: i, ...init }));
  return {
    children,
    all,
    async status() {
      const s = await all<WorkerStatus>({ cmd: "status" });
      return s.reduce((a, b) => ({ total: a.total + b.total, inMatch: a.inMatch + b.inMatch, playing: a.playing + b.playing, connectedIdle: a.connectedIdle + b.connectedIdle, errors: a.errors + b.errors }));
    },
    async stop() {
      await Promise.all(children.map((c) => {
        if (c.exitCode !== null) return;
        const exited = new Promise((ok) => c.once("exit", ok));
        c.send({ cmd: "exit" });
        const t = setTimeout(() => c.kill("SIGKILL"), 10_000);
        return exited.then(() => clearTimeout(t));
      }));
    },
  };
}

export type { WorkerWindow };
