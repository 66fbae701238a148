/**
 * One match on screen: receives snapshots, predicts the own player, interpolates the others ~100 ms in
 * the past, sends inputs, and draws at display refresh rate (requestAnimationFrame). The HUD is DOM
 * (textContent only) refreshed a few times a second, which is all a human reads.
 */
import { DEFAULT_GAME_CONFIG } from "../../shared/game/sim.ts";
import { GAME_RULES } from "../../shared/game/constants.ts";
import type { MatchStart, Snapshot, SnapshotOrb, SnapshotPlayer } from "../../shared/game/types.ts";
import { InputController } from "./input.ts";
import { InputSender } from "./input-sender.ts";
import { SnapshotBuffer } from "./interpolation.ts";
import { Predictor } from "./prediction.ts";
import { Renderer, playerColor, type DrawPlayer } from "./renderer.ts";
import { clear, el } from "./dom.ts";
import type { InputFrame } from "../../shared/game/types.ts";

/** How far in the past other players are drawn: two 20 Hz snapshots, so one may be late or lost. */
export const INTERP_DELAY_MS = 100;
const HUD_EVERY_MS = 120;

export interface MatchViewDeps {
  canvas: HTMLCanvasElement;
  dashButton: HTMLElement;
  hud: { score: HTMLElement; time: HTMLElement; ping: HTMLElement; players: HTMLElement };
  sendInput: (frame: InputFrame) => void;
  rttMs: () => number;
  /** Text drawn over the arena (e.g. while reconnecting), or null. */
  banner: () => string | null;
}

/** What the page exposes for tests and curious players (read-only copies). */
export interface MatchDebug {
  matchId: string;
  you: number;
  phase: string;
  tick: number;
  snapshots: number;
  self: { x: number; y: number } | null;
  /** Others as drawn this frame (interpolated). */
  others: { index: number; name: string; x: number; y: number }[];
  scores: Record<string, number>;
  /** Orbs of the latest snapshot. */
  orbs: SnapshotOrb[];
  lastCorrection: number;
  inputsSent: number;
}

