import { describe, expect, it } from "vitest";
import { boardTtlMs, dayOf, instanceAt, instanceEnd, isoWeekOf, minuteOfDay, resolveInstance, weekStart } from "../server/boards/periods.ts";
import { expectedScore, pairwiseEloDeltas } from "../server/boards/rating.ts";
import { MAX_BOARD_POINTS, MAX_REACHED_AT, TIE_KEY_LENGTH, boardMember, clampPoints, memberPlayer, memberReachedAt, tieKey } from "../server/boards/board-encoding.ts";
import { buildPlan, parseEntry } from "../server/boards/result-plan.ts";

const at = (iso: string) => Date.parse(iso);

describe("board periods (UTC, ISO weeks)", () => {
  it("names days and ISO weeks, including year edges", () => {
    expect(dayOf(at("2026-11-22T23:59:59.999Z"))).toBe("2026-11-22");
    expect(dayOf(at("2026-11-23T00:00:00.000Z"))).toBe("2026-11-23");
    expect(isoWeekOf(at("2026-11-22T12:00:00Z"))).toBe("2026-W47"); // a Sunday: last day of W47
    expect(isoWeekOf(at("2026-11-23T00:00:00Z"))).toBe("2026-W48"); // Monday
    expect(isoWeekOf(at("2021-01-03T00:00:00Z"))).toBe("2020-W53"); // belongs to the previous year's week 53
    expect(isoWeekOf(at("2024-12-30T00:00:00Z"))).toBe("2025-W01"); // belongs to the next year's week 1
    expect(isoWeekOf(at("2026-01-01T00:00:00Z"))).toBe("2026-W01");
    expect(minuteOfDay(at("2026-11-22T13:45:59Z"))).toBe(13 * 60 + 45);
  });

  it("finds period ends and refuses impossible instances", () => {
    expect(instanceEnd("daily", "2026-02-28")).toBe(at("2026-03-01T00:00:00Z"));
    expect(instanceEnd("weekly", "2026-W47")).toBe(at("2026-11-23T00:00:00Z"));
    expect(weekStart("2020-W53")).toBe(at("2020-12-28T00:00:00Z"));
    expect(weekStart("2025-W53")).toBeNull(); // 2025 has 52 ISO weeks
    expect(weekStart("2026-W53")).toBe(at("2026-12-28T00:00:00Z")); // 2026 starts on a Thursday: 53 weeks
    expect(instanceEnd("daily", "2026-02-30")).toBeNull();
    expect(instanceEnd("alltime", "all")).toBeNull();
  });

  it("resolves the date of a request", () => {
    const now = at("2026-11-22T10:00:00Z");
    expect(resolveInstance("daily", undefined, now)).toBe("2026-11-22");
    expect(resolveInstance("weekly", undefined, now)).toBe("2026-W47");
    expect(resolveInstance("weekly", "2026-11-18", now)).toBe("2026-W47");
    expect(resolveInstance("weekly", "2026-W02", now)).toBe("2026-W02");
    expect(resolveInstance("daily", "2026-W02", now)).toBeNull();
    expect(resolveInstance("daily", "2026-13-01", now)).toBeNull();
    expect(resolveInstance("alltime", "2026-11-01", now)).toBe("all");
  });

  it("keeps a period board until its end plus the archive grace", () => {
    const grace = { dailyGraceMs: 7 * 86_400_000, weeklyGraceMs: 35 * 86_400_000 };
    const now = at("2026-11-22T23:00:00Z");
    expect(boardTtlMs("daily", instanceAt("daily", now), now, grace)).toBe(3_600_000 + 7 * 86_400_000);
    expect(boardTtlMs("weekly", "2026-W47", now, grace)).toBe(3_600_000 + 35 * 86_400_000);
    expect(boardTtlMs("alltime", "all", now, grace)).toBe(0);
    expect(boardTtlMs("daily", "2026-11-01", now, grace)).toBe(-1); // past its archive
  });
});

