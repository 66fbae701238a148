/**
 * Knobs of the player scenario, read from Artillery variables (`config.variables`, a profile's
 * `environments.<name>.variables`, or `artillery run --variables '{"playSeconds": 600}'`).
 */
export interface Params {
  /** No player starts a new session or queues for a new match after this many seconds of the run. */
  playSeconds: number;
  /** Matches per session before it logs out (0: no limit; then `churn` and `playSeconds` end it). */
  maxMatches: number;
  /** Chance that a player logs out after a match (a new device logs in in its place): session churn. */
  churn: number;
  /** Input frames sent per second while playing. */
  inputHz: number;
  /** A player who waited this long in the queue leaves it. */
  queueTimeoutSeconds: number;
  /** A socket ack slower than this counts as an error. */
  ackTimeoutMs: number;
  /** Pause between a match's end screen and the next queue:join, ms (uniform in [min, max]). */
  thinkMinMs: number;
  thinkMaxMs: number;
}

const DEFAULTS: Params = {
  playSeconds: 60,
  maxMatches: 0,
  churn: 0.25,
  inputHz: 10,
  queueTimeoutSeconds: 60,
  ackTimeoutMs: 10_000,
  thinkMinMs: 1000,
  thinkMaxMs: 3000,
};

/** The parameters in `vars`, defaults for the missing ones; a value that is not a number is refused. */
export function readParams(vars: Record<string, unknown>): Params {
  const out = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as (keyof Params)[]) {
    const raw = vars[key];
    if (raw === undefined || raw === "") continue;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`load-test variable ${key} must be a number >= 0, got ${JSON.stringify(raw)}`);
    out[key] = n;
  }
  return out;
}
