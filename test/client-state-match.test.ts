/**
 * The client's screen state (client/src/state/), pure, under plain Node: match on screen, results with
 * the live board, notices and the announcement banner, and that no transition mutates its input.
 */
import { describe, expect, it } from "vitest";
import { reduce, type Action } from "../client/src/state/app-state.ts";
import { ME, end, fresh, frozen, lobby, run, searching, start, status, types } from "./helpers/client-state.ts";

describe("match", () => {
  it("found shows who, start shows the game; the same match starting again (rejoin, failover) replaces it", () => {
    const found = reduce(searching(), { type: "match:found", found: { matchId: "m1", players: [{ playerId: ME, name: "Zoë" }, { playerId: "b", name: "Bob" }] } });
    expect(found.queue).toMatchObject({ phase: "found", headline: "Match found! Starting…", found: ["Zoë", "Bob"] });
    // Back in the lobby without it having started (the results screen's Lobby button): not waited for any more.
    expect(reduce(found, { type: "lobby" }).queue.phase).toBe("idle");
    const playing = reduce(found, { type: "match:start", start: start() });
    expect([playing.screen, playing.queue.phase, playing.match?.matchId]).toEqual(["game", "idle", "m1"]);
    const again = { ...start(), phase: "playing" as const };
    const rejoined = reduce(playing, { type: "match:start", start: again });
    expect([rejoined.screen, rejoined.match]).toEqual(["game", again]);
  });

  it("a reload mid-match: lobby, connect, no queue join, and the server's match:start puts the game back", () => {
    const reloaded = run(fresh(), { type: "boot", hasToken: true }, { type: "session:ready", name: "Zoë", playerId: ME });
    const up = run(reloaded, { type: "connection:status", status: "online", detail: "" }, { type: "connection:up" });
    expect(up.commands).toEqual([]);
    const back = reduce(up, { type: "match:start", start: { ...start(), phase: "playing" } });
    expect([back.screen, back.match?.matchId]).toEqual(["game", "m1"]);
  });

  it("resumed on another node: a short banner, the match stays", () => {
    const s = reduce(reduce(lobby(), { type: "match:start", start: start() }), { type: "match:resumed" });
    expect(s.banner).toMatchObject({ text: "The match moved to another server. Play on!", sticky: false, action: null });
    expect(s.commands).toEqual([{ type: "banner-timer", id: s.banner!.id, ms: 6000 }]);
    expect(s.screen).toBe("game");
  });

  it("match:end shows the placements from the player's side and loads the live board", () => {
    const playing = reduce(lobby(), { type: "match:start", start: start() });
    const won = reduce(playing, { type: "match:end", end: end("m1", 9, 4) });
    expect(won.screen).toBe("end");
    expect(won.match).toBeNull();
    expect(won.lastEnd?.matchId).toBe("m1");
    expect(won.results?.title).toBe("You win!");
    expect(won.results?.rows).toEqual([
      { placement: 1, name: "Zoë (you)", score: 9, me: true },
      { placement: 2, name: "Bob", score: 4, me: false },
    ]);
    expect(won.boards.note).toBe("Loading…");
    expect(types(won)).toEqual(["boards:load"]);
    expect(reduce(playing, { type: "match:end", end: end("m1", 2, 4) }).results?.title).toBe("You placed #2");
    expect(reduce(playing, { type: "match:end", end: end("m1", 4, 4) }).results?.title).toBe("A tie for first!");
  });

  it("the end of another match (an older one, late) leaves the match on screen alone", () => {
    const s = reduce(reduce(lobby(), { type: "match:start", start: start("m2") }), { type: "match:end", end: end("m1", 1, 0) });
    expect([s.screen, s.match?.matchId, s.lastEnd?.matchId, s.commands]).toEqual(["game", "m2", "m1", []]);
  });

  it("the board is live while subscribed: pushes update it, other periods and HTTP reads do not subscribe", () => {
    const ended = run(lobby(), { type: "match:start", start: start() }, { type: "match:end", end: end("m1", 9, 4) });
    const entry = (rank: number, name: string, score: number) => ({ rank, playerId: name === "Zoë" ? ME : name, name, score });
    const live = reduce(ended, { type: "boards:loaded", entries: [entry(1, "Ann", 50)], subscribed: true });
    expect([live.boards.subscribed, live.boards.note, live.boards.entries.length]).toEqual([true, "", 1]);
    const pushed = reduce(live, { type: "boards:top", top: { period: "alltime", entries: [entry(1, "Ann", 50), entry(2, "Zoë", 9)] } });
    expect(pushed.boards.entries.map((e) => e.name)).toEqual(["Ann", "Zoë"]);
    expect(reduce(live, { type: "boards:top", top: { period: "daily", entries: [] } }).boards).toBe(live.boards);
    const offline = reduce(ended, { type: "boards:loaded", entries: [], subscribed: false });
    expect([offline.boards.subscribed, offline.boards.note]).toEqual([false, "No scores yet."]);
    expect(reduce(offline, { type: "boards:top", top: { period: "alltime", entries: [entry(1, "Ann", 1)] } }).boards).toBe(offline.boards);
    expect(reduce(ended, { type: "boards:failed" }).boards.note).toBe("The leaderboard is not available right now.");
  });

  it("leaving the end screen stops the board pushes: lobby, play again, or a new match found", () => {
    const live = run(
      lobby(),
      { type: "match:start", start: start() },
      { type: "match:end", end: end("m1", 9, 4) },
      { type: "boards:loaded", entries: [], subscribed: true },
    );
    const toLobby = reduce(live, { type: "lobby" });
    expect([toLobby.screen, toLobby.boards.subscribed, types(toLobby)]).toEqual(["queue", false, ["boards:unsubscribe", "connect"]]);
    const again = reduce(live, { type: "play-again", now: 5 });
    expect([again.screen, again.queue.phase, again.queue.since]).toEqual(["queue", "joining", 5]);
    expect(types(again)).toEqual(["boards:unsubscribe", "connect", "queue:join"]);
    const found = reduce(live, { type: "match:found", found: { matchId: "m2", players: [] } });
    expect([found.screen, types(found)]).toEqual(["queue", ["boards:unsubscribe"]]);
    // The subscribe ack arrives after the player left: unsubscribe at once.
    const pending = run(lobby(), { type: "match:start", start: start() }, { type: "match:end", end: end("m1", 9, 4) }, { type: "lobby" });
    const late = reduce(pending, { type: "boards:loaded", entries: [], subscribed: true });
    expect([late.boards.subscribed, types(late)]).toEqual([false, ["boards:unsubscribe"]]);
  });
});

