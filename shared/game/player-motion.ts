/**
 * How one player moves during a step: steering, dash, knockback, walls. `step` runs it for every player
 * on the server and the client runs the very same function for its own player (prediction), so the two
 * agree except where other players interfere (bumps), which reconciliation then corrects.
 *
 * Movement is integrated by time segments (knockback, then dash, then walking) rather than per call, so
 * the result barely depends on how a span of time is cut into steps: the server's 50 ms ticks and the
 * client's 16 ms frames land in the same place.
 */
import { GAME_RULES } from "./constants.ts";
import type { InputFrame } from "./types.ts";

/** The slice of a player's state that movement reads and writes. */
export interface MotionState {
  x: number;
  y: number;
  vx: number;
  vy: number;
  lastSeq: number;
  dashCooldownMs: number;
  /** Dash time left; while > 0 the player moves at (vx, vy) and cannot be bumped. */
  dashMs: number;
  /** Knockback time left; while > 0 input is ignored and (vx, vy) decays. */
  stunMs: number;
  /** Facing (unit vector): where a dash goes when no direction is held. */
  fx: number;
  fy: number;
}

export interface MotionBounds {
  arenaWidth: number;
  arenaHeight: number;
  playerSpeed: number;
  playerRadius: number;
}

/**
 * Vector length. Math.sqrt is correctly rounded everywhere (IEEE 754), whereas Math.hypot's last bit may
 * differ between engines, and the browser predicts with the same code the server simulates with.
 * It is also several times faster in V8.
 */
export function length(x: number, y: number): number {
  return Math.sqrt(x * x + y * y);
}

/** A direction component as the simulation accepts it: finite, within [-1, 1]. */
function axis(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0;
}

/**
 * Advances one player by `dtMs` under `input` (undefined: no keys held), mutating `p`.
 * Returns true when the player was dashing at any time during the span (the caller's bump test).
 */
export function advancePlayer(p: MotionState, input: InputFrame | undefined, dtMs: number, b: MotionBounds): boolean {
  let ix = 0;
  let iy = 0;
  let dash = false;
  if (input) {
    ix = axis(input.x);
    iy = axis(input.y);
    // Inputs are directions, never positions: a diagonal (or a forged 1,1) is no faster than a straight line.
    const len = length(ix, iy);
    if (len > 1) {
      ix /= len;
      iy /= len;
    }
    dash = input.d === true;
    if (Number.isSafeInteger(input.s) && input.s > p.lastSeq) p.lastSeq = input.s;
  }
  const len = length(ix, iy);
  if (len > 0.05) {
    p.fx = ix / len;
    p.fy = iy / len;
  }

  let left = Math.max(0, dtMs);
  let dx = 0;
  let dy = 0;
  p.dashCooldownMs = Math.max(0, p.dashCooldownMs - left);

  if (p.stunMs > 0 && left > 0) {
    const tMs = Math.min(left, p.stunMs);
    const t = tMs / 1000;
    const k = GAME_RULES.knockbackDecay;
    const decay = Math.exp(-k * t);
    // Exact integral of an exponentially decaying velocity: independent of how the span is sliced.
    dx += (p.vx * (1 - decay)) / k;
    dy += (p.vy * (1 - decay)) / k;
    p.vx *= decay;
    p.vy *= decay;
    p.stunMs -= tMs;
    left -= tMs;
    p.dashMs = 0;
  }

  let dashed = false;
  if (left > 0 && p.stunMs <= 0 && p.dashMs <= 0 && dash && p.dashCooldownMs <= 0) {
    p.vx = p.fx * GAME_RULES.dashSpeed;
    p.vy = p.fy * GAME_RULES.dashSpeed;
    p.dashMs = GAME_RULES.dashMs;
    p.dashCooldownMs = GAME_RULES.dashCooldownMs;
  }
  if (p.dashMs > 0 && left > 0) {
    const t = Math.min(left, p.dashMs);
    dx += (p.vx * t) / 1000;
    dy += (p.vy * t) / 1000;
    p.dashMs -= t;
    left -= t;
    dashed = true;
  }
  // Walking for whatever is left once knockback and dash are spent (v stays theirs while they last).
  if (p.stunMs <= 0 && p.dashMs <= 0) {
    p.vx = ix * b.playerSpeed;
    p.vy = iy * b.playerSpeed;
    dx += (p.vx * left) / 1000;
    dy += (p.vy * left) / 1000;
  }

  const r = b.playerRadius;
  p.x = Math.min(b.arenaWidth - r, Math.max(r, p.x + dx));
  p.y = Math.min(b.arenaHeight - r, Math.max(r, p.y + dy));
  return dashed;
}
