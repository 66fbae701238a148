/**
 * The round-robin balancer the load runner puts in front of its local nodes (scripts/load/balancer.ts),
 * with real TCP servers: connections go round the backends, a dead backend is skipped without losing
 * the connection, and bytes flow both ways.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createServer, connect, type Server } from "node:net";
import { startBalancer, type Balancer } from "../scripts/load/balancer.ts";
import { freePort } from "../server/embedded-redis.ts";

/** A TCP server that greets each connection with its name and echoes what it receives. */
async function backend(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => {
    s.write(`${name}:`);
    s.pipe(s);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()));
  return { server, port: (server.address() as { port: number }).port };
}

/** Connects through the balancer, sends `msg`, returns what came back once the echo arrived. */
function exchange(url: string, msg: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((ok, fail) => {
    const s = connect({ host: "127.0.0.1", port: Number(port) });
    let got = "";
    s.on("data", (b) => {
      got += b.toString();
      if (got.endsWith(msg)) {
        s.end();
        ok(got);
      }
    });
    s.on("error", fail);
    s.on("close", () => (got.endsWith(msg) ? undefined : fail(new Error(`closed after "${got}"`))));
    s.write(msg);
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("load-test balancer", () => {
  it("hands connections to the backends in turn, both ways", async () => {
    const a = await backend("a");
    const b = await backend("b");
    cleanups.push(() => void a.server.close(), () => void b.server.close());
    const lb: Balancer = await startBalancer([a.port, b.port]);
    cleanups.push(() => lb.close());
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await exchange(lb.url, `hello ${i}`));
    expect(seen).toEqual(["a:hello 0", "b:hello 1", "a:hello 2", "b:hello 3"]);
    expect(lb.handed).toEqual([2, 2]);
  });

  it("skips a backend that refuses connections, without failing the client", async () => {
    const a = await backend("a");
    const deadPort = await freePort(); // nothing listens here: a node killed by the chaos switch
    const c = await backend("c");
    cleanups.push(() => void a.server.close(), () => void c.server.close());
    const lb = await startBalancer([a.port, deadPort, c.port]);
    cleanups.push(() => lb.close());
    const seen = [];
    for (let i = 0; i < 6; i++) seen.push((await exchange(lb.url, "x")).split(":")[0]);
    expect(seen).not.toContain(undefined);
    expect(new Set(seen)).toEqual(new Set(["a", "c"]));
    expect(lb.handed[1]).toBe(0);
  });

  it("closes the client when every backend is down", async () => {
    const lb = await startBalancer([await freePort(), await freePort()]);
    cleanups.push(() => lb.close());
    await expect(exchange(lb.url, "x")).rejects.toThrow(/closed|ECONNRESET/);
  });
});
