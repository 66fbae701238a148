/**
 * The simulation's only source of randomness: mulberry32 over a 32-bit integer state kept in the match
 * state itself, so a checkpoint (plain JSON) resumes the exact same sequence on another node.
 */

/** Deterministic PRNG step: returns [value in [0,1), next state]. */
export function nextRandom(rng: number): [number, number] {
  const t = (rng + 0x6d2b79f5) | 0;
  let r = Math.imul(t ^ (t >>> 15), 1 | t);
  r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
  return [((r ^ (r >>> 14)) >>> 0) / 4294967296, t];
}

/** A mutable cursor over the RNG state for code that draws several numbers in a row. */
export interface RngCursor {
  rng: number;
}

/** Draws one value in [0, 1) and advances the cursor. */
export function draw(c: RngCursor): number {
  const [v, next] = nextRandom(c.rng);
  c.rng = next;
  return v;
}
