/**
 * Turns the controls sampled every frame into `match:input` frames: sent when they change and every
 * `keepAliveMs` otherwise, never more often than `minIntervalMs` (~30/s, well inside the server's input
 * budget). Frames carry directions and the dash button only, never positions. No DOM: unit-testable.
 */
import type { InputFrame } from "../../shared/game/types.ts";

export interface Controls {
  x: number;
  y: number;
  d: boolean;
}

export interface InputSenderOptions {
  minIntervalMs?: number;
  keepAliveMs?: number;
}

/** Two decimals are plenty for a direction and keep the frames short and comparable. */
const q = (v: number) => Math.round(Math.max(-1, Math.min(1, v)) * 100) / 100 || 0;

export class InputSender {
  private seq = 0;
  private synced = false;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  /** The last frame sent: what the server is applying (or about to), hence what prediction runs. */
  current: InputFrame | undefined;
  private readonly minIntervalMs: number;
  private readonly keepAliveMs: number;

  constructor(
    private readonly emit: (frame: InputFrame) => void,
    opts: InputSenderOptions = {},
  ) {
    this.minIntervalMs = opts.minIntervalMs ?? 33;
    this.keepAliveMs = opts.keepAliveMs ?? 250;
  }

  /**
   * Adopts the server's last processed sequence for us. Until the first snapshot nothing is sent: after a
   * page reload our counter restarts at 0 while the server remembers the old one, and sequence numbers
   * must keep growing within a match.
   */
  sync(serverLastSeq: number): void {
    if (serverLastSeq > this.seq) this.seq = serverLastSeq;
    this.synced = true;
  }

  /** Forgets the frame in flight (new match). The sequence keeps growing: it is harmless and simpler. */
  reset(): void {
    this.synced = false;
    this.current = undefined;
    this.lastSentAt = Number.NEGATIVE_INFINITY;
  }

  /** Called every frame with the sampled controls; sends when due and returns the frame sent, if any. */
  update(c: Controls, now: number): InputFrame | undefined {
    if (!this.synced) return undefined;
    const x = q(c.x);
    const y = q(c.y);
    const cur = this.current;
    const changed = !cur || cur.x !== x || cur.y !== y || cur.d !== c.d;
    const since = now - this.lastSentAt;
    if (since < this.minIntervalMs || (!changed && since < this.keepAliveMs)) return undefined;
    this.seq++;
    const frame: InputFrame = { s: this.seq, x, y, d: c.d };
    this.current = frame;
    this.lastSentAt = now;
    this.emit(frame);
    return frame;
  }
}
