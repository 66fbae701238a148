/**
 * A round-robin TCP balancer in front of the local nodes, standing in for the load balancer of a real
 * deployment (and for node:cluster's primary in `npm run cluster`): each new connection goes to the next
 * node; a node that refuses (killed by the chaos switch) is skipped for a few seconds and the connection
 * is tried on the next one. WebSocket only, so no stickiness is needed.
 */
import { createServer, connect, type Server, type Socket } from "node:net";

export interface Balancer {
  url: string;
  /** Connections handed to each backend so far (index = backend). */
  handed: number[];
  close(): Promise<void>;
}

const DOWN_MS = 3000;

/** Listens on 127.0.0.1 (free port) and spreads connections over `backends` (ports on 127.0.0.1). */
export async function startBalancer(backends: number[]): Promise<Balancer> {
  let next = 0;
  const downUntil = backends.map(() => 0);
  const handed = backends.map(() => 0);
  const open = new Set<Socket>();

  function route(client: Socket, tries: number): void {
    const now = Date.now();
    let i = next;
    for (let k = 0; k < backends.length && downUntil[i]! > now; k++) i = (i + 1) % backends.length;
    next = (i + 1) % backends.length;
    const upstream = connect({ host: "127.0.0.1", port: backends[i]! });
    open.add(upstream);
    upstream.once("close", () => open.delete(upstream));
    let connected = false;
    upstream.once("connect", () => {
      connected = true;
      handed[i]!++;
      client.on("error", () => upstream.destroy());
      client.once("close", () => upstream.destroy());
      upstream.once("close", () => client.destroy());
      client.pipe(upstream).pipe(client);
      client.resume();
    });
    upstream.on("error", () => {
      if (connected) return; // the close handler tears the pair down
      downUntil[i] = Date.now() + DOWN_MS;
      if (tries + 1 < backends.length && !client.destroyed) route(client, tries + 1);
      else client.destroy();
    });
  }

  const server: Server = createServer({ pauseOnConnect: true, noDelay: true }, (client) => {
    open.add(client);
    client.on("error", () => {}); // a reset client before its backend connected; the close cleans up
    client.once("close", () => open.delete(client));
    route(client, 0);
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => ok());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    handed,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of open) s.destroy();
        server.close(() => ok());
      }),
  };
}
