/**
 * Game tuning that is not per-match configuration. Kept out of `GameConfig` so the pinned config shape
 * stays small; the server and the client read the same numbers, which keeps prediction honest.
 */
export const GAME_RULES = {
  /** Dash: a short burst at `dashSpeed` in the input (or facing) direction. */
  dashMs: 180,
  dashSpeed: 900,
  dashCooldownMs: 2500,
  /** Hit test radius of a dash, as a multiple of the sum of the two radii (a little generous feels fair). */
  bumpReach: 1.15,
  /** A bumped player is knocked back and cannot steer for `stunMs`. */
  stunMs: 450,
  knockbackSpeed: 750,
  /** Per-second exponential decay rate of the knockback velocity. */
  knockbackDecay: 6,
  /** A bumped player drops this many points as 1-point orbs (at most their score). */
  bumpDrop: 3,
  /** Dropped orbs land this far behind the victim (toward the dasher). */
  dropDistanceMin: 45,
  dropDistanceMax: 95,
  orbRadius: 11,
  /** Live orbs the field refills towards: base + per player, spawning one every `orbSpawnEveryMs`. */
  orbBase: 12,
  orbPerPlayer: 4,
  orbSpawnEveryMs: 300,
  /** Chance that a spawned orb is gold. */
  goldChance: 0.06,
  orbValue: 1,
  goldValue: 5,
  /** Orbs never spawn closer than this to a wall. */
  orbMargin: 40,
} as const;
