/**
 * A TCP proxy between one node and Redis that lets traffic through until a command matching `trigger`
 * has gone out, then stops every later command of that node from reaching Redis (replies still flow
 * back). It puts a crash exactly between two Redis writes of a node: freeze after the write you name,
 * then kill -9 the node.
 */
import { createConnection, createServer, type Socket } from "node:net";

export interface FreezeProxy {
  port: number;
  /** Resolves once the trigger command went through and the node's later commands are held back. */
  frozen: Promise<void>;
  close(): Promise<void>;
}

export async function startFreezeProxy(target: { host: string; port: number }, trigger: (chunk: Buffer) => boolean): Promise<FreezeProxy> {
  let isFrozen = false;
  let onFrozen!: () => void;
  const frozen = new Promise<void>((ok) => (onFrozen = ok));
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection(target);
    sockets.add(client).add(upstream);
    client.on("data", (chunk: Buffer) => {
      if (isFrozen) return;
      upstream.write(chunk);
      if (trigger(chunk)) {
        isFrozen = true;
        onFrozen();
      }
    });
    upstream.on("data", (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()));
  const addr = server.address();
  return {
    port: typeof addr === "object" && addr ? addr.port : 0,
    frozen,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}
