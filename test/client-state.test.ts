/**
 * The client's screen state (client/src/state/), pure, under plain Node: boot, login, lobby and queue
 * transitions with the commands each asks for. client-state-match.test.ts covers the match, results and
 * banners; the browser tests cover the same flows end to end in Chromium.
 */
import { describe, expect, it } from "vitest";
import { reduce, regionLocked } from "../client/src/state/app-state.ts";
import { ME, fresh, lobby, run, searching, start, status, types } from "./helpers/client-state.ts";

describe("boot and login", () => {
  it("without a stored token shows the name screen, prefilled with the remembered name", () => {
    const s = reduce(fresh(), { type: "boot", hasToken: false });
    expect(s.screen).toBe("name");
    expect(s.signedIn).toBe(false);
    expect(s.player.name).toBe("Zoë");
    expect(types(s)).toEqual(["probe-location"]);
  });

  it("with a stored token checks it first (a stale one logs in again), then goes to the lobby and connects", () => {
    const booting = reduce(fresh(), { type: "boot", hasToken: true });
    expect(booting.screen).toBe("boot");
    expect(types(booting)).toEqual(["probe-location", "restore-session"]);
    const s = reduce(booting, { type: "session:ready", name: "Zoë", playerId: ME });
    expect(s.screen).toBe("queue");
    expect(s.signedIn).toBe(true);
    expect(types(s)).toEqual(["connect"]);
    // Unknown and not renewable: the name screen, no message.
    const gone = reduce(booting, { type: "session:ended" });
    expect([gone.screen, gone.nameForm.error]).toEqual(["name", ""]);
  });

  it("refuses a bad name without asking the server; sends a good one normalised, once", () => {
    const named = reduce(fresh(null), { type: "boot", hasToken: false });
    const bad = reduce(named, { type: "name:submit", raw: "<img src=x onerror=alert(1)>" });
    expect(bad.nameForm.error).toMatch(/letters/);
    expect(bad.commands).toEqual([]);
    const good = reduce(bad, { type: "name:submit", raw: "  Zoë   Tester " });
    expect(good.nameForm).toEqual({ error: "", pending: true });
    expect(good.commands).toEqual([{ type: "login", name: "Zoë Tester" }]);
    expect(reduce(good, { type: "name:submit", raw: "Other" }).commands).toEqual([]);
    const failed = reduce(good, { type: "login:failed", message: "Too many requests" });
    expect(failed.nameForm).toEqual({ error: "Too many requests", pending: false });
    const ok = reduce(good, { type: "session:ready", name: "Zoë Tester", playerId: ME });
    expect([ok.screen, ok.player.name, ok.nameForm.pending]).toEqual(["queue", "Zoë Tester", false]);
  });

  it("a login the connection could not renew returns to the name screen, match dropped, with a message", () => {
    const s = run(lobby(), { type: "match:start", start: start() }, { type: "session:ended", message: "Please log in again." });
    expect(s.screen).toBe("name");
    expect(s.match).toBeNull();
    expect(s.signedIn).toBe(false);
    expect(s.nameForm.error).toBe("Please log in again.");
    expect(s.player.name).toBe("Zoë");
  });

  it("logout leaves the match and the queue, stops the board pushes, then the name screen", () => {
    const s = run(lobby(), { type: "queue:find", now: 0 }, { type: "logout" });
    expect(s.queue.phase).toBe("idle");
    expect(types(s)).toEqual(["logout"]);
    const out = reduce(s, { type: "session:ended" });
    expect([out.screen, out.signedIn, out.nameForm.error, out.player.name]).toEqual(["name", false, "", "Zoë"]);
  });
});

