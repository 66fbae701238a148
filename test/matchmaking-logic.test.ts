/** Pure matchmaking logic (no Redis): schedule, geography, group selection, wait estimate. */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../server/config.ts";
import { haversineKm, nearestRegion, placeRequest, roundCoord, storedPosition } from "../server/matchmaking/geo.ts";
import { groupProblem, pickGroup, selectGroups, type Neighbour, type TicketInfo } from "../server/matchmaking/group-selection.ts";
import { estimateWaitMs, rulesFromConfig, scheduleFromConfig, searchFor, sizeAllowed, stepAt, worldwideAfterMs } from "../server/matchmaking/schedule.ts";

const config = loadConfig({});
const schedule = scheduleFromConfig(config); // 100/500/2000/20040 km at 0/5/10/20 s; bands 100/200/400/100000
const rules = rulesFromConfig(config); // 2..8, fill wait 8 s

let seq = 0;
function ticket(over: Partial<TicketInfo> = {}): TicketInfo {
  seq++;
  return { ticketId: `t${seq}`, playerId: `p${seq}`, name: `P${seq}`, rating: 1000, joinedAt: 0, home: "eu-west", ...over };
}
const near = (...pairs: [TicketInfo, number][]): Neighbour[] => pairs.map(([t, d]) => ({ ticketId: t.ticketId, distKm: d }));
const index = (...ts: TicketInfo[]) => new Map(ts.map((t) => [t.ticketId, t]));

describe("search schedule", () => {
  it("widens radius and skill band with the wait, from configuration", () => {
    expect(stepAt(schedule, 0)).toBe(0);
    expect(stepAt(schedule, 4999)).toBe(0);
    expect(stepAt(schedule, 5000)).toBe(1);
    expect(stepAt(schedule, 12_000)).toBe(2);
    expect(stepAt(schedule, 60_000)).toBe(3);
    expect(searchFor(schedule, 0, false)).toEqual({ step: 0, radiusKm: 100, skillBand: 100 });
    expect(searchFor(schedule, 6000, false)).toEqual({ step: 1, radiusKm: 500, skillBand: 200 });
    expect(searchFor(schedule, 10_000, false)).toEqual({ step: 2, radiusKm: 2000, skillBand: 400 });
  });

  it("keeps the worldwide step for the worldwide queue, where tickets move after the widest regional radius", () => {
    expect(worldwideAfterMs(schedule)).toBe(20_000);
    expect(searchFor(schedule, 60_000, false).radiusKm).toBe(2000);
    expect(searchFor(schedule, 0, true)).toEqual({ step: 3, radiusKm: 20040, skillBand: 100000 });
  });

  it("allows a short match only after the fill wait", () => {
    expect(sizeAllowed(rules, 8, 0)).toBe(true);
    expect(sizeAllowed(rules, 7, 7999)).toBe(false);
    expect(sizeAllowed(rules, 2, 8000)).toBe(true);
    expect(sizeAllowed(rules, 1, 60_000)).toBe(false);
    expect(sizeAllowed(rules, 9, 60_000)).toBe(false);
  });

  it("estimates the wait from the players around", () => {
    expect(estimateWaitMs(schedule, rules, [7, 7, 7, 7], 200)).toBe(200);
    expect(estimateWaitMs(schedule, rules, [0, 7, 7, 7], 200)).toBe(5200);
    expect(estimateWaitMs(schedule, rules, [1, 1, 1, 1], 200)).toBe(8200);
    expect(estimateWaitMs(schedule, rules, [0, 0, 0, 0], 200)).toBe(20_200);
  });
});

describe("geography", () => {
  it("rounds stored coordinates to about 10 km and clamps to the GEO range", () => {
    expect(roundCoord(48.85661)).toBe(48.9);
    expect(roundCoord(-0.04)).toBe(0);
    expect(Object.is(roundCoord(-0.04), -0)).toBe(false);
    expect(storedPosition(48.85661, 2.35222)).toEqual({ lat: 48.9, lon: 2.4 });
    expect(storedPosition(89.99, -179.99)).toEqual({ lat: 85, lon: -180 });
    expect(() => storedPosition(Number.NaN, 0)).toThrow(RangeError);
    expect(() => storedPosition(0, 181)).toThrow(RangeError);
    // Rounding moves a point by at most ~8 km.
    expect(haversineKm({ lat: 48.85661, lon: 2.35222 }, storedPosition(48.85661, 2.35222))).toBeLessThan(8);
  });

  it("puts a ticket in the nearest region, or at a chosen region's centre", () => {
    expect(nearestRegion({ lat: 48.9, lon: 2.4 })).toBe("eu-west");
    expect(nearestRegion({ lat: 35.7, lon: 139.7 })).toBe("as-east");
    expect(nearestRegion({ lat: -33.9, lon: 151.2 })).toBe("oc");
    expect(placeRequest({ lat: 40.7, lon: -74.0 })).toMatchObject({ home: "na-east", lat: 40.7, lon: -74 });
    expect(placeRequest({ region: "sa" })).toEqual({ home: "sa", lat: -20, lon: -50 });
  });

  it("measures great-circle distances", () => {
    expect(haversineKm({ lat: 48.8566, lon: 2.3522 }, { lat: 51.5074, lon: -0.1278 })).toBeCloseTo(344, -1);
    expect(haversineKm({ lat: 0, lon: 0 }, { lat: 0, lon: 180 })).toBeCloseTo(20015, -2);
  });
});

