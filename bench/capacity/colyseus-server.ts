/**
 * Baseline (b) of the capacity benchmark: a minimal Colyseus 0.16 server (@colyseus/core, ws-transport,
 * schema 3, local presence and driver: one process, no Redis), the way a Colyseus user would port this
 * game. Room "arena" takes 8 clients (Colyseus' matchmaker fills it and locks it when full), runs the same
 * game (shared/game/sim.ts), mirrors the simulation into a Schema state (tick `n`, phase, time left, player
 * rows with the last applied input `s`, orbs in a map by id), and sends the delta patch after each tick.
 * Every room is ticked by one fixed 20 Hz grid loop (grid-loop.ts, the same loop shape as the arena node and
 * the relay) calling `broadcastPatch()`, with automatic patching off (`setPatchRate(null)`): so a patch
 * follows each tick at once, as the arena's snapshot does, instead of waiting for a separate patch timer.
 * Messages: "input" in; "start" { you } when the room is full, "end" when the match is over (then the room
 * disconnects everyone). A dropped client keeps its seat (allowReconnection) for 30 s.
 */
import { createServer } from "node:http";
import { Room, Server, type Client } from "@colyseus/core";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { ArraySchema, MapSchema, schema } from "@colyseus/schema";
import { advance, createMatch, type SimState } from "../../shared/game/sim.ts";
import type { InputFrame } from "../../shared/game/types.ts";
import { startGridLoop } from "./grid-loop.ts";
import { startProbe } from "./probe.ts";
import { wallNow } from "./stats.ts";

const TICK_HZ = Number(process.env.TICK_HZ ?? 20);
const COUNTDOWN_MS = Number(process.env.MATCH_COUNTDOWN_MS ?? 3000);
const DURATION_MS = Number(process.env.MATCH_DURATION_MS ?? 90_000);
const PER_MATCH = Number(process.env.MATCH_MAX_PLAYERS ?? 8);
const dtMs = 1000 / TICK_HZ;
const r1 = (v: number) => Math.round(v * 10) / 10;

const PlayerState = schema({ x: "number", y: "number", score: "number", s: "number", cd: "number", vx: "number", vy: "number", dash: "number", stun: "number" }, "PlayerState");
const OrbState = schema({ x: "number", y: "number", v: "number" }, "OrbState");
const ArenaState = schema({ n: "number", ph: "string", t: "number", players: { array: PlayerState }, orbs: { map: OrbState } }, "ArenaState");
type ArenaStateT = InstanceType<typeof ArenaState>;

const live = new Set<ArenaRoom>();

class ArenaRoom extends Room<ArenaStateT> {
  override maxClients = PER_MATCH;
  private sim: SimState | null = null;
  private inputs: (InputFrame | undefined)[] = [];
  private readonly seats = new Map<string, number>();

  override onCreate(): void {
    this.setState(new ArenaState({ n: 0, ph: "waiting", t: 0, players: new ArraySchema() as unknown as ArenaStateT["players"], orbs: new MapSchema() }));
    this.setPatchRate(null);
    this.onMessage("input", (client, f: InputFrame) => {
      const i = this.seats.get(client.sessionId);
      if (i === undefined || !this.sim || typeof f?.s !== "number" || typeof f.x !== "number" || typeof f.y !== "number") return;
      const cur = this.inputs[i];
      if ((cur && f.s < cur.s) || f.s < this.sim.players[i]!.lastSeq) return;
      this.inputs[i] = { s: f.s, x: Math.max(-1, Math.min(1, f.x)), y: Math.max(-1, Math.min(1, f.y)), d: f.d === true || (cur?.d ?? false) };
    });
  }

  override onJoin(client: Client): void {
    this.seats.set(client.sessionId, this.seats.size);
    if (this.seats.size < PER_MATCH) return;
    void this.lock();
    this.sim = createMatch(Math.floor(Math.random() * 2 ** 31), PER_MATCH, { countdownMs: COUNTDOWN_MS, durationMs: DURATION_MS });
    this.inputs = Array.from({ length: PER_MATCH }, () => undefined);
    for (let i = 0; i < PER_MATCH; i++) this.state.players.push(new PlayerState({ x: 0, y: 0, score: 0, s: 0, cd: 0, vx: 0, vy: 0, dash: 0, stun: 0 }));
    this.mirror();
    for (const c of this.clients) c.send("start", { you: this.seats.get(c.sessionId) });
    live.add(this);
  }

  override async onLeave(client: Client, consented: boolean): Promise<void> {
    const i = this.seats.get(client.sessionId);
    if (i !== undefined) this.inputs[i] = undefined;
    if (consented || !this.sim || this.sim.phase === "ended") return;
    try {
      await this.allowReconnection(client, 30);
    } catch {
      // Did not come back in time: the avatar stays where it is, as in the arena.
    }
  }

  override onDispose(): void {
    live.delete(this);
  }

  /** One tick: simulate, mirror into the schema, send the patch (when `emit`). */
  tick(emit: boolean): void {
    if (!this.sim) return;
    advance(this.sim, this.inputs, dtMs);
    for (let i = 0; i < this.inputs.length; i++) if (this.inputs[i]?.d) this.inputs[i] = { ...this.inputs[i]!, d: false };
    this.mirror();
    if (emit || this.sim.phase === "ended") this.broadcastPatch();
    if (this.sim.phase === "ended") {
      live.delete(this);
      const results = this.sim.players.map((p, i) => ({ index: i, score: p.score }));
      this.broadcast("end", { results }, { afterNextPatch: false });
      this.clock.setTimeout(() => void this.disconnect(), 100);
    }
  }

  private mirror(): void {
    const s = this.sim!;
    const st = this.state;
    st.n = s.tick;
    st.ph = s.phase;
    st.t = Math.max(0, Math.round(s.phaseLeftMs));
    s.players.forEach((p, i) => {
      const row = st.players[i]!;
      row.x = r1(p.x);
      row.y = r1(p.y);
      row.score = p.score;
      row.s = p.lastSeq;
      row.cd = Math.round(p.dashCooldownMs);
      row.vx = r1(p.vx);
      row.vy = r1(p.vy);
      row.dash = Math.round(p.dashMs);
      row.stun = Math.round(p.stunMs);
    });
    const seen = new Set<string>();
    for (const o of s.orbs) {
      const key = String(o.id);
      seen.add(key);
      if (!st.orbs.has(key)) st.orbs.set(key, new OrbState({ x: r1(o.x), y: r1(o.y), v: o.value }));
    }
    for (const key of st.orbs.keys()) if (!seen.has(key)) st.orbs.delete(key);
  }
}

const http = createServer();
const gameServer = new Server({ transport: new WebSocketTransport({ server: http }), greet: false, gracefullyShutdown: false });
gameServer.define("arena", ArenaRoom);
// The same accept queue as the arena node (LISTEN_BACKLOG): a storm compares the stacks, not the queues.
await gameServer.listen(0, "127.0.0.1", 4096);
const addr = http.address();
const url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;

const loop = startGridLoop(dtMs, (emit) => {
  probe.tick(wallNow());
  for (const room of [...live]) room.tick(emit);
});

const probe = startProbe({
  url,
  tickIntervalMs: dtMs,
  gridOriginWall: loop.originWall,
  stop: async () => {
    loop.stop();
    await gameServer.gracefullyShutdown(false).catch(() => {});
  },
});
