/**
 * Baseline (a) of the capacity benchmark: a bare socket.io relay, the floor of what any socket.io game
 * server pays. One process, socket.io 4.8 with its default in-memory adapter, no Redis, no validation or
 * limits. It speaks the subset of the arena protocol the bots use (POST /api/sessions handing out a random
 * token, queue:join, match:start/snapshot/input/end, reconnect by token into the same match), groups
 * queued players into matches of 8, and ticks every match on one fixed 20 Hz grid running the same game
 * (shared/game/sim.ts) and broadcasting the same snapshot (the arena's encoder, server/matches/
 * snapshot-encoder.ts: the same bytes, each player's last applied input seq included) to the match room.
 * Forked by bench/capacity.ts with MATCH_COUNTDOWN_MS, MATCH_DURATION_MS and TICK_HZ in the environment.
 */
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { Server, type Socket } from "socket.io";
import { advance, createMatch, type SimState } from "../../shared/game/sim.ts";
import { encodeSnapshot } from "../../server/matches/snapshot-encoder.ts";
import type { InputFrame } from "../../shared/game/types.ts";
import { startGridLoop } from "./grid-loop.ts";
import { startProbe } from "./probe.ts";
import { wallNow } from "./stats.ts";

const TICK_HZ = Number(process.env.TICK_HZ ?? 20);
const COUNTDOWN_MS = Number(process.env.MATCH_COUNTDOWN_MS ?? 3000);
const DURATION_MS = Number(process.env.MATCH_DURATION_MS ?? 90_000);
const PER_MATCH = Number(process.env.MATCH_MAX_PLAYERS ?? 8);
const dtMs = 1000 / TICK_HZ;

interface Player {
  id: string;
  name: string;
  socket: Socket | null;
  match: RelayMatch | null;
  index: number;
}

interface RelayMatch {
  id: string;
  room: string;
  state: SimState;
  players: Player[];
  inputs: (InputFrame | undefined)[];
}

const byToken = new Map<string, Player>();
const queue: Player[] = [];
const matches = new Map<string, RelayMatch>();
let snapshotBytes = 0;
let snapshotSamples = 0;
let snapshotsSent = 0;

const http = createServer((req, res) => {
  if (req.method === "POST" && req.url === "/api/sessions") {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const { name } = JSON.parse(body || "{}") as { name?: string };
      const token = randomBytes(32).toString("base64url");
      const player: Player = { id: randomBytes(9).toString("base64url"), name: name ?? "bot", socket: null, match: null, index: -1 };
      byToken.set(token, player);
      res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ token, playerId: player.id, name: player.name }));
    });
    return;
  }
  res.writeHead(404).end();
});
const io = new Server(http, { transports: ["websocket"], serveClient: false });

io.use((socket, next) => {
  const p = byToken.get(String((socket.handshake.auth as { token?: unknown }).token));
  if (!p) return next(Object.assign(new Error("INVALID_TOKEN"), { data: { code: "INVALID_TOKEN" } }));
  socket.data.player = p;
  next();
});

function startOf(m: RelayMatch, you: number) {
  const players = m.players.map((p, index) => ({ playerId: p.id, name: p.name, index }));
  return { matchId: m.id, seed: 1, players, you, arena: { width: m.state.config.arenaWidth, height: m.state.config.arenaHeight }, tickHz: TICK_HZ, phase: m.state.phase, durationMs: DURATION_MS };
}

io.on("connection", (socket) => {
  const p = socket.data.player as Player;
  p.socket?.disconnect(true);
  p.socket = socket;
  if (p.match) {
    // Reconnect: back into the match with its latest state.
    socket.join(p.match.room);
    socket.emit("match:start", startOf(p.match, p.index));
    socket.emit("match:snapshot", encodeSnapshot(p.match.state, p.match.id));
  }
  socket.on("queue:join", (_req: unknown, ack: (r: unknown) => void) => {
    if (p.match) return ack({ ok: false, error: { code: "ALREADY_IN_MATCH", message: "in a match" } });
    if (queue.includes(p)) return ack({ ok: false, error: { code: "ALREADY_QUEUED", message: "queued" } });
    queue.push(p);
    ack({ ok: true, data: { ticketId: p.id, region: "eu-west", estimatedWaitMs: 0 } });
    if (queue.length >= PER_MATCH) startMatch(queue.splice(0, PER_MATCH));
  });
  socket.on("match:input", (f: InputFrame) => {
    const m = p.match;
    if (!m || typeof f?.s !== "number" || typeof f.x !== "number" || typeof f.y !== "number") return;
    const cur = m.inputs[p.index];
    if ((cur && f.s < cur.s) || f.s < m.state.players[p.index]!.lastSeq) return;
    m.inputs[p.index] = { s: f.s, x: Math.max(-1, Math.min(1, f.x)), y: Math.max(-1, Math.min(1, f.y)), d: f.d === true || (cur?.d ?? false) };
  });
  socket.on("disconnect", () => {
    if (p.socket !== socket) return;
    p.socket = null;
    const qi = queue.indexOf(p);
    if (qi >= 0) queue.splice(qi, 1);
    if (p.match) p.match.inputs[p.index] = undefined;
  });
});

function startMatch(players: Player[]): void {
  const id = `r-${randomBytes(6).toString("hex")}`;
  const m: RelayMatch = { id, room: `match:${id}`, state: createMatch(Math.floor(Math.random() * 2 ** 31), players.length, { countdownMs: COUNTDOWN_MS, durationMs: DURATION_MS }), players, inputs: players.map(() => undefined) };
  matches.set(id, m);
  players.forEach((p, i) => {
    p.match = m;
    p.index = i;
    p.socket?.join(m.room);
    p.socket?.emit("match:start", startOf(m, i));
  });
}

function endMatch(m: RelayMatch): void {
  matches.delete(m.id);
  const results = m.players.map((p, i) => ({ playerId: p.id, name: p.name, score: m.state.players[i]!.score, placement: 1 }));
  io.to(m.room).emit("match:end", { matchId: m.id, results, endedAt: Date.now() });
  io.in(m.room).socketsLeave(m.room);
  for (const p of m.players) p.match = null;
}

// The same accept queue as the arena node (LISTEN_BACKLOG): a storm compares the stacks, not the queues.
await new Promise<void>((ok) => http.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => ok()));
const addr = http.address();
const url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;

const loop = startGridLoop(dtMs, (emit) => {
  probe.tick(wallNow());
  for (const m of matches.values()) {
    advance(m.state, m.inputs, dtMs);
    // Same as the arena host: a held dash button stays, a tap between two ticks is applied once.
    for (let i = 0; i < m.inputs.length; i++) if (m.inputs[i]?.d) m.inputs[i] = { ...m.inputs[i]!, d: false };
    if (emit || m.state.phase === "ended") {
      const snap = encodeSnapshot(m.state, m.id);
      if (snapshotsSent++ % 97 === 0) {
        snapshotSamples++;
        snapshotBytes += snap.length;
      }
      io.to(m.room).emit("match:snapshot", snap);
    }
    if (m.state.phase === "ended") endMatch(m);
  }
});

const probe = startProbe({
  url,
  tickIntervalMs: dtMs,
  gridOriginWall: loop.originWall,
  extra: () => ({ snapshotBytes: snapshotSamples ? snapshotBytes / snapshotSamples : NaN }),
  stop: async () => {
    loop.stop();
    await io.close();
  },
});
