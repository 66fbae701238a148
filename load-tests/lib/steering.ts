/**
 * A bot's controls from the latest snapshot: head for the most valuable nearby orb, wander a little, and
 * dash now and then when another player is close and the dash is ready. Pure: the snapshot in, controls out.
 */
import type { Snapshot } from "../../shared/game/types.ts";

export interface Controls {
  x: number;
  y: number;
  d: boolean;
}

const ROW = { index: 0, x: 1, y: 2, dashCooldownMs: 5 } as const;

/** Controls for player `me` in `snap`; `rnd` in [0, 1). */
export function steer(snap: Snapshot, me: number, rnd: () => number = Math.random): Controls {
  const mine = snap.p.find((r) => r[ROW.index] === me);
  if (!mine) return { x: 0, y: 0, d: false };
  const [mx, my] = [mine[ROW.x], mine[ROW.y]];
  let best: [number, number] | null = null;
  let bestCost = Infinity;
  for (const [, ox, oy, value] of snap.o) {
    const cost = Math.hypot(ox - mx, oy - my) / value;
    if (cost < bestCost) {
      bestCost = cost;
      best = [ox, oy];
    }
  }
  let [dx, dy] = best ? [best[0] - mx, best[1] - my] : [rnd() - 0.5, rnd() - 0.5];
  dx += (rnd() - 0.5) * 40;
  dy += (rnd() - 0.5) * 40;
  const len = Math.hypot(dx, dy) || 1;
  const near = snap.p.some((r) => r[ROW.index] !== me && Math.hypot(r[ROW.x] - mx, r[ROW.y] - my) < 120);
  const d = near && mine[ROW.dashCooldownMs] === 0 && rnd() < 0.3;
  const q = (v: number) => Math.round(v * 100) / 100;
  return { x: q(dx / len), y: q(dy / len), d };
}
