/**
 * Draws the arena on a canvas at device-pixel resolution: floor, orbs, players (dash trails, knockback
 * stars, the own player's ring and dash cooldown) and the countdown. Names are drawn with fillText, so a
 * name is only ever pixels, never markup.
 */
import { GAME_RULES } from "../../shared/game/constants.ts";
import type { MatchPhase, SnapshotOrb } from "../../shared/game/types.ts";

export const PLAYER_COLORS = ["#ff5d73", "#4cc9f0", "#ffd166", "#06d6a0", "#c77dff", "#ff9f1c", "#8ecae6", "#f15bb5"] as const;

export function playerColor(index: number): string {
  return PLAYER_COLORS[index % PLAYER_COLORS.length]!;
}

export interface DrawPlayer {
  index: number;
  name: string;
  x: number;
  y: number;
  vx: number;
  vy: number;
  dashMs: number;
  stunMs: number;
  self: boolean;
  /** Own player only: dash cooldown left (ms). */
  cooldownMs?: number;
  /** Facing, for the eyes; falls back to the velocity. */
  fx?: number;
  fy?: number;
}

export interface DrawFrame {
  arena: { width: number; height: number };
  playerRadius: number;
  phase: MatchPhase;
  timeLeftMs: number;
  players: DrawPlayer[];
  orbs: SnapshotOrb[];
  /** Local time (ms), for animation. */
  now: number;
  /** Shown over the arena when set (e.g. "Reconnecting..."). */
  banner?: string;
}

const PAD = 16;

export class Renderer {
  private readonly ctx: CanvasRenderingContext2D;
  private scale = 1;
  private ox = 0;
  private oy = 0;
  private dpr = 1;

  constructor(private readonly canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("Canvas 2D is not available");
    this.ctx = ctx;
  }

  /** Fits the arena into the canvas' CSS box, at device pixel resolution. */
  private fit(arena: { width: number; height: number }): void {
    const c = this.canvas;
    this.dpr = Math.min(window.devicePixelRatio || 1, 2);
    const w = Math.max(1, Math.round(c.clientWidth * this.dpr));
    const h = Math.max(1, Math.round(c.clientHeight * this.dpr));
    if (c.width !== w || c.height !== h) {
      c.width = w;
      c.height = h;
    }
    const pad = PAD * this.dpr;
    this.scale = Math.min((w - 2 * pad) / arena.width, (h - 2 * pad) / arena.height);
    this.ox = (w - arena.width * this.scale) / 2;
    this.oy = (h - arena.height * this.scale) / 2;
  }

  /** A length in CSS pixels expressed in world units (text stays readable whatever the zoom). */
  private px(css: number): number {
    return (css * this.dpr) / this.scale;
  }

