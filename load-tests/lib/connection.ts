/**
 * One player's socket.io connection as a load-test bot sees it: WebSocket only, token in the handshake,
 * socket.io's own reconnection for dropped connections (a node killed by the chaos switch), a manual one
 * after `SERVER_SHUTTING_DOWN` (as the game client does), and every server event kept as state that the
 * session awaits with `until()`. Listeners are attached before the handshake: a node may send
 * `match:start` in the same read as the connect packet.
 */
import { io, type Socket } from "socket.io-client";
import type { Ack, ClientToServerEvents, MatchFound, Notice, QueueCancelled, QueueStatus, ServerToClientEvents } from "../../shared/protocol.ts";
import type { MatchEnd, MatchStart, Snapshot } from "../../shared/game/types.ts";
import { decodeSnapshot } from "../../shared/game/snapshot-codec.ts";
import type { Recorder } from "./recorder.ts";

export type GameSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Notices after which the game client does not reconnect by itself: the session is over. */
const FINAL_NOTICES = new Set(["SESSION_REPLACED", "KICKED", "BANNED", "INPUT_FLOOD"]);

/** The session cannot go on (refused handshake, final notice, server disconnect); `kind` names the error. */
export class SessionEnded extends Error {
  constructor(readonly kind: string, message: string) {
    super(message);
    this.name = "SessionEnded";
  }
}

/** A request lost with its connection and not sent again (`retry: false`). */
export class RequestDropped extends Error {
  constructor(event: string) {
    super(`${event}: lost with the connection`);
    this.name = "RequestDropped";
  }
}

export class Connection {
  readonly socket: GameSocket;
  /** matchId -> performance.now() of its first match:found or match:start. */
  readonly found = new Map<string, number>();
  /** matchId -> latest match:start (sent again after a reconnect or a failover). */
  readonly starts = new Map<string, MatchStart>();
  readonly ends = new Map<string, { end: MatchEnd; at: number }>();
  /** Called for every snapshot (the session of the current match decides what to do with it). */
  onSnapshot: (s: Snapshot) => void = () => {};
  /** Bumped by every match:start: the session resynchronises its inputs after a rejoin or failover. */
  startEpoch = 0;
  /** Ticket ids the server cancelled (queue:cancelled may arrive before the queue:join ack). */
  readonly cancelledTickets = new Set<string>();
  /** The latest queue:status and queue:cancelled (printed when a player gives up: evidence for a look). */
  lastStatus: QueueStatus | null = null;
  lastCancelled: QueueCancelled | null = null;
  private ended: SessionEnded | null = null;
  private lastNotice = "";
  private waiters = new Set<() => void>();

  constructor(target: string, token: string, private readonly rec: Recorder) {
    this.socket = io(target, {
      transports: ["websocket"],
      auth: { token },
      forceNew: true,
      reconnectionDelay: 300,
      reconnectionDelayMax: 2000,
      timeout: 10_000,
    });
    const s = this.socket;
    s.on("match:found", (m: MatchFound) => this.markFound(m.matchId));
    s.on("match:start", (m: MatchStart) => {
      this.markFound(m.matchId);
      this.starts.set(m.matchId, m);
      this.startEpoch++;
      this.wake();
    });
    // Snapshots arrive encoded (base64 of the layout in docs/protocol.md); one that does not decode counts.
    s.on("match:snapshot", (raw) => {
      let snap: Snapshot;
      try {
        snap = decodeSnapshot(raw);
      } catch {
        this.rec.counter("arena.snapshots_undecodable");
        return;
      }
      this.onSnapshot(snap);
    });
    s.on("match:end", (e) => {
      if (!this.ends.has(e.matchId)) this.ends.set(e.matchId, { end: e, at: performance.now() });
      this.wake();
    });
    s.on("match:resumed", () => this.rec.counter("arena.match_resumed"));
    s.on("queue:status", (st) => (this.lastStatus = st));
    s.on("queue:cancelled", (c) => {
      this.lastCancelled = c;
      this.cancelledTickets.add(c.ticketId);
      this.rec.counter("arena.queue_cancelled");
      this.wake();
    });
    s.on("server:notice", (n: Notice) => {
      this.lastNotice = n.code;
      this.rec.counter(`arena.notice.${n.code}`);
      if (FINAL_NOTICES.has(n.code)) this.end(new SessionEnded(`notice_${n.code}`, `server:notice ${n.code}: ${n.message}`));
    });
    s.on("disconnect", (reason) => {
      if (reason === "io client disconnect") return;
      this.rec.counter("arena.disconnects");
      if (reason !== "io server disconnect") return; // socket.io reconnects by itself
      if (this.lastNotice === "SERVER_SHUTTING_DOWN") setTimeout(() => this.ended || s.connect(), 200 + Math.random() * 500);
      else this.end(new SessionEnded("server_disconnect", `server closed the socket (last notice: ${this.lastNotice || "none"})`));
    });
    s.on("connect_error", (err: Error & { data?: { code?: string } }) => {
      // A refused handshake (bad token, ban) has a code; a network error does not and is retried.
      if (err.data?.code) this.end(new SessionEnded(`handshake_${err.data.code}`, `handshake refused: ${err.data.code}`));
    });
    s.io.on("reconnect", () => this.rec.counter("arena.reconnects"));
  }

