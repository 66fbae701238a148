/**
 * Where load-test players queue from: a cell of cities.json drawn with probability proportional to its
 * population (the spread of real players, as bench/matchmaking.ts draws them), jittered inside about
 * +-0.25 degree so that players of one cell do not all share one point.
 */
import cities from "../cities.json" with { type: "json" };

type Row = [lat: number, lon: number, popK: number];

const rows = cities as Row[];
const cumulative = new Float64Array(rows.length);
let total = 0;
rows.forEach((r, i) => (cumulative[i] = total += r[2]));

/** A place drawn from the population-weighted spread; `rnd` in [0, 1) (Math.random by default). */
export function randomPlace(rnd: () => number = Math.random): { lat: number; lon: number } {
  const x = rnd() * total;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  const [lat, lon] = rows[lo]!;
  const clamp = (v: number, m: number) => Math.max(-m, Math.min(m, v));
  return { lat: clamp(lat + (rnd() - 0.5) * 0.5, 85), lon: clamp(lon + (rnd() - 0.5) * 0.5, 180) };
}
