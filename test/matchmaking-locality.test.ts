/** Group selection prefers players connected to the seed's node when there are more candidates than seats. */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../server/config.ts";
import { pickGroup, type TicketInfo } from "../server/matchmaking/group-selection.ts";
import { rulesFromConfig, scheduleFromConfig } from "../server/matchmaking/schedule.ts";

const config = loadConfig({});
const opts = { now: 1000, schedule: scheduleFromConfig(config), rules: rulesFromConfig(config), worldwide: false, exhaustive: false };

const ticket = (i: number, node?: string): TicketInfo => ({ ticketId: `t${i}`, playerId: `p${i}`, name: `P${i}`, rating: 1000, joinedAt: 0, home: "eu-west", ...(node ? { node } : {}) });

describe("group locality", () => {
  // Seed on node a; 12 candidates within range, nearest first, alternating nodes b and a.
  const seed = ticket(0, "a");
  const candidates = Array.from({ length: 12 }, (_, i) => ticket(i + 1, i % 2 ? "a" : "b"));
  const around = candidates.map((t, i) => ({ ticketId: t.ticketId, distKm: 10 + i }));
  const all = new Map([seed, ...candidates].map((t) => [t.ticketId, t]));

  it("fills the group with the seed's node first, nearest first among them", () => {
    const g = pickGroup(seed, around, all, new Set(), opts)!;
    expect(g.tickets.map((t) => t.node)).toEqual(["a", "a", "a", "a", "a", "a", "a", "b"]);
    expect(g.tickets.map((t) => t.ticketId)).toEqual(["t0", "t2", "t4", "t6", "t8", "t10", "t12", "t1"]);
  });

  it("keeps nearest-first when nodes are unknown or all the same", () => {
    const plain = [seed, ...candidates].map(({ node: _n, ...t }) => t);
    const g = pickGroup(plain[0]!, around, new Map(plain.map((t) => [t.ticketId, t])), new Set(), opts)!;
    expect(g.tickets.map((t) => t.ticketId)).toEqual(["t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"]);
  });
});
