/**
 * Client-side prediction and reconciliation for the local player. Every frame runs the simulation's own
 * movement rule (`advancePlayer`, the one `step` uses on the server) with the input frame last sent, so
 * the player moves the instant a key goes down. Each snapshot resets to the server's row and replays the
 * frames the server has not simulated yet.
 *
 * Which frames are those? The host applies each player's latest input on every tick rather than consuming
 * inputs by duration, so the acknowledged sequence alone is not enough: frames with a newer sequence are
 * certainly unsimulated, and frames of the acknowledged input are unsimulated when they are younger than
 * one round trip (they happened after the input that the server echoes had already been sent on). What
 * remains (tick quantisation, bumps by others) is hidden by easing a visual offset instead of snapping.
 */
import { advancePlayer, type MotionBounds, type MotionState } from "../../shared/game/player-motion.ts";
import type { InputFrame, SnapshotPlayer } from "../../shared/game/types.ts";

interface LocalFrame {
  /** Sequence of the input in effect (0: none yet). */
  seq: number;
  input: InputFrame | undefined;
  dtMs: number;
  /** Local time at the end of the frame (ms). */
  at: number;
}

/** Larger corrections are teleports (respawn, failover): snap rather than glide across the arena. */
const SNAP_DISTANCE = 150;
/** Time constant of the correction easing. */
const SMOOTH_MS = 80;
/** Bound on kept frames (about 4 s at 60 Hz) in case snapshots stop arriving. */
const MAX_FRAMES = 240;

export function motionFromRow(row: SnapshotPlayer, facing?: { fx: number; fy: number }): MotionState {
  const [, x, y, , lastSeq, dashCooldownMs, vx, vy, dashMs = 0, stunMs = 0] = row;
  const len = Math.hypot(vx, vy);
  const fx = facing?.fx ?? (len > 1 ? vx / len : 1);
  const fy = facing?.fy ?? (len > 1 ? vy / len : 0);
  return { x, y, vx, vy, lastSeq, dashCooldownMs, dashMs, stunMs, fx, fy };
}

export class Predictor {
  state: MotionState | null = null;
  private frames: LocalFrame[] = [];
  /** Visual offset (rendered = state + offset), eased to zero. */
  offsetX = 0;
  offsetY = 0;
  /** Last correction size, for the debug overlay and tests. */
  lastCorrection = 0;

  constructor(private readonly bounds: MotionBounds) {}

  /** Takes the server's row as the truth without replaying (countdown, first snapshot, failover). */
  reset(row: SnapshotPlayer): void {
    this.state = motionFromRow(row, this.state ?? undefined);
    this.frames = [];
    this.offsetX = this.offsetY = 0;
  }

  /** Runs one local frame of our own movement. */
  advance(input: InputFrame | undefined, dtMs: number, at: number): void {
    if (!this.state) return;
    advancePlayer(this.state, input, dtMs, this.bounds);
    this.frames.push({ seq: input?.s ?? 0, input, dtMs, at });
    if (this.frames.length > MAX_FRAMES) this.frames.splice(0, this.frames.length - MAX_FRAMES);
  }

  /** Rebases on a server row received at local time `receivedAt`, given the current round-trip estimate. */
  reconcile(row: SnapshotPlayer, receivedAt: number, rttMs: number): void {
    const before = this.state;
    if (!before) return this.reset(row);
    const acked = row[4];
    const cutoff = receivedAt - rttMs;
    this.frames = this.frames.filter((f) => f.seq > acked || (f.seq === acked && f.at > cutoff));
    const next = motionFromRow(row, before);
    for (const f of this.frames) advancePlayer(next, f.input, f.dtMs, this.bounds);
    const dx = before.x + this.offsetX - next.x;
    const dy = before.y + this.offsetY - next.y;
    this.lastCorrection = Math.hypot(before.x - next.x, before.y - next.y);
    if (Math.hypot(dx, dy) > SNAP_DISTANCE) {
      this.offsetX = this.offsetY = 0;
    } else {
      // Keep drawing where we were; the offset glides to the corrected place.
      this.offsetX = dx;
      this.offsetY = dy;
    }
    this.state = next;
  }

  /** Where to draw the player this frame (eases the correction offset by `dtMs`). */
  rendered(dtMs: number): { x: number; y: number } | null {
    if (!this.state) return null;
    const k = Math.exp(-dtMs / SMOOTH_MS);
    this.offsetX *= k;
    this.offsetY *= k;
    if (Math.abs(this.offsetX) < 0.01) this.offsetX = 0;
    if (Math.abs(this.offsetY) < 0.01) this.offsetY = 0;
    return { x: this.state.x + this.offsetX, y: this.state.y + this.offsetY };
  }
}
