/**
 * The socket to the node: websocket only, token in the handshake, reconnection with jittered exponential
 * backoff, a ping loop for the HUD. socket.io retries transport drops by itself; it does not retry when
 * the server refused the handshake or closed the socket on purpose, so those cases are decided here:
 * INVALID_TOKEN logs in again, a shutdown notice reconnects (any node will do), SESSION_REPLACED, KICKED
 * and BANNED stop and let the player decide.
 */
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, Notice, ServerToClientEvents } from "../../shared/protocol.ts";
import type { ErrorBody } from "../../shared/errors.ts";
import type { Session } from "./session.ts";

export type GameSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export type ConnectionStatus = "connecting" | "online" | "reconnecting" | "stopped";

export interface ConnectionHooks {
  status(s: ConnectionStatus, detail?: string): void;
  /** Every (re)connect: the app re-sends what the server may have forgotten (queue ticket). */
  connected(): void;
  notice(n: Notice): void;
  /** The stored login is gone and could not be renewed: back to the name screen. */
  loggedOut(): void;
}

/** Notices after which reconnecting on our own would fight the server or another tab. */
const TERMINAL = new Set(["SESSION_REPLACED", "KICKED", "BANNED"]);
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10_000;

export class Connection {
  readonly socket: GameSocket;
  /** Smoothed round-trip time (ms); a guess until the first pong. */
  rttMs = 100;
  measured = false;
  private lastNotice: string | null = null;
  private retries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;

  constructor(
    private readonly session: Session,
    private readonly hooks: ConnectionHooks,
  ) {
    this.socket = io({
      transports: ["websocket"],
      autoConnect: false,
      // A function, so every reconnect sends the current token (it changes after a re-login).
      auth: (cb) => cb({ token: this.session.token ?? "" }),
      reconnection: true,
      reconnectionDelay: BACKOFF_MIN_MS,
      reconnectionDelayMax: BACKOFF_MAX_MS,
      randomizationFactor: 0.5,
    });
    const s = this.socket;
    s.on("connect", () => {
      this.retries = 0;
      this.lastNotice = null;
      this.hooks.status("online");
      this.startPing();
      this.hooks.connected();
    });
    s.on("server:notice", (n) => {
      this.lastNotice = n.code;
      this.hooks.notice(n);
    });
    s.on("disconnect", (reason) => {
      this.stopPing();
      if (this.stopped) return;
      if (reason === "io server disconnect") {
        // The server closed us on purpose; the notice just before says whether to come back.
        if (this.lastNotice && TERMINAL.has(this.lastNotice)) {
          this.stop(this.lastNotice);
          return;
        }
        this.retryLater();
        return;
      }
      this.hooks.status("reconnecting", reason);
    });
    s.on("connect_error", (err) => {
      const data = (err as Error & { data?: ErrorBody }).data;
      if (s.active) {
        // A transport failure: socket.io is already backing off and will try again.
        this.hooks.status("reconnecting", err.message);
        return;
      }
      if (data?.code === "INVALID_TOKEN" || data?.code === "UNAUTHORIZED") {
        this.session.forgetToken();
        this.session.relogin().then(
          () => this.connect(),
          () => {
            this.stop("INVALID_TOKEN");
            this.hooks.loggedOut();
          },
        );
        return;
      }
      if (data?.code === "BANNED") {
        this.hooks.notice({ code: "BANNED", message: data.message });
        this.stop("BANNED");
        return;
      }
      this.retryLater(data?.retryAfterMs);
    });
  }

  /** Connects (again); also the "play here" action after SESSION_REPLACED. */
  connect(): void {
    this.stopped = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.hooks.status("connecting");
    if (!this.socket.connected) this.socket.connect();
  }

  /** Closes for good (logout) or until connect() is called (terminal notices). */
  stop(reason = "closed"): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.stopPing();
    this.socket.disconnect();
    this.hooks.status("stopped", reason);
  }

  private retryLater(minMs = 0): void {
    if (this.retryTimer || this.stopped) return;
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.retries++);
    const delay = Math.max(minMs, base * (0.5 + Math.random()));
    this.hooks.status("reconnecting", `retry in ${Math.round(delay / 100) / 10} s`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped && !this.socket.connected) this.socket.connect();
    }, delay);
  }

  private startPing(): void {
    this.stopPing();
    const ping = () => {
      const t = performance.now();
      this.socket.timeout(5000).emit("net:ping", { t }, (err, res) => {
        if (err || !res.ok) return;
        const rtt = performance.now() - res.data.t;
        this.rttMs = this.measured ? this.rttMs * 0.7 + rtt * 0.3 : rtt;
        this.measured = true;
      });
    };
    ping();
    this.pingTimer = setInterval(ping, 2000);
  }

  private stopPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }
}