describe("group selection", () => {
  const opts = (now: number, exhaustive = true) => ({ now, schedule, rules, worldwide: false, exhaustive });

  it("widens the radius with the seed's wait", () => {
    const seed = ticket({ joinedAt: 0 });
    const far = ticket({ joinedAt: 0 });
    const around = near([seed, 0], [far, 300]);
    const r = { ...rules, fillWaitMs: 0 };
    expect(pickGroup(seed, around, index(seed, far), new Set(), { ...opts(1000), rules: r })).toBeNull();
    const g = pickGroup(seed, around, index(seed, far), new Set(), { ...opts(5000), rules: r });
    expect(g?.tickets.map((t) => t.ticketId)).toEqual([seed.ticketId, far.ticketId]);
    expect(g?.radiusKm).toBe(500);
  });

  it("widens the skill band with the seed's wait", () => {
    const seed = ticket({ rating: 1000 });
    const strong = ticket({ rating: 1300 });
    const around = near([strong, 1]);
    const r = { ...rules, fillWaitMs: 0 };
    expect(pickGroup(seed, around, index(seed, strong), new Set(), { ...opts(9000), rules: r })).toBeNull();
    expect(pickGroup(seed, around, index(seed, strong), new Set(), { ...opts(10_000), rules: r })?.skillBand).toBe(400);
  });

  it("starts a full match at once and a short one only after the fill wait", () => {
    const seed = ticket();
    const others = Array.from({ length: 7 }, () => ticket());
    const all = index(seed, ...others);
    const full = pickGroup(seed, near(...others.map((t, i) => [t, i] as [TicketInfo, number])), all, new Set(), opts(0));
    expect(full?.tickets).toHaveLength(8);
    const three = near(...others.slice(0, 2).map((t, i) => [t, i] as [TicketInfo, number]));
    expect(pickGroup(seed, three, all, new Set(), opts(7999))).toBeNull();
    expect(pickGroup(seed, three, all, new Set(), opts(8000))?.tickets).toHaveLength(3);
  });

  it("takes the nearest first, skips taken tickets and the seed's own player", () => {
    const seed = ticket();
    const a = ticket();
    const b = ticket();
    const twin = ticket({ playerId: seed.playerId });
    const g = pickGroup(seed, near([twin, 0], [a, 5], [b, 10]), index(seed, a, b, twin), new Set([a.ticketId]), opts(8000));
    expect(g?.tickets.map((t) => t.ticketId)).toEqual([seed.ticketId, b.ticketId]);
  });

  it("does not strand fewer than the minimum when the search saw everyone", () => {
    const seed = ticket();
    const others = Array.from({ length: 8 }, () => ticket());
    const around = near(...others.map((t, i) => [t, i] as [TicketInfo, number]));
    const g = pickGroup(seed, around, index(seed, ...others), new Set(), opts(8000, true));
    expect(g?.tickets).toHaveLength(7); // 9 in range: 7 now, 2 left to pair
    expect(pickGroup(seed, around, index(seed, ...others), new Set(), opts(8000, false))?.tickets).toHaveLength(8);
  });

  it("selects disjoint groups, oldest seeds first, each valid", () => {
    const ts = Array.from({ length: 20 }, (_, i) => ticket({ joinedAt: i, rating: 1000 + (i % 3) * 30 }));
    const neighbours = new Map(ts.map((s) => [s.ticketId, near(...ts.map((t, j) => [t, Math.abs(j - Number(s.ticketId.slice(1))) % 50] as [TicketInfo, number]))]));
    const groups = selectGroups({ now: 9000, schedule, rules, worldwide: false, seeds: ts, neighbours, searchCount: 32, tickets: index(...ts) });
    const used = groups.flatMap((g) => g.tickets.map((t) => t.ticketId));
    expect(new Set(used).size).toBe(used.length);
    expect(used).toHaveLength(20);
    expect(groups[0]!.seed.ticketId).toBe(ts[0]!.ticketId);
    for (const g of groups) expect(groupProblem(g, rules, () => 0)).toBeNull();
  });

  it("names what makes a group invalid", () => {
    const seed = ticket();
    const g = { seed, tickets: [seed, ticket({ rating: 1500 })], radiusKm: 100, skillBand: 100, waitMs: 9000 };
    expect(groupProblem(g, rules, () => 0)).toMatch(/rating 1500/);
    expect(groupProblem({ ...g, tickets: [seed] }, rules, () => 0)).toMatch(/size 1/);
    expect(groupProblem({ ...g, tickets: [seed, ticket()] }, rules, () => 150)).toMatch(/150 km/);
    expect(groupProblem({ ...g, tickets: [seed, ticket()], waitMs: 100 }, rules, () => 0)).toMatch(/fill wait/);
  });
});
