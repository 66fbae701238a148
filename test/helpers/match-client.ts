/**
 * Test helpers of the match runtime: a socket.io client that records every event from before its
 * handshake (a server may emit match:start in the same TCP read as the connect packet, before a listener
 * added after `connect` exists), and a match record written the way the matchmaker writes it.
 */
import { randomBytes } from "node:crypto";
import type { RedisClient } from "../../server/redis/connection.ts";
import { io as ioClient, type Socket } from "socket.io-client";
import type { Keys } from "../../server/redis/keys.ts";
import type { MatchRecord, NewMatch } from "../../server/matches/match-record.ts";
import { MatchStore } from "../../server/matches/match-store.ts";
import type { MatchEnd, MatchStart, Snapshot } from "../../shared/game/types.ts";
import { decodeSnapshot } from "../../shared/game/snapshot-codec.ts";
import type { MatchResumed, ServerToClientEvents } from "../../shared/protocol.ts";

/**
 * What a recorded server-to-client event holds, by name: `EventData<"match:end">` is `MatchEnd`; snapshots
 * are recorded decoded (`Snapshot`), not in their wire form.
 */
export type EventData<E extends keyof ServerToClientEvents> = E extends "match:snapshot" ? Snapshot : Parameters<ServerToClientEvents[E]>[0];

export interface Recorded {
  event: string;
  data: unknown;
  /** performance.now() at arrival. */
  at: number;
}

/** A client that keeps every event it received, in order (snapshots decoded from their wire form). */
export class RecordingClient {
  readonly events: Recorded[] = [];
  private waiters: (() => void)[] = [];

  constructor(readonly socket: Socket) {
    socket.onAny((event: string, data: unknown) => {
      if (event === "match:snapshot" && typeof data === "string") data = decodeSnapshot(data);
      this.events.push({ event, data, at: performance.now() });
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on("disconnect", () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Connects (websocket only, no auto-reconnect) and resolves once connected. */
  static connect(url: string, token: string): Promise<RecordingClient> {
    const socket = ioClient(url, { transports: ["websocket"], auth: { token }, reconnection: false, forceNew: true });
    const c = new RecordingClient(socket);
    return new Promise((ok, fail) => {
      socket.once("connect", () => ok(c));
      socket.once("connect_error", (err) => {
        socket.close();
        fail(err);
      });
    });
  }

  /** Every recorded `event` (after index `from`), typed by its name (or by T for a name outside the protocol). */
  all<E extends keyof ServerToClientEvents>(event: E, from?: number): EventData<E>[];
  all<T>(event: string, from?: number): T[];
  all<T>(event: string, from = 0): T[] {
    return this.events.slice(from).filter((e) => e.event === event).map((e) => e.data as T);
  }

  snapshots(): Snapshot[] {
    return this.all<Snapshot>("match:snapshot");
  }

  starts(): MatchStart[] {
    return this.all<MatchStart>("match:start");
  }

  ends(): MatchEnd[] {
    return this.all<MatchEnd>("match:end");
  }

  resumes(): MatchResumed[] {
    return this.all<MatchResumed>("match:resumed");
  }

  /** Waits until `pred` holds over the recorded events (re-checked at each new event and every 100 ms). */
  async until<T>(pred: () => T | undefined | null | false, timeoutMs: number, what = "condition"): Promise<T> {
    const end = performance.now() + timeoutMs;
    for (;;) {
      const v = pred();
      if (v) return v;
      const left = end - performance.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((ok) => {
        const t = setTimeout(ok, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(t);
          ok();
        });
      });
    }
  }

  /** The first recorded `event` (after index `from`), waiting for it; typed by the event's name. */
  next<E extends keyof ServerToClientEvents>(event: E, timeoutMs: number, from?: number): Promise<EventData<E>>;
  next<T>(event: string, timeoutMs: number, from?: number): Promise<T>;
  next<T>(event: string, timeoutMs: number, from = 0): Promise<T> {
    return this.until(() => this.events.slice(from).find((e) => e.event === event)?.data as T | undefined, timeoutMs, event);
  }

  /** Sends an input frame. */
  input(s: number, x: number, y: number, d = false): void {
    this.socket.emit("match:input", { s, x, y, d });
  }

  close(): void {
    this.socket.close();
  }
}

/** A match record as the matchmaker has it created right after a claim (see server/matches/match-record.ts). */
export function matchRecordFor(players: { playerId: string; name: string }[], hostNodeId: string, seed = 1234): MatchRecord {
  return {
    matchId: `m-${randomBytes(6).toString("hex")}`,
    queue: "world",
    fence: 1,
    hostNodeId,
    createdAt: Date.now(),
    status: "created",
    seed,
    players: players.map((p) => ({ playerId: p.playerId, name: p.name, rating: 1000 })),
  };
}

/** Writes the record, the active-list entry and the player pointers (what the matches service's createMatch does). */
export async function createMatch(redis: RedisClient, keys: Keys, rec: NewMatch, ttlMs = 120_000): Promise<void> {
  await new MatchStore(redis, keys, ttlMs).create(rec);
  await Promise.all(rec.players.map((p) => redis.set(keys.players.match(p.playerId), rec.matchId, "PX", ttlMs)));
}

/** Every snapshot sequence number is above the one before. */
export function strictlyIncreasing(snaps: Snapshot[]): boolean {
  return snaps.every((s, i) => i === 0 || s.n > snaps[i - 1]!.n);
}

/** Reads a match record straight from RedisClient (null when missing). */
export function readMatch(redis: RedisClient, keys: Keys, matchId: string): Promise<MatchRecord | null> {
  return new MatchStore(redis, keys, 0).read(matchId);
}
