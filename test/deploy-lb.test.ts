/**
 * The repo's load balancer config (deploy/haproxy/haproxy.cfg), run by the real HAProxy binary in front of
 * two real node processes, found through a stand-in for Docker's DNS, as in docker-compose.yml. Proves:
 * play through it (HTTP login, socket.io over WebSocket, matchmaking, snapshots); a rolling restart
 * (SIGTERM drains: the match is handed over, players reconnect through the LB into it, the node comes
 * back into rotation); a node killed -9 is taken out by the health check and its players reconnect
 * through the LB into their match; a reload keeps open WebSockets on the draining old worker.
 * LB_TEST_LOG=info prints the nodes' and HAProxy's output at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "node:net";
import { uniquePrefix, waitFor } from "./helpers/harness.ts";
import { readMatch as readMatchRecord, type RecordingClient } from "./helpers/match-client.ts";
import { startDnsStub, type DnsStub } from "./helpers/dns-stub.ts";
import { startHaproxy, type RunningHaproxy, type ServerState } from "./helpers/haproxy.ts";
import { requireTool } from "./helpers/tools.ts";
import { TestCluster, type NodeProcess, type Session, type TestClient } from "./helpers/test-cluster.ts";

// Two "containers": same port, one loopback address each, like replicas of one compose service.
const NODE_IPS = { "lb-a": "127.0.0.2", "lb-b": "127.0.0.3" } as const;
type NodeId = keyof typeof NODE_IPS;
const SERVICE = "node.arena.test";
const tc = new TestCluster({
  prefix: uniquePrefix("lb"),
  env: {
    LOG_LEVEL: process.env.LB_TEST_LOG ?? "warn",
    HEARTBEAT_INTERVAL_MS: "250",
    NODE_TTL_MS: "1500",
    MATCHMAKER_INTERVAL_MS: "100",
    MATCH_MIN_PLAYERS: "4",
    MATCH_MAX_PLAYERS: "4",
    MATCH_FILL_WAIT_MS: "0",
    MATCH_COUNTDOWN_MS: "300",
    MATCH_DURATION_MS: "7000",
    MATCH_LEASE_MS: "1500",
    CHECKPOINT_INTERVAL_MS: "500",
    RECONNECT_GRACE_MS: "30000",
    SHUTDOWN_GRACE_MS: "8000",
    RATE_LIMITS: "login=1000/60s,queue_join=1000/60s",
  },
});
const { redis, keys } = tc;

let dns: DnsStub;
let lb: RunningHaproxy;
let nodePort: number;
/** This scenario's players (closed when the next one starts; cleanup() closes every client). */
const clients: RecordingClient[] = [];

function listenOnce(host: string, port: number): Promise<number | null> {
  return new Promise((ok) => {
    const s = createServer();
    s.once("error", () => ok(null));
    s.listen(port, host, () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => ok(p));
    });
  });
}

/** A port free on every given address (all nodes listen on the same port, as in compose). */
async function freePortOn(hosts: string[]): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const p = await listenOnce(hosts[0]!, 0);
    if (p === null) continue;
    const rest = await Promise.all(hosts.slice(1).map((h) => listenOnce(h, p)));
    if (rest.every((x) => x === p)) return p;
  }
  throw new Error(`no port free on all of ${hosts.join(", ")}`);
}

/** A node process on its own address and the shared port, as a container of the compose service. */
function startNode(id: NodeId): Promise<NodeProcess> {
  return tc.spawnNode(id, { HOST: NODE_IPS[id], PORT: String(nodePort) });
}

/** The backend server HAProxy resolved to a node's address. */
async function serverOf(id: NodeId): Promise<ServerState | undefined> {
  return (await lb.servers()).find((s) => s.addr.startsWith(`${NODE_IPS[id]}:`));
}

const isUp = (s: ServerState | undefined) => s?.status === "UP";
const isDown = (s: ServerState | undefined) => !!s && s.status.startsWith("DOWN");

/** Logs in through the LB and connects through the LB. */
async function connectedPlayer(name: string) {
  const c = await tc.player(lb, name);
  clients.push(c);
  return { ...c.session, c };
}

/** Four players through the LB, matched together; resolves once everyone sees the match playing. */
async function playingMatch(tag: string) {
  // Players of earlier scenarios leave first: leastconn then spreads these four 2/2 over the nodes.
  for (const c of clients.splice(0)) c.close();
  await waitFor(async () => (await lb.servers()).every((s) => s.scur === 0), 5000, 50);
  const ps = [];
  for (const n of ["1", "2", "3", "4"]) ps.push(await connectedPlayer(`${tag}${n}`));
  for (const p of ps) {
    const ack = await p.c.request("queue:join", { lat: 48.85, lon: 2.35 });
    expect(ack.ok).toBe(true);
  }
  const starts = await Promise.all(ps.map((p) => p.c.next("match:start", 10_000)));
  const matchId = starts[0]!.matchId;
  for (const s of starts) expect(s.matchId).toBe(matchId);
  await Promise.all(ps.map((p) => p.c.until(() => playing(p.c, matchId).length > 5, 8000, "snapshots of the match in play")));
  const host = (await readMatchRecord(redis, keys, matchId))!.hostNodeId as NodeId;
  expect(Object.keys(NODE_IPS)).toContain(host);
  return { ps, matchId, host };
}