describe("board member encoding (pure)", () => {
  it("puts a fixed-width tie key in front of the player id, earlier and better placed sorting higher", () => {
    expect(boardMember(Date.parse("2026-11-22T10:00:00Z"), 1, "abc")).toBe(`${9_999_999_999_999 - Date.parse("2026-11-22T10:00:00Z")}98abc`);
    expect(tieKey(MAX_REACHED_AT, 1)).toBe("000000000000098");
    expect(tieKey(0, 99)).toBe("999999999999900");
    expect(tieKey(0, 500)).toBe(tieKey(0, 99)); // placements past 99 share the last tie slot
    expect(tieKey(1000, 1) > tieKey(1001, 1)).toBe(true); // earlier sorts higher (descending reads)
    expect(tieKey(1000, 1) > tieKey(1000, 2)).toBe(true); // same moment: better placement
    expect(memberPlayer(boardMember(5, 3, "p-1_x"))).toBe("p-1_x");
    expect(memberReachedAt(boardMember(123_456, 3, "p"))).toBe(123_456);
    expect(TIE_KEY_LENGTH).toBe(15);
    expect(() => tieKey(MAX_REACHED_AT + 1, 1)).toThrow(RangeError);
    expect(() => tieKey(-1, 1)).toThrow(RangeError);
    expect(() => tieKey(0, 0)).toThrow(RangeError);
    expect(MAX_BOARD_POINTS).toBe(2 ** 53 - 1);
    expect(clampPoints(-5)).toBe(0);
    expect(clampPoints(7.9)).toBe(7);
    expect(clampPoints(2 ** 60)).toBe(MAX_BOARD_POINTS);
  });
});

describe("multiplayer Elo", () => {
  it("rewards better placements, sums to about zero, and weighs the opponents' ratings", () => {
    const even = pairwiseEloDeltas([1000, 1000, 1000, 1000].map((rating, i) => ({ rating, placement: i + 1 })));
    expect(even[0]).toBeGreaterThan(0);
    expect(even[3]).toBeLessThan(0);
    expect(even).toEqual([...even].sort((a, b) => b - a));
    expect(Math.abs(even.reduce((a, b) => a + b, 0))).toBeLessThanOrEqual(2);
    // Beating a stronger player earns more than beating a weaker one.
    const [upset] = pairwiseEloDeltas([{ rating: 1000, placement: 1 }, { rating: 1400, placement: 2 }]);
    const [expected] = pairwiseEloDeltas([{ rating: 1400, placement: 1 }, { rating: 1000, placement: 2 }]);
    expect(upset!).toBeGreaterThan(expected!);
    expect(pairwiseEloDeltas([{ rating: 1000, placement: 1 }, { rating: 1000, placement: 1 }])).toEqual([0, 0]);
    expect(expectedScore(1200, 1000)).toBeCloseTo(0.76, 2);
    expect(pairwiseEloDeltas([{ rating: 1000, placement: 1 }])).toEqual([0]);
  });
});

describe("result entries", () => {
  it("parses valid entries and names what is wrong with the others", () => {
    const r = { matchId: "m1", endedAt: 1, durationMs: 5, players: [{ playerId: "a", name: "A", score: 3, placement: 1 }] };
    expect(parseEntry("1-0", ["matchId", "m1", "result", JSON.stringify(r)])).toEqual({ id: "1-0", result: r });
    expect(parseEntry("1-1", null)).toMatchObject({ invalid: "deleted" });
    expect(parseEntry("1-2", ["matchId", "m1"])).toMatchObject({ invalid: "no result field" });
    expect(parseEntry("1-3", ["result", "{oops"])).toMatchObject({ invalid: "result is not JSON" });
    expect(parseEntry("1-4", ["result", JSON.stringify({ ...r, players: [] })])).toMatchObject({ invalid: "result fails the schema" });
    expect(parseEntry("1-5", ["result", JSON.stringify({ ...r, players: [r.players[0], r.players[0]] })])).toMatchObject({ invalid: "a player appears twice" });
    const plan = buildPlan({ ...r, endedAt: at("2026-11-22T10:00:00Z"), players: [{ playerId: "a", name: "A", score: -3, placement: 1 }, { playerId: "b", name: "B", score: 9.5, placement: 2 }] }, [1000, 1000]);
    expect(plan).toMatchObject({ day: "2026-11-22", week: "2026-W47", players: [{ id: "a", points: 0, win: 1, placement: 1 }, { id: "b", points: 9, win: 0, placement: 2 }] });
    expect(plan.players[0]!.delta).toBe(16);
  });
});
