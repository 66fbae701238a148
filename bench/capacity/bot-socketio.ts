/**
 * A capacity bot speaking the arena protocol (docs/protocol.md), which the bare relay baseline copies:
 * POST /api/sessions, socket.io (websocket only, token in the handshake), queue:join, then match:start,
 * match:snapshot, match:input, match:end. Each bot binds its sockets to one loopback source address (the
 * `localAddress` option reaches the `ws` and `http` sockets), so per-IP limits can be spread over
 * 127.0.0.x addresses.
 */
import { request } from "node:http";
import { io as ioClient, type Socket } from "socket.io-client";
import type { MatchStart } from "../../shared/game/types.ts";
import { peekSnapshot } from "../../shared/game/snapshot-codec.ts";
import { BotCore, type Recorder } from "./bot-core.ts";

export interface SocketBotOptions {
  url: string;
  localAddress: string;
  /** Unique per bot and run: the device id of the guest login. */
  deviceId: string;
  name: string;
}

type AckRes = { ok: true; data: unknown } | { ok: false; error: { code: string; retryAfterMs?: number } };

/** POST /api/sessions from `localAddress`; resolves the token. */
function login(url: string, localAddress: string, deviceId: string, name: string): Promise<string> {
  const body = JSON.stringify({ deviceId, name });
  return new Promise((ok, fail) => {
    const req = request(`${url}/api/sessions`, { method: "POST", localAddress, agent: false, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => {
        try {
          const j = JSON.parse(text) as { token?: string; error?: { code: string } };
          if (res.statusCode === 201 && j.token) ok(j.token);
          else fail(new Error(j.error?.code ?? `HTTP_${res.statusCode}`));
        } catch {
          fail(new Error(`HTTP_${res.statusCode}`));
        }
      });
    });
    req.on("error", (e) => fail(new Error((e as NodeJS.ErrnoException).code ?? "HTTP_ERROR")));
    req.setTimeout(60_000, () => req.destroy(new Error("LOGIN_TIMEOUT")));
    req.end(body);
  });
}

export class SocketBot extends BotCore {
  private socket: Socket | null = null;
  private token: string | null = null;
  private lastBytes = 0;
  private bytes = 0;
  /** After a storm reconnect the server puts the player back by itself: no queue:join. */
  private resuming = false;

  constructor(id: number, rec: Recorder, private readonly o: SocketBotOptions) {
    super(id, rec);
  }

  protected doJoin(first: boolean): void {
    if (!first && this.socket?.connected) return this.queue();
    void (async () => {
      try {
        this.token ??= await login(this.o.url, this.o.localAddress, this.o.deviceId, this.o.name);
      } catch (err) {
        this.onFailure(`login:${(err as Error).message}`);
        return void setTimeout(() => !this.stopping && this.doJoin(true), 1000);
      }
      this.connect();
    })();
  }

  private connect(): void {
    const s = ioClient(this.o.url, {
      transports: ["websocket"],
      auth: { token: this.token },
      reconnection: false,
      forceNew: true,
      timeout: 60_000,
      localAddress: this.o.localAddress,
    } as Parameters<typeof ioClient>[1]);
    this.socket = s;
    s.io.on("open", () => s.io.engine.on("packet", (p: { data?: unknown }) => (this.bytes += typeof p.data === "string" ? p.data.length : 0)));
    s.on("connect", () => {
      if (this.state === "joining" && !this.resuming) this.queue();
    });
    s.on("connect_error", (err: Error & { data?: { code?: string } }) => {
      this.onFailure(`connect:${err.data?.code ?? err.message}`);
      s.close();
      if (!this.stopping && this.state !== "dropped") setTimeout(() => this.connect(), 1000);
    });
    s.on("disconnect", (reason) => {
      if (this.stopping || this.state === "dropped" || reason === "io client disconnect") return;
      this.rec.c.disconnects++;
      this.onFailure(`disconnect:${reason}`);
      this.state = "joining";
      setTimeout(() => this.connect(), 1000);
    });
    s.on("match:start", (m: MatchStart) => {
      this.resuming = false;
      this.onMatchStart(m.you);
    });
    // The snapshot's bytes (shared/game/snapshot-codec.ts): only the tick, phase and this bot's row are read.
    s.on("match:snapshot", (raw: string) => {
      const snap = peekSnapshot(Buffer.from(raw, "base64"), this.you);
      const bytes = this.bytes - this.lastBytes;
      this.lastBytes = this.bytes;
      this.onSnapshot(snap.n, snap.ph, snap.ackSeq, bytes);
    });
    s.on("match:end", () => this.onMatchEnd());
  }

  private queue(): void {
    this.state = "queued";
    this.socket!.emit("queue:join", { region: "eu-west" }, (res: AckRes) => {
      if (res.ok || this.stopping) return;
      // After a reconnect the server may already have put us back in a match: nothing to do.
      if (res.error.code === "ALREADY_IN_MATCH" || res.error.code === "ALREADY_QUEUED") return;
      this.onFailure(`queue:${res.error.code}`);
      setTimeout(() => this.state === "queued" && this.queue(), res.error.retryAfterMs ?? 1000);
    });
  }

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  protected sendInput(s: number, x: number, y: number, d: boolean): void {
    this.socket?.emit("match:input", { s, x, y, d });
  }

  drop(): void {
    this.state = "dropped";
    this.playing = false;
    this.socket?.close();
  }

  protected doReconnect(): void {
    this.resuming = true;
    this.connect();
  }

  close(): void {
    this.stopping = true;
    this.socket?.close();
  }
}
