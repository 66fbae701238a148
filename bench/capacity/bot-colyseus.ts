/**
 * A capacity bot speaking Colyseus 0.16 (colyseus.js) to the minimal room of colyseus-server.ts: the same
 * behaviour as the socket.io bot, in Colyseus' own terms. Joining is `joinOrCreate("arena")` (HTTP seat
 * reservation + WebSocket, Colyseus' own matchmaker filling rooms of 8); the room's "start" message plays
 * match:start, each state patch plays a snapshot (the state carries the tick `n`, the phase and each
 * player's last applied input `s`), "end" plays match:end. colyseus.js exposes no source-address option,
 * so these bots all connect from 127.0.0.1.
 */
import { Client, type Room } from "colyseus.js";
import { BotCore, type Recorder } from "./bot-core.ts";

interface RoomState {
  n: number;
  ph: string;
  players: { s: number }[];
}

export class ColyseusBot extends BotCore {
  private readonly client: Client;
  private room: Room<RoomState> | null = null;
  private bytes = 0;
  private lastBytes = 0;
  private reconnectionToken = "";

  constructor(id: number, rec: Recorder, url: string) {
    super(id, rec);
    this.client = new Client(url.replace(/^http/, "ws"));
  }

  protected doJoin(): void {
    this.state = "queued";
    // After a match the room closes itself; leave first so the old room never holds two seats of ours.
    const old = this.room;
    this.room = null;
    if (old) void old.leave(true).catch(() => {});
    this.client.joinOrCreate<RoomState>("arena", {}).then(
      (room) => this.attach(room),
      (err: Error & { code?: number }) => {
        this.onFailure(`join:${err.code ?? err.message}`);
        if (!this.stopping) setTimeout(() => this.doJoin(), 1000);
      },
    );
  }

  private attach(room: Room<RoomState>): void {
    if (this.stopping) return void room.leave(true);
    this.room = room;
    this.reconnectionToken = room.reconnectionToken;
    // Count bytes at the WebSocket (the transport copied the handler onto its socket when it connected).
    const ws = (room.connection as unknown as { transport: { ws: { onmessage: (e: { data: ArrayBuffer }) => void } } }).transport.ws;
    const original = ws.onmessage;
    ws.onmessage = (e) => {
      this.bytes += e.data.byteLength;
      original(e);
    };
    room.onMessage("start", (m: { you: number }) => this.onMatchStart(m.you));
    room.onMessage("end", () => this.onMatchEnd());
    room.onStateChange((s) => {
      if (this.state !== "match") return;
      const bytes = this.bytes - this.lastBytes;
      this.lastBytes = this.bytes;
      this.onSnapshot(s.n, s.ph, s.players[this.you]?.s, bytes);
    });
    room.onLeave((code) => {
      if (this.room !== room || this.stopping || this.state === "dropped") return;
      if (this.state === "match") {
        // Closed under us (not the end of a match): count it and start over.
        this.rec.c.disconnects++;
        this.onFailure(`leave:${code}`);
        this.state = "queued";
        setTimeout(() => this.doJoin(), 1000);
      }
    });
  }

  get connected(): boolean {
    return this.room?.connection.isOpen ?? false;
  }

  protected sendInput(s: number, x: number, y: number, d: boolean): void {
    this.room?.send("input", { s, x, y, d });
  }

  drop(): void {
    this.state = "dropped";
    this.playing = false;
    // Not consented: the room keeps the seat (allowReconnection) as it would for a dropped network.
    void this.room?.leave(false);
  }

  protected doReconnect(): void {
    const you = this.you;
    this.client.reconnect<RoomState>(this.reconnectionToken).then(
      (room) => {
        this.attach(room);
        this.onMatchStart(you);
      },
      (err: Error & { code?: number }) => this.onFailure(`reconnect:${err.code ?? err.message}`),
    );
  }

  close(): void {
    this.stopping = true;
    void this.room?.leave(true);
  }
}
