/**
 * Helpers of the edge tests (connection caps, timeouts, handshake and token budgets, bystanders): clients
 * that connect from a chosen loopback source address (127.0.0.x), so one test process can play several
 * distinct addresses against a real node, raw TCP for what an HTTP client would hide, and metric reads.
 */
import { request as httpRequest } from "node:http";
import { connect as tcpConnect, type Socket as TcpSocket } from "node:net";
import { io as ioClient, Manager } from "socket.io-client";
import type { Registry } from "prom-client";
import type { ClientSocket } from "./helpers/harness.ts";

/** A fetch-like HTTP request from a given source address (one connection per request); a Response back. */
export function fetchFrom(from: string, url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
  return new Promise((ok, fail) => {
    const req = httpRequest(url, { method: init.method ?? "GET", headers: { connection: "close", ...init.headers }, localAddress: from }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
        const status = res.statusCode ?? 0;
        ok(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers }));
      });
    });
    req.on("error", fail);
    req.end(init.body);
  });
}

/** POST /api/sessions from an address. */
export function loginFrom(from: string, node: { url: string }, deviceId: string, name = "Edge") {
  return fetchFrom(from, `${node.url}/api/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ deviceId, name }) });
}

/** A raw TCP connection from an address that records what it receives and when it closes. */
export interface RawConn {
  socket: TcpSocket;
  received(): string;
  closed: Promise<number>;
}

export function rawConnect(port: number, from: string): Promise<RawConn> {
  return new Promise((ok, fail) => {
    const t0 = performance.now();
    let data = "";
    const socket = tcpConnect({ port, host: "127.0.0.1", localAddress: from });
    socket.on("data", (b) => (data += b.toString()));
    socket.on("error", () => {});
    const closed = new Promise<number>((done) => socket.once("close", () => done(performance.now() - t0)));
    socket.once("connect", () => ok({ socket, received: () => data, closed }));
    socket.once("error", fail);
  });
}

/** Opens `count` idle raw connections from an address, in batches of 50. */
export async function openRaw(port: number, from: string, count: number): Promise<RawConn[]> {
  const out: RawConn[] = [];
  for (let i = 0; i < count; i += 50) out.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, () => rawConnect(port, from)))));
  return out;
}

/** A socket.io client from an address; rejects with `{ message, data }` on connect_error. */
export function connectFrom(from: string, node: { url: string }, token: string | undefined, headers: Record<string, string> = {}): Promise<ClientSocket> {
  return new Promise((ok, fail) => {
    const s: ClientSocket = ioClient(node.url, {
      transports: ["websocket"],
      auth: token === undefined ? {} : { token },
      reconnection: false,
      forceNew: true,
      localAddress: from,
      extraHeaders: headers,
    } as Parameters<typeof ioClient>[1]);
    s.once("connect", () => ok(s));
    s.once("connect_error", (err) => {
      s.close();
      fail(Object.assign(new Error(err.message), { data: (err as Error & { data?: unknown }).data }));
    });
  });
}

/**
 * One WebSocket (Engine.IO connection) from an address on which raw socket.io CONNECT packets are sent,
 * as a hostile client may (the official client opens a new connection instead). Resolves the CONNECT_ERROR
 * data of each attempt, in order.
 */
export async function repeatedConnects(from: string, node: { url: string }, attempts: number): Promise<{ code?: string }[]> {
  const m = new Manager(node.url, { transports: ["websocket"], reconnection: false, autoConnect: false, localAddress: from } as ConstructorParameters<typeof Manager>[1]);
  await new Promise<void>((ok, fail) => m.open((err) => (err ? fail(err) : ok())));
  const engine = m.engine;
  const answers: { code?: string }[] = [];
  await new Promise<void>((ok) => {
    engine.on("message", (raw: unknown) => {
      const text = String(raw);
      // Socket.IO packets inside Engine.IO messages: "4{...}" is CONNECT_ERROR (main namespace) with its data.
      if (text.startsWith("4")) answers.push((JSON.parse(text.slice(1)) as { data?: { code?: string } }).data ?? {});
      if (answers.length === attempts) ok();
    });
    // "0{auth}": CONNECT to the main namespace.
    for (let i = 0; i < attempts; i++) engine.send(`0${JSON.stringify({ token: `not-a-token-${i}` })}`);
  });
  engine.close();
  return answers;
}

/** Sum of a metric's values whose labels match (0 when absent). */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x)).reduce((n, v) => n + v.value, 0);
}
