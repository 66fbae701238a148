/**
 * Snapshot buffer for drawing other players ~100 ms in the past, between two real snapshots, so they glide
 * at display refresh rate instead of jumping 20 times a second. The server's tick number is the clock:
 * tick n happened at n * tickMs on the server, and the local arrival time of the least-delayed snapshots
 * maps that clock onto ours (network jitter only ever delays, so the minimum is the honest estimate).
 */
import type { Snapshot, SnapshotPlayer } from "../../shared/game/types.ts";

const KEEP = 40;
/** How fast the clock estimate follows a latency that went up for good (per snapshot). */
const DRIFT = 0.02;
/** Past the newest snapshot, players keep moving on their velocity this long at most. */
const MAX_EXTRAPOLATE_MS = 120;

export interface InterpolatedPlayer {
  index: number;
  x: number;
  y: number;
  row: SnapshotPlayer;
}

export class SnapshotBuffer {
  private snaps: Snapshot[] = [];
  /** local time - server tick time, in ms. */
  private offset = 0;

  constructor(private readonly tickMs: number) {}

  get latest(): Snapshot | undefined {
    return this.snaps[this.snaps.length - 1];
  }

  get size(): number {
    return this.snaps.length;
  }

  clear(): void {
    this.snaps = [];
  }

  /** Adds a snapshot received at local time `now`; returns false for a duplicate or stale one. */
  push(snap: Snapshot, now: number): boolean {
    const last = this.latest;
    if (last && snap.n <= last.n) {
      // A new host resumes from its last checkpoint, so tick numbers go back: start over from here.
      if (snap.n < last.n - 1) this.snaps = [];
      else return false;
    }
    const sample = now - snap.n * this.tickMs;
    if (this.snaps.length === 0) this.offset = sample;
    else if (sample < this.offset) this.offset = sample;
    else this.offset += (sample - this.offset) * DRIFT;
    this.snaps.push(snap);
    if (this.snaps.length > KEEP) this.snaps.splice(0, this.snaps.length - KEEP);
    return true;
  }

  /** Player positions as of `now - delayMs`, interpolated between the two snapshots around that time. */
  players(now: number, delayMs: number): InterpolatedPlayer[] {
    const snaps = this.snaps;
    const newest = snaps[snaps.length - 1];
    if (!newest) return [];
    const renderTick = (now - delayMs - this.offset) / this.tickMs;
    if (renderTick >= newest.n) {
      const extra = Math.min(MAX_EXTRAPOLATE_MS, (renderTick - newest.n) * this.tickMs) / 1000;
      return newest.p.map((row) => ({ index: row[0], x: row[1] + row[6] * extra, y: row[2] + row[7] * extra, row }));
    }
    let i = snaps.length - 1;
    while (i > 0 && snaps[i - 1]!.n > renderTick) i--;
    const b = snaps[i]!;
    const a = snaps[i - 1];
    if (!a || renderTick <= a.n) return (a ?? b).p.map((row) => ({ index: row[0], x: row[1], y: row[2], row }));
    const t = (renderTick - a.n) / (b.n - a.n);
    return b.p.map((row) => {
      const prev = a.p.find((r) => r[0] === row[0]);
      if (!prev) return { index: row[0], x: row[1], y: row[2], row };
      // A jump longer than anyone can travel in the gap is a teleport: do not draw a streak across the map.
      const far = Math.hypot(row[1] - prev[1], row[2] - prev[2]) > 400;
      return far ? { index: row[0], x: row[1], y: row[2], row } : { index: row[0], x: prev[1] + (row[1] - prev[1]) * t, y: prev[2] + (row[2] - prev[2]) * t, row };
    });
  }
}