  /** A world position in viewport CSS pixels (for pointer steering). */
  toClient(x: number, y: number): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: r.left + (this.ox + x * this.scale) / this.dpr, y: r.top + (this.oy + y * this.scale) / this.dpr };
  }

  draw(f: DrawFrame): void {
    this.fit(f.arena);
    const ctx = this.ctx;
    const { width: W, height: H } = f.arena;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#0b1020";
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(this.scale, 0, 0, this.scale, this.ox, this.oy);

    // Floor, grid and wall.
    const floor = ctx.createLinearGradient(0, 0, W, H);
    floor.addColorStop(0, "#141b34");
    floor.addColorStop(1, "#101629");
    ctx.fillStyle = floor;
    ctx.fillRect(0, 0, W, H);
    ctx.strokeStyle = "rgba(120,140,220,0.08)";
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (let x = 100; x < W; x += 100) {
      ctx.moveTo(x, 0);
      ctx.lineTo(x, H);
    }
    for (let y = 100; y < H; y += 100) {
      ctx.moveTo(0, y);
      ctx.lineTo(W, y);
    }
    ctx.stroke();
    ctx.strokeStyle = "#5468ff";
    ctx.lineWidth = 6;
    ctx.shadowColor = "#5468ff";
    ctx.shadowBlur = 18;
    ctx.strokeRect(0, 0, W, H);
    ctx.shadowBlur = 0;

    for (const o of f.orbs) this.drawOrb(o, f.now);
    // Own player last, so it is never hidden under someone else.
    const sorted = [...f.players].sort((a, b) => Number(a.self) - Number(b.self));
    for (const p of sorted) this.drawPlayer(p, f);

    ctx.setTransform(1, 0, 0, 1, 0, 0);
    if (f.phase === "countdown") {
      const n = Math.ceil(f.timeLeftMs / 1000);
      this.centerText(n > 0 ? String(n) : "GO!", 120, "#ffffff");
      this.centerText("Get ready", 28, "#b8c2ff", 90);
    } else if (f.phase === "ended") {
      this.centerText("Time!", 110, "#ffd166");
    } else if (f.phase === "playing" && f.timeLeftMs > 0 && f.timeLeftMs <= 10_000) {
      // The last ten seconds count down faintly in the middle: tension without hiding the play.
      this.centerText(String(Math.ceil(f.timeLeftMs / 1000)), 160, "rgba(255,255,255,0.12)");
    }
    if (f.banner) this.centerText(f.banner, 30, "#ff9f1c", -110);
  }

  private drawOrb(o: SnapshotOrb, now: number): void {
    const ctx = this.ctx;
    const [id, x, y, value] = o;
    const gold = value > GAME_RULES.orbValue;
    const pulse = 1 + 0.12 * Math.sin(now / 180 + id);
    const r = GAME_RULES.orbRadius * (gold ? 1.35 : 1) * pulse;
    ctx.shadowColor = gold ? "#ffd166" : "#4cf0d0";
    ctx.shadowBlur = gold ? 26 : 12;
    const g = ctx.createRadialGradient(x - r * 0.3, y - r * 0.3, r * 0.1, x, y, r);
    g.addColorStop(0, "#ffffff");
    g.addColorStop(0.35, gold ? "#ffe08a" : "#7ff7e0");
    g.addColorStop(1, gold ? "#e0a100" : "#19b8a0");
    ctx.fillStyle = g;
    ctx.beginPath();
    ctx.arc(x, y, r, 0, Math.PI * 2);
    ctx.fill();
    ctx.shadowBlur = 0;
  }

  private drawPlayer(p: DrawPlayer, f: DrawFrame): void {
    const ctx = this.ctx;
    const r = f.playerRadius;
    const color = playerColor(p.index);
    const speed = Math.hypot(p.vx, p.vy);
    if (p.dashMs > 0 && speed > 1) {
      // Dash trail: fading ghosts behind, along the velocity.
      for (let k = 4; k >= 1; k--) {
        ctx.globalAlpha = 0.08 * (5 - k);
        ctx.fillStyle = color;
        ctx.beginPath();
        ctx.arc(p.x - (p.vx / speed) * k * r * 0.9, p.y - (p.vy / speed) * k * r * 0.9, r * (1 - k * 0.08), 0, Math.PI * 2);
        ctx.fill();
      }
      ctx.globalAlpha = 1;
    }
    const wobble = p.stunMs > 0 ? Math.sin(f.now / 30) * 2.5 : 0;
    const x = p.x + wobble;
    const y = p.y;

    ctx.fillStyle = "rgba(0,0,0,0.35)";
    ctx.beginPath();
    ctx.ellipse(x, y + r * 0.85, r * 0.9, r * 0.35, 0, 0, Math.PI * 2);
    ctx.fill();

    ctx.shadowColor = color;
    ctx.shadowBlur = p.dashMs > 0 ? 30 : 12;
    ctx.fillStyle = color;
    ctx.beginPath();
    ctx.arc(x, y, r, 0, Math.PI * 2);
    ctx.fill();
    ctx.shadowBlur = 0;
    ctx.lineWidth = 3;
    ctx.strokeStyle = "rgba(0,0,0,0.35)";
    ctx.stroke();

    if (p.self) {
      ctx.lineWidth = 3;
      ctx.strokeStyle = "#ffffff";
      ctx.beginPath();
      ctx.arc(x, y, r + 6, 0, Math.PI * 2);
      ctx.stroke();
      const cd = p.cooldownMs ?? 0;
      if (cd > 0) {
        // Dash cooldown: the ring refills clockwise.
        ctx.strokeStyle = "rgba(11,16,32,0.75)";
        ctx.lineWidth = 4;
        ctx.beginPath();
        ctx.arc(x, y, r + 6, -Math.PI / 2, -Math.PI / 2 + (cd / GAME_RULES.dashCooldownMs) * Math.PI * 2);
        ctx.stroke();
      }
    }

    // Eyes look where the player faces or moves.
    let fx = p.fx ?? 0;
    let fy = p.fy ?? 0;
    if (speed > 5) {
      fx = p.vx / speed;
      fy = p.vy / speed;
    }
    const px = -fy;
    const py = fx;
    for (const side of [-1, 1]) {
      const ex = x + fx * r * 0.35 + px * side * r * 0.38;
      const ey = y + fy * r * 0.35 + py * side * r * 0.38;
      ctx.fillStyle = "#ffffff";
      ctx.beginPath();
      ctx.arc(ex, ey, r * 0.24, 0, Math.PI * 2);
      ctx.fill();
      ctx.fillStyle = "#0b1020";
      ctx.beginPath();
      ctx.arc(ex + fx * r * 0.09, ey + fy * r * 0.09, r * 0.12, 0, Math.PI * 2);
      ctx.fill();
    }

    if (p.stunMs > 0) {
      ctx.fillStyle = "#ffd166";
      ctx.font = `${this.px(13).toFixed(1)}px system-ui, sans-serif`;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      for (let k = 0; k < 3; k++) {
        const a = f.now / 150 + (k * Math.PI * 2) / 3;
        ctx.fillText("\u2605", x + Math.cos(a) * r * 1.1, y - r * 1.3 + Math.sin(a) * r * 0.35);
      }
    }

    ctx.font = `600 ${this.px(p.self ? 14 : 13).toFixed(1)}px system-ui, sans-serif`;
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.lineWidth = this.px(3);
    ctx.strokeStyle = "rgba(11,16,32,0.85)";
    const label = p.self ? `${p.name} (you)` : p.name;
    ctx.strokeText(label, x, y - r - 10);
    ctx.fillStyle = p.self ? "#ffffff" : "#dfe4ff";
    ctx.fillText(label, x, y - r - 10);
  }

  private centerText(text: string, sizeCssPx: number, color: string, dyCssPx = 0): void {
    const ctx = this.ctx;
    ctx.font = `800 ${Math.round(sizeCssPx * this.dpr)}px system-ui, sans-serif`;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.lineWidth = 6 * this.dpr;
    ctx.strokeStyle = "rgba(11,16,32,0.7)";
    const x = this.canvas.width / 2;
    const y = this.canvas.height / 2 + dyCssPx * this.dpr;
    ctx.strokeText(text, x, y);
    ctx.fillStyle = color;
    ctx.fillText(text, x, y);
  }
}
