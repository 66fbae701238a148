/**
 * Runs the repo's HAProxy config (deploy/haproxy/haproxy.cfg) for real, in master-worker mode as the
 * compose image does, with test addresses given through the environment variables the file reads.
 * Also: the runtime API (stats socket) and the master CLI.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const HAPROXY_CFG = new URL("../../deploy/haproxy/haproxy.cfg", import.meta.url).pathname;

/** Sends one command to a HAProxy CLI socket (runtime API or master CLI) and returns the reply. */
export function haproxyCli(socketPath: string, command: string, timeoutMs = 3000): Promise<string> {
  return new Promise((ok, fail) => {
    let out = "";
    const c = connect(socketPath);
    const t = setTimeout(() => {
      c.destroy();
      fail(new Error(`no reply to "${command}" on ${socketPath}`));
    }, timeoutMs);
    c.on("data", (b) => (out += b));
    c.on("error", (err) => {
      clearTimeout(t);
      fail(err);
    });
    c.on("end", () => {
      clearTimeout(t);
      ok(out);
    });
    // Half-close: the master CLI answers and closes only once our side is done.
    c.end(`${command}\n`);
  });
}

export interface ServerState {
  name: string;
  /** UP, DOWN, MAINT (resolution), "UP 1/2" while rising... */
  status: string;
  /** The address the server resolved to ("" while unresolved). */
  addr: string;
  /** Current sessions (open WebSockets and in-flight requests). */
  scur: number;
  /** Last health check, e.g. L7OK, L4CON, L7STS. */
  checkStatus: string;
}

export interface RunningHaproxy {
  child: ChildProcess;
  /** The public frontend, e.g. http://127.0.0.1:41234 */
  url: string;
  statsUrl: string;
  adminSocket: string;
  masterSocket: string;
  out(): string;
  /** The servers of backend `nodes`, from the runtime API. */
  servers(): Promise<ServerState[]>;
  /** Worker PIDs from the master CLI (after a reload the old ones stay listed while they drain). */
  workers(): Promise<{ pid: number; reloads: number }[]>;
  stop(): Promise<void>;
}

/** Starts `haproxy -W -db -f deploy/haproxy/haproxy.cfg` with the given variables; resolves once it listens. */
export async function startHaproxy(vars: { bindPort: number; statsPort: number; dns: string; nodes: string; extra?: Record<string, string> }): Promise<RunningHaproxy> {
  const dir = mkdtempSync(join(tmpdir(), "arena-lb-"));
  const adminSocket = join(dir, "admin.sock");
  const masterSocket = join(dir, "master.sock");
  const env = {
    ...(process.env as Record<string, string>),
    ARENA_LB_BIND: `127.0.0.1:${vars.bindPort}`,
    ARENA_LB_STATS_BIND: `127.0.0.1:${vars.statsPort}`,
    ARENA_LB_DNS: vars.dns,
    ARENA_LB_NODES: vars.nodes,
    ARENA_LB_SOCKET: adminSocket,
    // The compose value needs nofile 100000; a test machine's limit is often lower.
    ARENA_LB_MAXCONN: "2000",
    ...vars.extra,
  };
  const child = spawn("haproxy", ["-W", "-db", "-S", masterSocket, "-f", HAPROXY_CFG], { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (b) => (out += b));
  child.stderr!.on("data", (b) => (out += b));
  const exited = new Promise<void>((ok) => child.once("exit", () => ok()));
  const statsUrl = `http://127.0.0.1:${vars.statsPort}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}):\n${out}`);
    const up = await fetch(`${statsUrl}/healthz`).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > deadline) throw new Error(`haproxy did not listen within 10 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const workers = async () => {
    const reply = await haproxyCli(masterSocket, "show proc");
    return [...reply.matchAll(/^(\d+)\s+worker\s+(\d+)/gm)].map((m) => ({ pid: Number(m[1]), reloads: Number(m[2]) }));
  };
  return {
    child,
    url: `http://127.0.0.1:${vars.bindPort}`,
    statsUrl,
    adminSocket,
    masterSocket,
    out: () => out,
    async servers() {
      const csv = await haproxyCli(adminSocket, "show stat");
      const [head, ...rows] = csv.trim().split("\n");
      const cols = head!.replace(/^# /, "").split(",");
      const at = (name: string) => cols.indexOf(name);
      return rows
        .map((r) => r.split(","))
        .filter((f) => f[at("pxname")] === "nodes" && f[at("svname")] !== "BACKEND")
        .map((f) => ({
          name: f[at("svname")]!,
          status: f[at("status")]!,
          addr: f[at("addr")] ?? "",
          scur: Number(f[at("scur")]),
          checkStatus: f[at("check_status")] ?? "",
        }));
    },
    workers,
    async stop() {
      // Old workers still draining after a reload are the master's children: a hard stop (SIGTERM to
      // the master) ends them too. Kill by PID whatever survives, never by name.
      const pids = await workers().then((w) => w.map((x) => x.pid), () => [] as number[]);
      if (child.exitCode === null) child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
      for (const pid of pids) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