describe("notices and banners", () => {
  it("SESSION_REPLACED: a sticky banner with Play here, no reconnect until the player clicks it", () => {
    const playing = reduce(lobby(), { type: "match:start", start: start() });
    const s = run(playing, { type: "notice", notice: { code: "SESSION_REPLACED", message: "x" } }, { type: "connection:status", status: "stopped", detail: "SESSION_REPLACED" });
    expect(s.banner).toMatchObject({ text: "You are playing in another tab or device.", action: "Play here", sticky: true });
    expect(s.commands).toEqual([]);
    expect(reduce(playing, { type: "notice", notice: { code: "SESSION_REPLACED", message: "x" } }).commands).toEqual([]);
    expect(s.notices.map((n) => n.code)).toEqual(["SESSION_REPLACED"]);
    // Nothing else happens: the player is still signed in and the match view stays.
    expect([s.screen, s.signedIn, s.match?.matchId]).toEqual(["game", true, "m1"]);
    const here = reduce(s, { type: "banner:act" });
    expect([here.banner, here.commands]).toEqual([null, [{ type: "connect" }]]);
  });

  it("KICKED and BANNED offer Reconnect; SERVER_SHUTTING_DOWN and INPUT_FLOOD show a short banner", () => {
    const kicked = reduce(lobby(), { type: "notice", notice: { code: "KICKED", message: "" } });
    expect(kicked.banner).toMatchObject({ text: "Disconnected by the server.", action: "Reconnect", sticky: true });
    const banned = reduce(lobby(), { type: "notice", notice: { code: "BANNED", message: "Banned until tomorrow" } });
    expect(banned.banner).toMatchObject({ text: "Banned until tomorrow", action: "Reconnect" });
    for (const code of ["SERVER_SHUTTING_DOWN", "INPUT_FLOOD"] as const) {
      const s = reduce(lobby(), { type: "notice", notice: { code, message: `about ${code}` } });
      expect(s.banner).toMatchObject({ text: `about ${code}`, action: null, sticky: false });
      expect(types(s)).toEqual(["banner-timer"]);
      expect(reduce(s, { type: "banner:act" }).commands).toEqual([]);
    }
  });

  it("a banner's timer hides that banner only, not a newer one", () => {
    const first = reduce(lobby(), { type: "match:resumed" });
    const second = reduce(first, { type: "notice", notice: { code: "SESSION_REPLACED", message: "" } });
    expect(reduce(second, { type: "banner:expired", id: first.banner!.id }).banner).toBe(second.banner);
    expect(reduce(first, { type: "banner:expired", id: first.banner!.id }).banner).toBeNull();
    expect(reduce(second, { type: "banner:close" }).banner).toBeNull();
  });

  it("an operator announcement has its own banner, stays until dismissed, and never hides a notice", () => {
    const replaced = reduce(lobby(), { type: "notice", notice: { code: "SESSION_REPLACED", message: "" } });
    const s = reduce(replaced, { type: "announce", announcement: { message: "Maintenance at 02:00 UTC", at: 1 } });
    expect(s.announcement).toEqual({ message: "Maintenance at 02:00 UTC", at: 1 });
    expect(s.banner).toBe(replaced.banner);
    expect(s.commands).toEqual([]);
    const dismissed = reduce(s, { type: "announcement:dismiss" });
    expect([dismissed.announcement, dismissed.banner]).toEqual([null, replaced.banner]);
  });

  it("keeps a bounded list of notices for the debug view", () => {
    let s = lobby();
    for (let i = 0; i < 80; i++) s = reduce(s, { type: "notice", notice: { code: "INPUT_FLOOD", message: String(i) } });
    expect(s.notices).toHaveLength(50);
    expect(s.notices.at(-1)?.message).toBe("79");
  });
});

it("never mutates the state it is given", () => {
  const actions: Action[] = [
    { type: "boot", hasToken: true },
    { type: "session:ready", name: "Zoë", playerId: ME },
    { type: "location:found", geo: { lat: 1, lon: 2 } },
    { type: "queue:find", now: 1 },
    { type: "queue:status", status: status(5), now: 6 },
    { type: "queue:cancelled" },
    { type: "match:found", found: { matchId: "m1", players: [{ playerId: ME, name: "Zoë" }] } },
    { type: "match:start", start: start() },
    { type: "notice", notice: { code: "SERVER_SHUTTING_DOWN", message: "bye" } },
    { type: "announce", announcement: { message: "hi", at: 2 } },
    { type: "match:end", end: end("m1", 3, 1) },
    { type: "boards:loaded", entries: [{ rank: 1, playerId: ME, name: "Zoë", score: 3 }], subscribed: true },
    { type: "play-again", now: 10 },
    { type: "logout" },
    { type: "session:ended" },
  ];
  let s = frozen(fresh());
  for (const a of actions) s = frozen(reduce(s, a));
  expect(s.screen).toBe("name");
});