describe("queue", () => {
  it("find match joins with the region, or with the position once the browser gave it", () => {
    const s = reduce(lobby(), { type: "queue:find", now: 1000 });
    expect(s.queue).toMatchObject({ phase: "joining", since: 1000, headline: "Joining the queue…", error: "" });
    expect(s.commands).toEqual([{ type: "queue:join", request: { region: "eu-west" } }]);

    const asking = reduce(lobby(), { type: "location:toggle", on: true });
    expect(types(asking)).toEqual(["locate"]);
    // Ticked but not found yet: still the region.
    expect(reduce(asking, { type: "queue:find", now: 0 }).commands).toEqual([{ type: "queue:join", request: { region: "eu-west" } }]);
    const located = reduce(asking, { type: "location:found", geo: { lat: 48.9, lon: 2.4 } });
    expect(regionLocked(located.where)).toBe(true);
    expect(located.where.status).toBe("Using your location (48.9, 2.4).");
    expect(reduce(located, { type: "queue:find", now: 0 }).commands).toEqual([{ type: "queue:join", request: { lat: 48.9, lon: 2.4 } }]);
  });

  it("the ack says where it searches and the rough wait; queue:status keeps the figures current", () => {
    const s = searching();
    expect(s.queue).toMatchObject({ phase: "searching", headline: "Searching in Europe West…", estimateMs: 4200 });
    const later = reduce(s, { type: "queue:status", status: status(7000, 1200), now: 9000 });
    expect(later.queue).toMatchObject({ phase: "searching", since: 2000, radiusKm: 1200, inRange: 3 });
    // A status before the ack also means the ticket exists.
    const early = run(lobby(), { type: "queue:find", now: 0 }, { type: "queue:status", status: status(100), now: 200 });
    expect(early.queue.phase).toBe("searching");
  });

  it("refusals: already queued and already in a match carry on, rate limits and others show an error", () => {
    const joining = reduce(lobby(), { type: "queue:find", now: 0 });
    const err = (code: string, extra = {}) => reduce(joining, { type: "queue:joined", ack: { ok: false, error: { code, message: `m:${code}`, ...extra } as never } }).queue;
    expect(err("ALREADY_QUEUED")).toMatchObject({ phase: "searching", headline: "Searching…" });
    expect(err("ALREADY_IN_MATCH")).toMatchObject({ phase: "found", headline: "Rejoining your match…" });
    expect(err("RATE_LIMITED", { retryAfterMs: 2500 })).toMatchObject({ phase: "idle", error: "Too many tries; wait 3 s." });
    expect(err("INVALID_PAYLOAD")).toMatchObject({ phase: "idle", error: "m:INVALID_PAYLOAD" });
    expect(reduce(joining, { type: "queue:no-answer" }).queue).toMatchObject({ phase: "idle", error: "The server did not answer. Try again." });
  });

  it("cancel leaves the queue; a late ack or timeout for the cancelled join changes nothing", () => {
    const cancelled = reduce(reduce(lobby(), { type: "queue:find", now: 0 }), { type: "queue:cancel" });
    expect(cancelled.queue.phase).toBe("idle");
    expect(types(cancelled)).toEqual(["queue:leave"]);
    const late = reduce(cancelled, { type: "queue:joined", ack: { ok: true, data: { ticketId: "t", region: "eu-west", estimatedWaitMs: 0 } } });
    expect(late.queue.phase).toBe("idle");
    expect(reduce(cancelled, { type: "queue:no-answer" }).queue.error).toBe("");
  });

  it("a ticket the server cancelled is asked for again while searching, never after the player left", () => {
    const s = reduce(searching(), { type: "queue:cancelled" });
    expect(s.queue.phase).toBe("searching");
    expect(s.commands).toEqual([{ type: "queue:join", request: { region: "eu-west" } }]);
    // The join in flight will answer; the player who cancelled does not want one.
    expect(reduce(reduce(lobby(), { type: "queue:find", now: 0 }), { type: "queue:cancelled" }).commands).toEqual([]);
    expect(reduce(reduce(searching(), { type: "queue:cancel" }), { type: "queue:cancelled" }).commands).toEqual([]);
  });

  it("a (re)connect re-sends the join while waiting, and nothing otherwise", () => {
    expect(types(reduce(searching(), { type: "connection:up" }))).toEqual(["queue:join"]);
    expect(types(reduce(reduce(lobby(), { type: "queue:find", now: 0 }), { type: "connection:up" }))).toEqual(["queue:join"]);
    expect(reduce(lobby(), { type: "connection:up" }).commands).toEqual([]);
    const found = reduce(searching(), { type: "match:found", found: { matchId: "m1", players: [] } });
    expect(reduce(found, { type: "connection:up" }).commands).toEqual([]);
  });

  it("commands belong to one transition only", () => {
    const s = reduce(lobby(), { type: "queue:find", now: 0 });
    expect(reduce(s, { type: "queue:status", status: status(10), now: 10 }).commands).toEqual([]);
  });

  it("location: allowed before, blocked, refused, turned off; a picked region is saved", () => {
    expect(types(reduce(lobby(), { type: "location:permission", permission: "granted" }))).toEqual(["locate"]);
    expect(reduce(lobby(), { type: "location:permission", permission: "prompt" }).where).toEqual(lobby().where);
    const blocked = reduce(lobby(), { type: "location:permission", permission: "denied" }).where;
    expect(blocked).toMatchObject({ blocked: true, status: "Location is blocked in this browser; pick a region." });
    const refused = run(lobby(), { type: "location:toggle", on: true }, { type: "location:failed", message: "User denied Geolocation" });
    expect(refused.where).toMatchObject({ useLocation: false, geo: null, status: "User denied Geolocation. Pick a region instead." });
    const off = run(lobby(), { type: "location:found", geo: { lat: 1, lon: 2 } }, { type: "location:toggle", on: false });
    expect(off.where).toMatchObject({ useLocation: false, geo: null, status: "" });
    expect(regionLocked(off.where)).toBe(false);
    const picked = reduce(lobby(), { type: "region:select", region: "oc" });
    expect([picked.where.region, picked.commands]).toEqual(["oc", [{ type: "save-region", region: "oc" }]]);
  });
});