  /** Resolves once connected (again); throws SessionEnded when refused or after `timeoutMs`. */
  async connected(timeoutMs: number): Promise<void> {
    const ok = await this.until(() => this.socket.connected || undefined, timeoutMs);
    if (!ok) throw new SessionEnded("connect_timeout", `not connected after ${timeoutMs} ms`);
  }

  /**
   * Emits an acked event and records `arena.ack.<name>`. An ack that does not come within `timeoutMs` is
   * an error (thrown). A request lost with its connection (socket.io fails the acks in flight when a
   * connection drops: a node died) is sent again once reconnected, as a client would, or with
   * `retry: false` fails with RequestDropped, which is not an error.
   */
  async request<E extends "queue:join" | "queue:leave" | "net:ping" | "boards:subscribe" | "boards:unsubscribe">(
    name: string,
    event: E,
    payload: Parameters<ClientToServerEvents[E]>[0],
    timeoutMs: number,
    opts: { retry?: boolean } = {},
  ): Promise<AckOf<E>> {
    for (let attempt = 1; ; attempt++) {
      this.check();
      const t0 = performance.now();
      try {
        // The typed overloads of emitWithAck do not survive a generic event name; the map guarantees the shape.
        const res = (await (this.socket.timeout(timeoutMs) as unknown as GenericEmitter).emitWithAck(event, payload)) as AckOf<E>;
        this.rec.histogram(`arena.ack.${name}`, performance.now() - t0);
        return res;
      } catch (err) {
        const lost = /disconnected/.test((err as Error).message);
        if (!lost) throw new SessionEnded(`ack_timeout_${name}`, `${event}: no ack within ${timeoutMs} ms`);
        if (opts.retry === false) throw new RequestDropped(event);
        if (attempt >= 3) throw new SessionEnded(`lost_${name}`, `${event}: lost with the connection ${attempt} times`);
        this.rec.counter("arena.requests_resent");
        await this.connected(15_000);
      }
    }
  }

  /**
   * Waits until `pred` returns a value (re-checked on every state change and every 100 ms); undefined
   * after `timeoutMs`. Throws the SessionEnded that ended the connection meanwhile.
   */
  async until<T>(pred: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
    const end = performance.now() + timeoutMs;
    for (;;) {
      if (this.ended) throw this.ended;
      const v = pred();
      if (v !== undefined) return v;
      const left = end - performance.now();
      if (left <= 0) return undefined;
      await new Promise<void>((ok) => {
        const wake = () => {
          clearTimeout(t);
          this.waiters.delete(wake);
          ok();
        };
        const t = setTimeout(wake, Math.min(left, 100));
        this.waiters.add(wake);
      });
    }
  }

  /** Throws if the session has ended (used between steps). */
  check(): void {
    if (this.ended) throw this.ended;
  }

  close(): void {
    this.socket.removeAllListeners();
    this.socket.io.removeAllListeners();
    this.socket.disconnect();
  }

  private markFound(matchId: string): void {
    if (!this.found.has(matchId)) this.found.set(matchId, performance.now());
    this.wake();
  }

  private end(e: SessionEnded): void {
    this.ended ??= e;
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

type AckOf<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]> extends [unknown, (res: infer A) => void] ? A extends Ack<unknown> ? A : never : never;

interface GenericEmitter {
  emitWithAck(event: string, payload: unknown): Promise<unknown>;
}
