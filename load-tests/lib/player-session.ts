/**
 * One logged-in player's life on a socket, the way a person plays: connect, look at the lobby, queue from
 * a place drawn from the world's population, play the whole match (inputs ~10/s steering for orbs, a ping
 * every 2 s), look at the end screen (all-time top 10 over the socket, own profile over HTTP until the match counts), think,
 * queue again, until the session ends (churn, match cap, end of the run). Every step is timed into the
 * recorder; anything a real player would notice is an error.
 */
import type { PlayerProfile } from "../../shared/protocol.ts";
import type { MatchStart, Snapshot } from "../../shared/game/types.ts";
import { Connection, RequestDropped, SessionEnded } from "./connection.ts";
import { randomPlace } from "./places.ts";
import { steer } from "./steering.ts";
import type { Params } from "./params.ts";
import type { Recorder } from "./recorder.ts";

export interface SessionInput {
  target: string;
  token: string;
  playerId: string;
  params: Params;
  rec: Recorder;
  /** Date.now() after which the player does not queue again. */
  deadline: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A match:start must follow match:found within this (the host takes the match within ~1 s). */
const START_TIMEOUT_MS = 20_000;
/** The end of a match may lag its planned length by this much (failover, a loaded host). */
const END_SLACK_MS = 45_000;
const RESULT_VISIBLE_TIMEOUT_MS = 20_000;

/** Plays until the session ends; returns the matches played. Errors are recorded, never thrown. */
export async function playSession(o: SessionInput): Promise<number> {
  const { rec, params } = o;
  const t0 = performance.now();
  const conn = new Connection(o.target, o.token, rec);
  let played = 0;
  try {
    await conn.connected(15_000);
    rec.histogram("arena.connect", performance.now() - t0);
    // The lobby: a person reads the screen before pressing Play. (Queueing in the same millisecond as the
    // connect also races the node's adoption of an earlier ticket: see the load-test notes.)
    await sleep(params.thinkMinMs + Math.random() * (params.thinkMaxMs - params.thinkMinMs));
    for (;;) {
      const matchId = await queue(conn, o);
      if (!matchId) break;
      await playMatch(conn, o, matchId);
      played++;
      rec.counter("arena.matches_played");
      await endScreen(conn, o, played);
      if (Date.now() >= o.deadline || (params.maxMatches > 0 && played >= params.maxMatches) || Math.random() < params.churn) break;
      await sleep(params.thinkMinMs + Math.random() * (params.thinkMaxMs - params.thinkMinMs));
    }
  } catch (err) {
    if (err instanceof SessionEnded) rec.error(err.kind);
    else {
      rec.error("unexpected");
      console.error("[load] unexpected error in a player session:", err);
    }
  } finally {
    conn.close();
  }
  return played;
}

/** queue:join from a random place, then the match found for us (undefined: gave up at the end of the run). */
async function queue(conn: Connection, o: SessionInput): Promise<string | undefined> {
  const { rec, params } = o;
  const before = new Set(conn.found.keys());
  const fresh = () => [...conn.found.keys()].find((id) => !before.has(id));
  /** Joins; the ticket id, or null when the player already had a ticket (adopted across a reconnect). */
  const join = async (): Promise<string | null> => {
    for (let attempt = 1; ; attempt++) {
      const res = await conn.request("queue_join", "queue:join", randomPlace(), params.ackTimeoutMs);
      if (res.ok) return res.data.ticketId;
      const code = res.error.code;
      // The previous match's bookkeeping (player pointer) may trail its match:end by a moment.
      if (code === "ALREADY_IN_MATCH" && attempt < 10) {
        rec.counter("arena.queue_retry_in_match");
        await sleep(500);
        continue;
      }
      if (code === "ALREADY_QUEUED") return null; // keep waiting for that ticket
      throw new SessionEnded(`queue_join_${code}`, `queue:join refused: ${code} ${res.error.message}`);
    }
  };
  let ticketId = await join();
  const joinedAt = performance.now();
  for (;;) {
    const cancelled = () => (ticketId !== null && conn.cancelledTickets.has(ticketId) ? "" : undefined);
    const id = await conn.until(() => fresh() ?? cancelled(), params.queueTimeoutSeconds * 1000);
    if (id) {
      rec.histogram("arena.queue_wait", conn.found.get(id)! - joinedAt);
      return id;
    }
    if (id === "") {
      // The server dropped the ticket (expired, or lost with a dead node): join again, as the client does.
      console.log(`[load] queue:cancelled for player ${o.playerId} ${Math.round(performance.now() - joinedAt)} ms after the queue:join ack: ${JSON.stringify(conn.lastCancelled)}; last queue:status ${JSON.stringify(conn.lastStatus)}`);
      ticketId = await join();
      continue;
    }
    const left = await conn.request("queue_leave", "queue:leave", {}, params.ackTimeoutMs);
    if (!left.ok && left.error.code === "ALREADY_IN_MATCH") continue; // found at the same moment: match:found is on its way
    // The ticket was gone although the server never said so (no match:found, no queue:cancelled).
    if (!left.ok) throw new SessionEnded(`queue_leave_${left.error.code}`, `queue:leave after ${params.queueTimeoutSeconds} s: ${left.error.code}`);
    // Nobody to play with: the last players of a run, or a player who waited too long and gives up.
    // A matchmaking outcome (policy, population), gated as a share of matches, not a server error.
    const gaveUp = Date.now() < o.deadline;
    rec.counter(gaveUp ? "arena.queue_gave_up" : "arena.queue_abandoned");
    if (gaveUp) console.log(`[load] player ${o.playerId} gave up after ${Math.round(performance.now() - joinedAt)} ms in the queue; last queue:status ${JSON.stringify(conn.lastStatus)}`);
    return undefined;
  }
}

/** Plays `matchId` from its start to its end. */
async function playMatch(conn: Connection, o: SessionInput, matchId: string): Promise<void> {
  const { rec, params } = o;
  const start = await conn.until(() => conn.starts.get(matchId), START_TIMEOUT_MS);
  if (!start) throw new SessionEnded("no_match_start", `match:found ${matchId} but no match:start within ${START_TIMEOUT_MS} ms`);
  let current: MatchStart = start;
  let epoch = -1;
  let seq = 0;
  let synced = false;
  let last: Snapshot | null = null;
  let lastN = -1;
  /** Input frames in flight: seq -> performance.now() when sent (insertion order = seq order). */
  const inFlight = new Map<number, number>();

  conn.onSnapshot = (s) => {
    if (s.m !== matchId) return;
    rec.counter("arena.snapshots");
    if (lastN >= 0 && s.n > lastN + 1) rec.counter("arena.snapshots_skipped", s.n - lastN - 1);
    lastN = s.n;
    last = s;
    const row = s.p.find((r) => r[0] === current.you);
    if (!row) return;
    const acked = row[4];
    if (!synced) {
      seq = Math.max(seq, acked); // after a rejoin or failover, continue above what the host has
      synced = true;
    }
    const now = performance.now();
    for (const [s2, at] of inFlight) {
      if (s2 > acked) break;
      rec.histogram("arena.input_rtt", now - at);
      inFlight.delete(s2);
    }
  };
  const tick = setInterval(() => {
    if (epoch !== conn.startEpoch) {
      // (Re)start: match:start again after a reconnect or a failover; wait for a snapshot to resync.
      epoch = conn.startEpoch;
      current = conn.starts.get(matchId) ?? current;
      synced = false;
      lastN = -1;
      inFlight.clear();
    }
    const snap = last as Snapshot | null;
    if (!synced || !snap || snap.ph !== "playing" || !conn.socket.connected) return;
    const c = steer(snap, current.you);
    seq++;
    conn.socket.emit("match:input", { s: seq, x: c.x, y: c.y, d: c.d });
    inFlight.set(seq, performance.now());
    if (inFlight.size > 200) inFlight.delete(inFlight.keys().next().value!);
  }, 1000 / params.inputHz);
  const pinger = setInterval(() => {
    if (!conn.socket.connected) return;
    void conn.request("ping", "net:ping", { t: Date.now() }, params.ackTimeoutMs, { retry: false }).catch((err: unknown) => {
      if (err instanceof SessionEnded && err.kind === "ack_timeout_ping") rec.error(err.kind);
    });
  }, 2000);
  try {
    const waitMs = start.durationMs + END_SLACK_MS;
    const ended = await conn.until(() => conn.ends.get(matchId), waitMs);
    if (!ended) throw new SessionEnded("no_match_end", `match ${matchId}: no match:end within ${waitMs} ms`);
    if (!ended.end.results.some((r) => r.playerId === o.playerId)) throw new SessionEnded("not_in_results", `match ${matchId}: we are not in its results`);
  } finally {
    clearInterval(tick);
    clearInterval(pinger);
    conn.onSnapshot = () => {};
  }
}

/** The end screen: the all-time top 10 over the socket, and our own profile until it counts the match. */
async function endScreen(conn: Connection, o: SessionInput, played: number): Promise<void> {
  const { rec, params } = o;
  const endedAt = performance.now();
  const sub = await conn.request("boards_subscribe", "boards:subscribe", { period: "alltime" }, params.ackTimeoutMs);
  if (!sub.ok) throw new SessionEnded(`boards_subscribe_${sub.error.code}`, `boards:subscribe refused: ${sub.error.code}`);
  for (;;) {
    const t = performance.now();
    const res = await fetch(`${o.target}/api/players/${encodeURIComponent(o.playerId)}`);
    rec.histogram("arena.http.player", performance.now() - t);
    if (!res.ok) throw new SessionEnded(`http_player_${res.status}`, `GET /api/players: ${res.status}`);
    const profile = (await res.json()) as PlayerProfile;
    if (profile.games >= played) {
      rec.histogram("arena.result_visible", performance.now() - endedAt);
      break;
    }
    if (performance.now() - endedAt > RESULT_VISIBLE_TIMEOUT_MS) throw new SessionEnded("result_not_visible", `profile shows ${profile.games} games, expected ${played}`);
    await sleep(250);
  }
  const unsub = await conn.request("boards_unsubscribe", "boards:unsubscribe", { period: "alltime" }, params.ackTimeoutMs);
  if (!unsub.ok) throw new SessionEnded(`boards_unsubscribe_${unsub.error.code}`, `boards:unsubscribe refused: ${unsub.error.code}`);
}
