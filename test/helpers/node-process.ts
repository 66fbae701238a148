/**
 * A game node as its own OS process (`node --import tsx server/main.ts`, the image's CMD), for tests that
 * kill nodes for real (kill -9, SIGTERM) or put a real load balancer in front of them.
 */
import { spawn, type ChildProcess } from "node:child_process";

const ROOT = new URL("../..", import.meta.url).pathname;

export interface NodeProcess {
  id: string;
  /** The URL from the node's ready line. */
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Everything the process printed so far. */
  out(): string;
}

/** Starts a node with `env` on top of the current environment and waits for its ready line. */
export async function spawnNodeProcess(id: string, env: Record<string, string>, timeoutMs = 25_000): Promise<NodeProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: ROOT,
    env: { ...(process.env as Record<string, string>), NODE_ID: id, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (b) => (out += b));
  child.stderr!.on("data", (b) => (out += b));
  const exited = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)));
  const url = await new Promise<string>((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`${id}: no ready line after ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = () => {
      const m = /ready at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        ok(m[1]!);
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(t);
      fail(new Error(`${id} exited (${code}) before ready:\n${out}`));
    });
  });
  return { id, url, child, exited, out: () => out };
}

/** Sends `signal` and waits for the exit (SIGKILL after `timeoutMs`); resolves with the exit code. */
export async function stopNodeProcess(p: NodeProcess, signal: NodeJS.Signals = "SIGTERM", timeoutMs = 15_000): Promise<number | null> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return p.child.exitCode;
  p.child.kill(signal);
  const t = setTimeout(() => p.child.kill("SIGKILL"), timeoutMs);
  try {
    return await p.exited;
  } finally {
    clearTimeout(t);
  }
}
