/**
 * One helper for every multi-node test (as Colyseus' TestServer): nodes in this process (startNode with
 * the test config) and/or as separate processes (`server/main.ts`, for kill -9, SIGSTOP and SIGTERM), all
 * over the test Redis of the engine the file runs on (or a Redis the file started itself: `redis`) with one
 * shared key prefix; typed clients (login + connect, typed acked requests, events typed by name); a Redis
 * client for assertions; one idempotent cleanup().
 *
 *   const tc = new TestCluster({ env: { MATCH_LEASE_MS: "1500" } });
 *   afterAll(() => tc.cleanup());
 *   const a = await tc.startNode("node-a");
 *   const p = await tc.player(a, "Ada");             // logged in and connected
 *   const ack = await p.request("net:ping", { t: 1 }); // Ack<Pong>
 *   const end = await p.next("match:end", 15_000);     // MatchEnd
 */
import { spawn, type ChildProcess } from "node:child_process";
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from "ioredis";
import { io as ioClient, type Socket } from "socket.io-client";
import type { CONFIG_SPEC } from "../../server/config.ts";
import { startNode, type RunningNode, type StartNodeOptions } from "../../server/node.ts";
import { createKeys, type Keys } from "../../server/redis/keys.ts";
import { parseClusterNodes, type RedisClient } from "../../server/redis/connection.ts";
import type { Ack, AckFn, ClientToServerEvents } from "../../shared/protocol.ts";
import { assertNodesSpeakEngine, login, redisClient, redisEnv, testConfig, uniquePrefix, waitFor, type ClientSocket } from "./harness.ts";
import { RecordingClient } from "./match-client.ts";

export type ConfigEnv = Partial<Record<keyof typeof CONFIG_SPEC, string>>;

/** Client events that take an ack, and what their ack carries. */
export type AckedEvent = { [E in keyof ClientToServerEvents]: Parameters<ClientToServerEvents[E]> extends [unknown, AckFn<infer _T>] ? E : never }[keyof ClientToServerEvents];
export type AckData<E extends AckedEvent> = Parameters<ClientToServerEvents[E]> extends [unknown, AckFn<infer T>] ? T : never;
export type RequestOf<E extends AckedEvent> = Parameters<ClientToServerEvents[E]>[0];

export interface Session {
  token: string;
  playerId: string;
  name: string;
}

/** A recording client that is also a logged-in player, with typed requests. */
export class TestClient extends RecordingClient {
  constructor(socket: Socket, readonly session: Session) {
    super(socket);
  }

  get playerId(): string {
    return this.session.playerId;
  }

  /** The socket with the protocol's event maps. */
  get typed(): ClientSocket {
    return this.socket as ClientSocket;
  }

  /** Emits an acked event and resolves with its ack, both typed by the event's name. */
  request<E extends AckedEvent>(event: E, payload: RequestOf<E>, timeoutMs = 5000): Promise<Ack<AckData<E>>> {
    const timed = this.socket.timeout(timeoutMs);
    // socket.io's own typing cannot follow a generic event name; the signature above is the contract.
    return (timed.emitWithAck as (ev: string, p: unknown) => Promise<Ack<AckData<E>>>).call(timed, event, payload);
  }
}

/** A node running as its own process. */
export interface NodeProcess {
  id: string;
  /** The URL from its ready line. */
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Everything it printed so far. */
  out(): string;
}

/**
 * A Redis the file started itself (one it kills, say), instead of the engine's shared one: a single
 * server's URL or a cluster's seed nodes (`host:port`), and the options of the assertion client.
 */
export type RedisAt = { url: string; options?: RedisOptions } | { nodes: string[]; options?: ClusterOptions };

export interface TestClusterOptions {
  /** Key prefix shared by every node (default: a fresh one). */
  prefix?: string;
  /** Config for every node (in-process and spawned); per-node values override it. */
  env?: ConfigEnv;
  /** Run over this Redis instead of the test engine's. */
  redis?: RedisAt;
}

