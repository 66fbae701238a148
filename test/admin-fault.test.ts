/**
 * Nodes as real processes over one Redis: the dashboard on a surviving node flags a node killed with
 * kill -9 as dead (it stopped heartbeating), keeps pushing, and forgets a node stopped gracefully (SIGTERM)
 * instead of calling it dead.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { redisUrl, uniquePrefix, waitFor } from "./helpers/harness.ts";
import { adminRequest, connectAdmin, type AdminClient } from "./helpers/admin-client.ts";
import type { AdminOverview } from "../shared/admin-api.ts";

const root = new URL("..", import.meta.url).pathname;
const prefix = uniquePrefix("admfault");
const TOKEN = "fault-token-0123456789abc";

interface NodeProc {
  id: string;
  url: string;
  child: ChildProcess;
  exited: Promise<unknown>;
}
const procs: NodeProc[] = [];
let admin: AdminClient;
let latest: AdminOverview | null = null;

/** Starts `node --import tsx server/main.ts` and waits for its ready line. */
async function spawnNode(id: string): Promise<NodeProc> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    REDIS_URL: redisUrl(),
    KEY_PREFIX: prefix,
    NODE_ID: id,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    HEARTBEAT_INTERVAL_MS: "250",
    NODE_TTL_MS: "1500",
    ADMIN_TOKEN: TOKEN,
  };
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (b) => (out += b));
  child.stderr!.on("data", (b) => (out += b));
  const exited = new Promise((ok) => child.once("exit", ok));
  const url = await new Promise<string>((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`${id}: no ready line:\n${out}`)), 25_000);
    child.stdout!.on("data", () => {
      const m = /ready at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        ok(m[1]!);
      }
    });
    child.once("exit", () => fail(new Error(`${id} exited:\n${out}`)));
  });
  const p = { id, url, child, exited };
  procs.push(p);
  return p;
}

const node = (o: AdminOverview | null, id: string) => o?.nodes.find((n) => n.nodeId === id);

beforeAll(async () => {
  const [first] = await Promise.all([spawnNode("fault-1"), spawnNode("fault-2"), spawnNode("fault-3")]);
  admin = await connectAdmin(first!, TOKEN);
  admin.on("admin:overview", (o) => (latest = o));
  const ack = await adminRequest<AdminOverview>(admin, "admin:subscribe", { view: "overview" });
  expect(ack.ok).toBe(true);
}, 60_000);

afterAll(async () => {
  admin?.close();
  for (const p of procs) p.child.kill("SIGKILL");
  await Promise.all(procs.map((p) => p.exited));
});

describe("dashboard across node deaths", () => {
  it("flags a node killed with kill -9 as dead and forgets one stopped gracefully", async () => {
    await waitFor(() => ["fault-1", "fault-2", "fault-3"].every((id) => node(latest, id)?.alive), 15_000, 100);

    const killed = procs.find((p) => p.id === "fault-2")!;
    const t0 = Date.now();
    killed.child.kill("SIGKILL");
    await killed.exited;
    // Its heartbeat hash expires after NODE_TTL_MS (1.5 s); the next push shows it dead.
    await waitFor(() => node(latest, "fault-2")?.alive === false, 10_000, 50);
    const seenDeadAfter = Date.now() - t0;
    expect(seenDeadAfter).toBeLessThan(6_000);
    expect(latest!.totals).toMatchObject({ liveNodes: 2, deadNodes: 1 });
    expect(node(latest, "fault-2")!.lastSeen).toBeLessThanOrEqual(t0 + 500);

    const stopped = procs.find((p) => p.id === "fault-3")!;
    stopped.child.kill("SIGTERM");
    await stopped.exited;
    await waitFor(() => !node(latest, "fault-3"), 10_000, 50);
    expect(latest!.totals).toMatchObject({ liveNodes: 1, deadNodes: 1 });
    expect(node(latest, "fault-1")).toMatchObject({ alive: true, self: true });
  }, 40_000);
});
