/**
 * Setup file of the cluster projects: fails a test file during which CROSSSLOT errors reached the Redis
 * Cluster (INFO errorstats on every node, before and after the file) or ioredis refused a cross-slot
 * pipeline inside this process (the server connection factory's `crossSlotErrors` counter). In the
 * parallel project another file running at the same time may be the culprit: rerun the file alone with
 * `TEST_ENGINES=cluster npx vitest run --project cluster <file>`. The global teardown fails the run too.
 */
import { afterAll, beforeAll, inject } from "vitest";
import * as connection from "../../server/redis/connection.ts";
import { crossSlotCount } from "./crossslot.ts";

const { nodes } = inject("redis");

/** Cross-slot pipelines ioredis refused in this process, when the server counts them (0 until then). */
function clientSideCount(): number {
  // Read defensively: the counter lands with the server's Cluster support (number, getter or function).
  const c = (connection as unknown as { crossSlotErrors?: number | (() => number) }).crossSlotErrors;
  return typeof c === "function" ? c() : (c ?? 0);
}

let before = 0;
let clientBefore = 0;
beforeAll(async () => {
  before = await crossSlotCount(nodes!);
  clientBefore = clientSideCount();
});

afterAll(async () => {
  const server = (await crossSlotCount(nodes!)) - before;
  const client = clientSideCount() - clientBefore;
  if (server > 0 || client > 0) {
    throw new Error(
      `CROSSSLOT guard: ${server} cross-slot error(s) reached the Redis Cluster and ioredis refused ${client} cross-slot pipeline(s) while this file ran. ` +
        "Keys used together (MULTI, Lua, multi-key commands, pipelines) must share a {hash tag}.",
    );
  }
});