/** How a client connects: from a local source address (127.0.0.x), with extra handshake headers. */
export interface ConnectOptions {
  from?: string;
  headers?: Record<string, string>;
}

type AnyNode = RunningNode | NodeProcess | { url: string };
const root = new URL("../../", import.meta.url).pathname;

export class TestCluster {
  readonly prefix: string;
  readonly keys: Keys;
  /** For assertions: a Redis or a Cluster client, by engine. */
  readonly redis: RedisClient;
  private readonly env: ConfigEnv;
  private readonly nodes = new Map<string, RunningNode>();
  private readonly procs = new Map<string, NodeProcess>();
  private readonly clients: RecordingClient[] = [];
  private cleaned: Promise<void> | null = null;

  constructor(opts: TestClusterOptions = {}) {
    this.prefix = opts.prefix ?? uniquePrefix("tc");
    this.keys = createKeys(this.prefix);
    const at = opts.redis;
    // "" is unset for the config: a given Redis replaces the engine's variables instead of adding to them.
    const target: ConfigEnv = !at ? {} : "url" in at ? { REDIS_URL: at.url, REDIS_CLUSTER_NODES: "" } : { REDIS_URL: "", REDIS_CLUSTER_NODES: at.nodes.join(",") };
    this.env = { ...target, ...opts.env, KEY_PREFIX: this.prefix };
    this.redis = !at ? redisClient() : "url" in at ? new Redis(at.url, { maxRetriesPerRequest: 2, ...at.options }) : new Cluster(parseClusterNodes(at.nodes.join(",")), at.options);
    this.redis.on("error", () => {});
  }

  /** Starts a node in this process (port 0, the shared prefix); `opts` picks its features, its clock. */
  async startNode(id: string, env: ConfigEnv = {}, opts: StartNodeOptions = {}): Promise<RunningNode> {
    const node = await startNode(testConfig({ ...this.env, NODE_ID: id, ...env }), { logger: false, ...opts });
    this.nodes.set(id, node);
    return node;
  }