const playing = (c: RecordingClient, matchId: string) => c.snapshots().filter((s) => s.m === matchId && s.ph === "playing");

/**
 * What a browser does when its socket drops: reconnect through the LB with the same token until it is
 * back in its match (a node that is shutting down may still accept and then send it away again).
 */
async function rejoin(session: Session, matchId: string, timeoutMs = 10_000): Promise<{ c: TestClient; at: number }> {
  const end = performance.now() + timeoutMs;
  let last: unknown;
  while (performance.now() < end) {
    let c: TestClient | undefined;
    try {
      c = await tc.connect(lb, session);
      const rc = c;
      await rc.until(() => rc.starts().some((s) => s.matchId === matchId) || !rc.socket.connected, 5000, "match:start");
      if (rc.socket.connected) {
        await rc.until(() => rc.snapshots().some((s) => s.m === matchId), 5000, "a snapshot after rejoining");
        clients.push(rc);
        return { c: rc, at: performance.now() };
      }
      last = new Error("sent away before match:start");
    } catch (err) {
      last = err;
    }
    c?.close();
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not back in match ${matchId} within ${timeoutMs} ms: ${(last as Error)?.message}`);
}

/**
 * Reconnects, through the LB into `matchId`, each player whose socket drops from now on. `stop()` ends
 * the watch and returns those reconnections.
 */
function watchDrops(ps: { c: TestClient }[], matchId: string) {
  const back: Promise<{ c: TestClient; at: number; i: number }>[] = [];
  const handlers = ps.map((p, i) => {
    const h = () => void back.push(rejoin(p.c.session, matchId).then((r) => ({ ...r, i })));
    p.c.socket.once("disconnect", h);
    return h;
  });
  return {
    stop() {
      ps.forEach((p, i) => p.c.socket.off("disconnect", handlers[i]));
      return back;
    },
  };
}

beforeAll(async () => {
  const version = requireTool("haproxy", ["-v"], "haproxy");
  console.log(`[deploy-lb] ${version}`);
  nodePort = await freePortOn(Object.values(NODE_IPS));
  dns = await startDnsStub({ [SERVICE]: Object.values(NODE_IPS) });
  await Promise.all((Object.keys(NODE_IPS) as NodeId[]).map(startNode));
  const [bindPort, statsPort] = [await freePortOn(["127.0.0.1"]), await freePortOn(["127.0.0.1"])];
  lb = await startHaproxy({ bindPort: bindPort!, statsPort: statsPort!, dns: dns.address, nodes: `${SERVICE}:${nodePort}` });
  // Both nodes resolved through "DNS" and passing /readyz checks.
  await waitFor(async () => isUp(await serverOf("lb-a")) && isUp(await serverOf("lb-b")), 15_000, 100);
}, 60_000);

afterAll(async () => {
  if (process.env.LB_TEST_LOG) for (const p of tc.processes) console.log(`--- ${p.id}\n${p.out()}`);
  if (process.env.LB_TEST_LOG) console.log(`--- haproxy\n${lb?.out()}`);
  await lb?.stop();
  await tc.cleanup();
  await dns?.close();
});

describe("HAProxy (deploy/haproxy/haproxy.cfg) in front of two node processes", () => {
  it("plays through the load balancer: HTTP login, socket.io over WebSocket, matchmaking, snapshots", async () => {
    const { ps, matchId } = await playingMatch("P");
    // leastconn spreads the WebSockets over both nodes (the test of the other scenarios relies on it).
    const servers = await Promise.all([serverOf("lb-a"), serverOf("lb-b")]);
    for (const s of servers) expect(s!.scur).toBeGreaterThanOrEqual(1);
    // Inputs sent through the LB reach the host, wherever the player's socket lives.
    const c = ps[0]!.c;
    const x0 = playing(c, matchId).at(-1)!.p[0]![1];
    let seq = 0;
    const steer = setInterval(() => c.input(++seq, x0 > 800 ? -1 : 1, 0), 50);
    try {
      await c.until(() => Math.abs(playing(c, matchId).at(-1)!.p[0]![1] - x0) > 40, 4000, "avatar moving");
    } finally {
      clearInterval(steer);
    }
    const ends = await Promise.all(ps.map((p) => p.c.next("match:end", 15_000)));
    for (const e of ends) expect(e.matchId).toBe(matchId);
    // /metrics stays private: the public frontend refuses it.
    expect((await fetch(`${lb.url}/metrics`)).status).toBe(404);
  }, 60_000);

  it("rolling restart: SIGTERM hands the match over, players reconnect through the LB into it, the node rejoins", async () => {
    const { ps, matchId, host } = await playingMatch("R");
    const other = host === "lb-a" ? "lb-b" : "lb-a";
    const watching = watchDrops(ps, matchId);
    const t0 = performance.now();
    const code = await tc.stopProcess(host, "SIGTERM");
    expect(code).toBe(0);
    const back = watching.stop();
    expect(back.length).toBeGreaterThanOrEqual(1);
    const rejoined = await Promise.all(back);
    console.log(`[deploy-lb] SIGTERM: ${rejoined.length} players back in their match through the LB after ${rejoined.map((r) => Math.round(r.at - t0)).join(", ")} ms`);
    // Same match, same seat.
    for (const r of rejoined) expect(r.c.starts().at(-1)).toMatchObject({ matchId, you: ps[r.i]!.c.starts()[0]!.you });
    // The others stayed connected and saw the match continue on the other node.
    const stayed = ps.filter((_, i) => !rejoined.some((r) => r.i === i));
    for (const p of stayed) expect(await p.c.next("match:resumed", 5000)).toEqual({ matchId, hostNodeId: other });
    const resumedAfter = stayed.map((p) => Math.round(p.c.events.find((e) => e.event === "match:resumed")!.at - t0));
    console.log(`[deploy-lb] SIGTERM: match handed over, resumed on ${other} after ${resumedAfter.join(", ")} ms (lease ${1500} ms)`);
    // Every player that dropped heard why first.
    for (const r of rejoined) expect(ps[r.i]!.c.all("server:notice").map((n) => n.code)).toContain("SERVER_SHUTTING_DOWN");
    await waitFor(async () => isDown(await serverOf(host)), 10_000, 100);

    // The restarted node (same address, as a restarted container) passes its checks and takes traffic again.
    await startNode(host);
    await waitFor(async () => isUp(await serverOf(host)), 15_000, 100);
    // leastconn sends the next player to the node that came back (it holds no connections yet).
    await connectedPlayer("R5");
    expect((await serverOf(host))!.scur).toBeGreaterThanOrEqual(1);
    const all = [...stayed.map((p) => p.c), ...rejoined.map((r) => r.c)];
    await Promise.all(all.map((c) => c.next("match:end", 15_000)));
  }, 90_000);

  it("kill -9: the health check takes the dead node out; its players reconnect through the LB into their match", async () => {
    const { ps, matchId, host } = await playingMatch("K");
    const other = host === "lb-a" ? "lb-b" : "lb-a";
    const watching = watchDrops(ps, matchId);
    const t0 = performance.now();
    await tc.kill9(host);
    await waitFor(async () => isDown(await serverOf(host)), 10_000, 50);
    const back = watching.stop();
    const down = await serverOf(host);
    console.log(`[deploy-lb] kill -9: server ${down!.name} ${down!.status} (${down!.checkStatus}) after ${Math.round(performance.now() - t0)} ms`);
    // Every new request now lands on the live node.
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${lb.url}/readyz`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { nodeId: string }).nodeId).toBe(other);
    }
    expect(back.length).toBeGreaterThanOrEqual(1);
    const rejoined = await Promise.all(back);
    console.log(`[deploy-lb] kill -9: ${rejoined.length} players back in their match through the LB after ${rejoined.map((r) => Math.round(r.at - t0)).join(", ")} ms`);
    for (const r of rejoined) expect(r.c.starts().at(-1)).toMatchObject({ matchId, you: ps[r.i]!.c.starts()[0]!.you });
    const stayed = ps.filter((_, i) => !rejoined.some((r) => r.i === i));
    for (const p of stayed) expect(await p.c.next("match:resumed", 6000)).toEqual({ matchId, hostNodeId: other });
    const all = [...stayed.map((p) => p.c), ...rejoined.map((r) => r.c)];
    const ends = await Promise.all(all.map((c) => c.next("match:end", 20_000)));
    for (const e of ends) expect(e.matchId).toBe(matchId);
  }, 90_000);

  it("reload (SIGUSR2): open WebSockets stay on the draining old worker, new ones go to the new worker", async () => {
    // Only this test's connections, so that the old worker's drain ends when they close.
    for (const c of clients.splice(0)) c.close();
    const before = await tc.player(lb, "Reload");
    clients.push(before);
    const [w0] = await lb.workers();
    expect(w0).toBeDefined();
    lb.child.kill("SIGUSR2");
    // New worker forked; the old one is still there, serving the open WebSocket.
    await waitFor(async () => (await lb.workers()).length === 2, 10_000, 100);
    const ws = await lb.workers();
    expect(ws.find((w) => w.pid === w0!.pid)?.reloads).toBe(1);
    expect(before.socket.connected).toBe(true);
    const pong = await before.request("net:ping", { t: 1 }, 3000);
    expect(pong).toMatchObject({ ok: true, data: { t: 1 } });
    const after = await tc.player(lb, "Reload2");
    clients.push(after);
    // Once its last connection closes, the old worker leaves.
    before.close();
    await waitFor(async () => {
      const now = await lb.workers();
      return now.length === 1 && now[0]!.pid !== w0!.pid;
    }, 10_000, 100);
    expect(after.socket.connected).toBe(true);
  }, 30_000);
});
