/**
 * What the runner does per profile on top of load-tests/arena.yml (which holds the phases, the player
 * knobs and the `ensure` gates): the settings of the cluster it starts, and the default play time.
 */
export type ProfileName = "smoke" | "soak" | "spike";

export interface Profile {
  /** Seconds of the arrival phase in arena.yml (kept when --players changes the count). */
  rampSeconds: number;
  /** Default play time: nobody queues for a new match after it (--duration changes it). */
  playSeconds: number;
  /** Node settings for a cluster this runner starts (the caller's environment overrides them). */
  clusterEnv: Record<string, string>;
}

/**
 * All load comes from one address, so the per-IP budgets (logins, public leaderboard reads) are lifted
 * for the local cluster; per-player budgets stay as deployed.
 */
const ONE_ADDRESS = { RATE_LIMITS: "login=1000000/60s,boards_read=1000000/60s" };

export const PROFILES: Record<ProfileName, Profile> = {
  // 15 s rounds and a faster widening search (worldwide after 6 s, smaller matches after 3 s) so that
  // every player plays two whole matches in about a minute.
  smoke: {
    rampSeconds: 10,
    playSeconds: 38,
    clusterEnv: { ...ONE_ADDRESS, MATCH_DURATION_MS: "15000", MATCH_FILL_WAIT_MS: "3000", RADIUS_STEPS_MS: "0,2000,4000,6000" },
  },
  soak: { rampSeconds: 60, playSeconds: 1800, clusterEnv: { ...ONE_ADDRESS } },
  spike: { rampSeconds: 10, playSeconds: 120, clusterEnv: { ...ONE_ADDRESS } },
};

/** "90", "90s", "30m", "1h", "1h30m" -> seconds; throws on anything else. */
export function parseDuration(raw: string): number {
  const s = raw.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(s);
  if (!m || !s) throw new Error(`duration must look like 90, 90s, 30m or 1h30m, got "${raw}"`);
  const total = Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  if (total <= 0) throw new Error(`duration must be positive, got "${raw}"`);
  return total;
}