  /**
   * Starts `node --import tsx server/main.ts` as its own process and waits for its ready line (tsx alone
   * takes ~6 s to load the server on 2 shared cores at load 15; three at once, several times that).
   */
  async spawnNode(id: string, env: ConfigEnv = {}, readyTimeoutMs = 45_000): Promise<NodeProcess> {
    assertNodesSpeakEngine();
    const fullEnv: Record<string, string> = { ...(process.env as Record<string, string>), LOG_LEVEL: "warn", ...redisEnv(), PORT: "0", HOST: "127.0.0.1", ...this.env, NODE_ID: id, ...env } as Record<string, string>;
    if (fullEnv.REDIS_CLUSTER_NODES) delete fullEnv.REDIS_URL;
    const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], { cwd: root, env: fullEnv, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (b) => (out += b));
    child.stderr!.on("data", (b) => (out += b));
    const exited = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)));
    const p: NodeProcess = { id, url: "", child, exited, out: () => out };
    this.procs.set(id, p);
    p.url = await new Promise<string>((ok, fail) => {
      const t = setTimeout(() => fail(new Error(`${id}: no ready line within ${readyTimeoutMs} ms:\n${out}`)), readyTimeoutMs);
      const check = () => {
        const m = /ready at (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(t);
          ok(m[1]!);
        }
      };
      child.stdout!.on("data", check);
      child.once("exit", () => {
        clearTimeout(t);
        fail(new Error(`${id} exited:\n${out}`));
      });
    });
    return p;
  }

  /** An in-process node by id. */
  node(id: string): RunningNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no in-process node ${id}`);
    return n;
  }

  /** A spawned node by id. */
  process(id: string): NodeProcess {
    const p = this.procs.get(id);
    if (!p) throw new Error(`no node process ${id}`);
    return p;
  }

  /** The spawned nodes still running. */
  get processes(): NodeProcess[] {
    return [...this.procs.values()];
  }

  /** Stops an in-process node gracefully (hand-over and all). */
  async stopNode(id: string): Promise<void> {
    const n = this.nodes.get(id);
    this.nodes.delete(id);
    await n?.stop();
  }

  /**
   * Sends `signal` (SIGTERM: a graceful stop, hand-over and all) to a spawned node and resolves with its
   * exit code once it is gone; SIGKILL after `timeoutMs`. Its id can be spawned again afterwards.
   */
  async stopProcess(id: string, signal: NodeJS.Signals = "SIGTERM", timeoutMs = 15_000): Promise<number | null> {
    const p = this.process(id);
    p.child.kill(signal);
    const t = setTimeout(() => p.child.kill("SIGKILL"), timeoutMs);
    try {
      return await p.exited;
    } finally {
      clearTimeout(t);
      this.procs.delete(id);
    }
  }

  /** kill -9 of a spawned node; resolves with performance.now() at the kill, once it is gone. */
  async kill9(id: string): Promise<number> {
    const p = this.process(id);
    const t = performance.now();
    p.child.kill("SIGKILL");
    await p.exited;
    this.procs.delete(id);
    return t;
  }

  /** SIGSTOP / SIGCONT of a spawned node (a GC pause, a stalled VM). */
  freeze(id: string): void {
    this.process(id).child.kill("SIGSTOP");
  }

  thaw(id: string): void {
    this.process(id).child.kill("SIGCONT");
  }

  /** Resolves once the registry lists exactly these node ids. */
  async waitForNodes(ids: string[], timeoutMs = 10_000): Promise<void> {
    const want = [...ids].sort().join();
    await waitFor(async () => (await this.redis.zrange(this.keys.nodes.registry, "0", "-1")).sort().join() === want, timeoutMs);
  }

  /** Logs in over HTTP and connects a recording client to `node` (closed by cleanup()). */
  async player(node: AnyNode, name = "Player", connectTo: AnyNode = node): Promise<TestClient> {
    return this.connect(connectTo, await login(node, name));
  }

  /**
   * Connects an already logged-in session (e.g. again, to another node after its own died); when refused,
   * rejects with an Error carrying the connect_error's `data` (`{ code }`).
   */
  connect(node: AnyNode, session: Session, opts: ConnectOptions = {}): Promise<TestClient> {
    const socket = ioClient(node.url, {
      transports: ["websocket"],
      auth: { token: session.token },
      reconnection: false,
      forceNew: true,
      extraHeaders: opts.headers,
      // Node-only option of the underlying WebSocket (ws), not in socket.io-client's types.
      ...(opts.from ? { localAddress: opts.from } : {}),
    } as Parameters<typeof ioClient>[1]);
    const c = new TestClient(socket, { token: session.token, playerId: session.playerId, name: session.name });
    this.clients.push(c);
    return new Promise((ok, fail) => {
      socket.once("connect", () => ok(c));
      socket.once("connect_error", (err) => {
        socket.close();
        fail(Object.assign(new Error(err.message), { data: (err as Error & { data?: unknown }).data }));
      });
    });
  }

  /** Several players at once: [node, name] pairs (a tuple of pairs gives a tuple of clients). */
  players<T extends [AnyNode, string][]>(...spec: T): Promise<{ [K in keyof T]: TestClient }> {
    return Promise.all(spec.map(([n, name]) => this.player(n, name))) as Promise<{ [K in keyof T]: TestClient }>;
  }

  /** Closes every client, stops every in-process node, kills every process, quits Redis. Idempotent. */
  cleanup(): Promise<void> {
    this.cleaned ??= (async () => {
      for (const c of this.clients) c.close();
      const procs = [...this.procs.values()];
      for (const p of procs) {
        p.child.kill("SIGCONT");
        p.child.kill("SIGKILL");
      }
      const results = await Promise.allSettled([...[...this.nodes.values()].map((n) => n.stop()), ...procs.map((p) => p.exited)]);
      this.nodes.clear();
      this.procs.clear();
      await this.redis.quit().catch(() => this.redis.disconnect());
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
    })();
    return this.cleaned;
  }
}
