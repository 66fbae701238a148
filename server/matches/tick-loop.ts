/**
 * A fixed-rate timer, corrected for drift: tick k fires at start + k x interval however late the previous
 * one ran, so match time follows wall time instead of slowly falling behind (setInterval accumulates every
 * callback's delay). After a stall it runs the missed ticks back to back, up to a cap; past the cap it
 * skips them (the match slows down rather than fast-forwarding seconds in one burst).
 *
 * One loop per node drives every match it hosts: one timer instead of one per match, and all matches see
 * the same tick instants.
 */
export interface TickLoopOptions {
  intervalMs: number;
  /** Most ticks run back to back to catch up after a stall. */
  maxCatchUp?: number;
  /** `emit` is false for the catch-up ticks before the last one (their snapshots would be stale at once). */
  onTick: (emit: boolean) => void;
  /** Told how many ticks were skipped after a stall longer than the catch-up cap. */
  onSkip?: (ticks: number) => void;
  now?: () => number;
}

export class TickLoop {
  private timer: NodeJS.Timeout | null = null;
  private next = 0;
  private readonly now: () => number;
  private readonly maxCatchUp: number;

  constructor(private readonly opts: TickLoopOptions) {
    this.now = opts.now ?? (() => performance.now());
    this.maxCatchUp = opts.maxCatchUp ?? 3;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  /** When the next tick is due (the clock's ms, performance.now() by default); 0 before start. */
  get nextDue(): number {
    return this.next;
  }

  /** Starts ticking one interval from now (no-op when running). */
  start(): void {
    if (this.timer) return;
    this.next = this.now() + this.opts.intervalMs;
    this.schedule();
  }

  /** Stops after the current tick. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.timer = setTimeout(this.run, Math.max(0, this.next - this.now()));
  }

  private readonly run = (): void => {
    const interval = this.opts.intervalMs;
    try {
      // Negative when the timer fired a hair early: no tick is due yet, just re-arm.
      let due = Math.floor((this.now() - this.next) / interval) + 1;
      if (due > this.maxCatchUp) {
        this.opts.onSkip?.(due - this.maxCatchUp);
        this.next += (due - this.maxCatchUp) * interval;
        due = this.maxCatchUp;
      }
      for (let i = 0; i < due && this.timer; i++) {
        this.next += interval;
        this.opts.onTick(i === due - 1);
      }
    } finally {
      // Re-armed even if a tick threw: one bad tick must not stop every match on the node.
      if (this.timer) this.schedule();
    }
  };
}
