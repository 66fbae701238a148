/**
 * A ticket moves on to the worldwide queue in two steps: out of its home queue (a fenced script leaving a
 * "moved" tombstone), then into the worldwide one. The node keeping its player's ticket alive used to read
 * it between the two steps, find it nowhere, and cancel it as lost (seen in the load tests). A ticket
 * half-way through a move is now waited for; only one stuck that way past a grace (its mover died between
 * the steps) counts as lost.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { waitFor } from "./helpers/harness.ts";
import { TestCluster } from "./helpers/test-cluster.ts";
import type { RunningNode } from "../server/node.ts";
import { ScriptCode } from "../server/redis/script-codes.ts";
import { WORLD_QUEUE, toTicket } from "../server/matchmaking/tickets.ts";

const tc = new TestCluster({ env: { MATCH_MIN_PLAYERS: "2", RADIUS_STEPS_MS: "0,600000,700000,800000" } });
let node: RunningNode;

beforeAll(async () => {
  node = await tc.startNode("move-a");
});
afterAll(() => tc.cleanup());

it("a ticket half-way through its move to the worldwide queue is not cancelled; it is followed there", async () => {
  const p = await tc.player(node, "Mover");
  const ack = await p.request("queue:join", { lat: 48.85, lon: 2.35 });
  if (!ack.ok) throw new Error(JSON.stringify(ack));
  const { ticketId, region } = ack.data;
  await p.next("queue:status", 5000);
  const store = node.service("matchmaking").store;
  const k = node.core.keys.matchmaking;
  // Step one of a move, as a matchmaker pass does it (retried if a pass took the fence meanwhile).
  let fields = ScriptCode.STALE_FENCE as string[] | number;
  await waitFor(async () => {
    const token = await store.acquireFence(region);
    fields = await node.core.scripts.run("ticketMoveOut", [k.fence(region), k.ticket(region, ticketId), k.geo(region), k.byTime(region)], [token, ticketId, 60_000, WORLD_QUEUE]);
    return fields !== ScriptCode.STALE_FENCE;
  }, 5000);
  if (typeof fields === "number") throw new Error(`move refused: ${fields}`);
  // Three refresh rounds (one a second) find it in neither queue: none may give it up.
  const seen = p.events.length;
  await new Promise((r) => setTimeout(r, 3000));
  expect(p.events.slice(seen).filter((e) => e.event === "queue:cancelled")).toEqual([]);
  // Step two: the ticket lands in the worldwide queue, and its player's status follows it there.
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) h[fields[i]!] = fields[i + 1]!;
  expect(await store.add(WORLD_QUEUE, toTicket(ticketId, h))).toBe(true);
  await p.until(() => p.all<{ worldwide: boolean }>("queue:status").some((s) => s.worldwide), 5000, "a worldwide queue:status");
  expect(p.all("queue:cancelled")).toEqual([]);
});