function formatTime(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export class MatchView {
  start: MatchStart;
  private buffer: SnapshotBuffer;
  private predictor: Predictor;
  private sender: InputSender;
  private readonly input: InputController;
  private readonly renderer: Renderer;
  private latest: Snapshot | undefined;
  private latestAt = 0;
  private lastFrame = 0;
  private lastHud = 0;
  private raf = 0;
  private inputsSent = 0;
  private readonly facing = new Map<number, { fx: number; fy: number }>();
  debug: MatchDebug;

  constructor(
    start: MatchStart,
    private readonly deps: MatchViewDeps,
  ) {
    this.start = start;
    this.buffer = new SnapshotBuffer(1000 / start.tickHz);
    this.predictor = new Predictor(this.bounds());
    this.sender = new InputSender((f) => {
      this.inputsSent++;
      deps.sendInput(f);
    });
    this.renderer = new Renderer(deps.canvas);
    this.input = new InputController(deps.canvas, deps.dashButton, () => {
      const me = this.predictor.state;
      return me ? this.renderer.toClient(me.x, me.y) : null;
    });
    this.debug = this.emptyDebug();
    this.lastFrame = performance.now();
    this.raf = requestAnimationFrame(this.frame);
  }

  private bounds() {
    return { ...DEFAULT_GAME_CONFIG, arenaWidth: this.start.arena.width, arenaHeight: this.start.arena.height };
  }

  private emptyDebug(): MatchDebug {
    return { matchId: this.start.matchId, you: this.start.you, phase: this.start.phase, tick: 0, snapshots: 0, self: null, others: [], scores: {}, orbs: [], lastCorrection: 0, inputsSent: 0 };
  }

  /** The same match again (rejoin after a drop, or a new host after failover): start the buffers over. */
  rejoin(start: MatchStart): void {
    this.start = start;
    this.buffer = new SnapshotBuffer(1000 / start.tickHz);
    this.predictor = new Predictor(this.bounds());
    this.sender.reset();
    this.latest = undefined;
  }

  onSnapshot(snap: Snapshot): void {
    if (snap.m !== this.start.matchId) return;
    const now = performance.now();
    if (!this.buffer.push(snap, now)) return;
    this.latest = snap;
    this.latestAt = now;
    this.debug.snapshots++;
    const row = snap.p.find((r) => r[0] === this.start.you);
    if (!row) return;
    this.sender.sync(row[4]);
    if (snap.ph === "playing" && this.predictor.state) this.predictor.reconcile(row, now, this.deps.rttMs());
    else this.predictor.reset(row);
  }

  private frame = (now: number): void => {
    this.raf = requestAnimationFrame(this.frame);
    // A background tab gets no frames; after it comes back, do not simulate the whole gap at once.
    const dt = Math.min(100, Math.max(0, now - this.lastFrame));
    this.lastFrame = now;
    const snap = this.latest;
    const phase = snap?.ph ?? this.start.phase;

    if (phase !== "ended") this.sender.update(this.input.sample(now), now);
    if (phase === "playing") this.predictor.advance(this.sender.current, dt, now);

    const names = new Map(this.start.players.map((p) => [p.index, p.name]));
    const players: DrawPlayer[] = [];
    const others: MatchDebug["others"] = [];
    for (const o of this.buffer.players(now, INTERP_DELAY_MS)) {
      if (o.index === this.start.you) continue;
      const r = o.row;
      const name = names.get(o.index) ?? `Player ${o.index + 1}`;
      const face = this.facingOf(o.index, r[6], r[7], o.x, o.y);
      players.push({ index: o.index, name, x: o.x, y: o.y, vx: r[6], vy: r[7], dashMs: r[8] ?? 0, stunMs: r[9] ?? 0, self: false, fx: face.fx, fy: face.fy });
      others.push({ index: o.index, name, x: o.x, y: o.y });
    }
    const me = this.predictor.state;
    const pos = this.predictor.rendered(dt);
    if (me && pos) {
      players.push({
        index: this.start.you,
        name: names.get(this.start.you) ?? "You",
        x: pos.x,
        y: pos.y,
        vx: me.vx,
        vy: me.vy,
        dashMs: me.dashMs,
        stunMs: me.stunMs,
        self: true,
        cooldownMs: me.dashCooldownMs,
        fx: me.fx,
        fy: me.fy,
      });
    }

    let orbs: SnapshotOrb[] = snap?.o ?? [];
    if (me && phase === "playing") {
      // Orbs we are predicted to have eaten vanish now rather than one round trip later.
      const reach = DEFAULT_GAME_CONFIG.playerRadius + GAME_RULES.orbRadius;
      orbs = orbs.filter((o) => Math.hypot(o[1] - me.x, o[2] - me.y) > reach);
    }
    const timeLeft = snap ? Math.max(0, snap.t - (phase === "ended" ? 0 : now - this.latestAt)) : this.start.durationMs;
    this.renderer.draw({
      arena: this.start.arena,
      playerRadius: DEFAULT_GAME_CONFIG.playerRadius,
      phase,
      timeLeftMs: timeLeft,
      players,
      orbs,
      now,
      banner: this.deps.banner() ?? (snap ? undefined : "Joining match…"),
    });

    this.debug.phase = phase;
    this.debug.tick = snap?.n ?? 0;
    this.debug.orbs = snap?.o ?? [];
    this.debug.self = pos ? { x: Math.round(pos.x), y: Math.round(pos.y) } : null;
    this.debug.others = others.map((o) => ({ ...o, x: Math.round(o.x), y: Math.round(o.y) }));
    this.debug.lastCorrection = Math.round(this.predictor.lastCorrection * 10) / 10;
    this.debug.inputsSent = this.inputsSent;
    if (now - this.lastHud >= HUD_EVERY_MS) {
      this.lastHud = now;
      // The countdown is drawn on the arena; the clock shows the round that is about to start.
      this.updateHud(snap, phase === "countdown" ? this.start.durationMs : timeLeft);
    }
  };

  /** Others' facing is not on the wire: remember their last direction of travel (initially the centre). */
  private facingOf(index: number, vx: number, vy: number, x: number, y: number): { fx: number; fy: number } {
    const speed = Math.hypot(vx, vy);
    let f = this.facing.get(index);
    if (speed > 5) {
      f = { fx: vx / speed, fy: vy / speed };
      this.facing.set(index, f);
    } else if (!f) {
      const dx = this.start.arena.width / 2 - x;
      const dy = this.start.arena.height / 2 - y;
      const len = Math.hypot(dx, dy) || 1;
      f = { fx: dx / len, fy: dy / len };
      this.facing.set(index, f);
    }
    return f;
  }

  private updateHud(snap: Snapshot | undefined, timeLeftMs: number): void {
    const { hud } = this.deps;
    const rows: SnapshotPlayer[] = snap ? [...snap.p].sort((a, b) => b[3] - a[3] || a[0] - b[0]) : [];
    const mine = rows.find((r) => r[0] === this.start.you);
    hud.score.textContent = String(mine?.[3] ?? 0);
    hud.time.textContent = formatTime(timeLeftMs);
    hud.ping.textContent = `${Math.round(this.deps.rttMs())} ms`;
    clear(hud.players);
    const scores: Record<string, number> = {};
    for (const r of rows) {
      const info = this.start.players.find((p) => p.index === r[0]);
      const name = info?.name ?? `Player ${r[0] + 1}`;
      scores[name] = r[3];
      const li = el("li", { class: r[0] === this.start.you ? "me" : "" }, [
        el("span", { class: "swatch", style: `background:${playerColor(r[0])}` }),
        el("span", { class: "name" }, name),
        el("span", { class: "pts" }, String(r[3])),
      ]);
      hud.players.append(li);
    }
    this.debug.scores = scores;
  }

  destroy(): void {
    cancelAnimationFrame(this.raf);
    this.input.destroy();
  }
}
