/**
 * The baselines' tick driver: one fixed-grid 20 Hz loop per process that ticks every room, with the same
 * rules as the arena node's loop (server/matches/tick-loop.ts): tick k fires at start + k x interval however
 * late the previous one ran; after a stall it runs up to 3 missed ticks back to back, broadcasting only
 * after the last one, and skips the rest. Same loop shape on every target, so the comparison is about what
 * each stack does per tick (simulation aside: all three run the same shared/game/sim.ts), not about timers.
 * A copy rather than an import: bench baselines must not break when the server's files move.
 */
export interface GridLoop {
  /** Wall-clock instant (ms since epoch) of tick 0; every tick is due at origin + k x interval. */
  readonly originWall: number;
  readonly intervalMs: number;
  stop(): void;
}

export function startGridLoop(intervalMs: number, onTick: (emit: boolean) => void, maxCatchUp = 3): GridLoop {
  const origin = performance.now();
  let next = origin + intervalMs;
  let timer: NodeJS.Timeout | null = null;
  const run = (): void => {
    try {
      let due = Math.floor((performance.now() - next) / intervalMs) + 1;
      if (due > maxCatchUp) {
        next += (due - maxCatchUp) * intervalMs;
        due = maxCatchUp;
      }
      for (let i = 0; i < due; i++) {
        next += intervalMs;
        onTick(i === due - 1);
      }
    } finally {
      if (timer) timer = setTimeout(run, Math.max(0, next - performance.now()));
    }
  };
  timer = setTimeout(run, intervalMs);
  return {
    originWall: performance.timeOrigin + origin,
    intervalMs,
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
