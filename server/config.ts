/**
 * The only module that reads `process.env`. Every variable is declared here with its default; `loadConfig`
 * validates them all, reports every problem at once, and returns a frozen object passed down as a
 * dependency. README.md has the same table for operators.
 */
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";

type Parser<T> = (raw: string) => T;

class ConfigProblem extends Error {}

const int = (min: number, max: number): Parser<number> => (raw) => {
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigProblem(`must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigProblem(`must be between ${min} and ${max}, got ${n}`);
  return n;
};
const str = (re?: RegExp, hint?: string): Parser<string> => (raw) => {
  if (re && !re.test(raw)) throw new ConfigProblem(`must be ${hint ?? `like ${re}`}, got "${raw}"`);
  return raw;
};
const oneOf = <T extends string>(...values: T[]): Parser<T> => (raw) => {
  if (!(values as string[]).includes(raw)) throw new ConfigProblem(`must be one of ${values.join(", ")}, got "${raw}"`);
  return raw as T;
};
const redisUrl: Parser<string> = (raw) => {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigProblem(`must be a redis:// or rediss:// URL, got "${raw}"`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw new ConfigProblem(`must use redis:// or rediss://, got "${u.protocol}"`);
  return raw;
};
const urlList: Parser<string[]> = (raw) => raw.split(",").map((s) => s.trim()).filter(Boolean).map(redisUrl);
const intList: Parser<number[]> = (raw) => raw.split(",").map((s) => int(0, 10_000_000)(s));
/** One action's budget: `count` requests per `periodMs`, bursting up to `count`. */
export interface RateRule {
  count: number;
  periodMs: number;
}
const PERIOD_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** `action=count/period[,...]`, period like `500ms`, `10s`, `1m`, `1h` (a bare number is seconds). */
const rateRules: Parser<Readonly<Record<string, Readonly<RateRule>>>> = (raw) => {
  const out: Record<string, RateRule> = {};
  for (const item of raw.split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z][a-z0-9_]{0,31})=(\d{1,9})\/(\d{1,9})(ms|s|m|h)?$/.exec(item);
    if (!m) throw new ConfigProblem(`entries must look like action=count/period (e.g. login=10/60s), got "${item}"`);
    const count = Number(m[2]);
    const periodMs = Number(m[3]) * PERIOD_UNITS[m[4] ?? "s"]!;
    if (count < 1) throw new ConfigProblem(`count must be at least 1 in "${item}"`);
    if (periodMs < 1 || periodMs > 30 * 86_400_000) throw new ConfigProblem(`period must be 1 ms to 30 days in "${item}"`);
    out[m[1]!] = Object.freeze({ count, periodMs });
  }
  return Object.freeze(out);
};
/** `label:token[,...]`: labelled admin tokens (label 1-32 of A-Z a-z 0-9 . _ -, token 16+ characters). */
const labelledTokens: Parser<Readonly<Record<string, string>>> = (raw) => {
  const out: Record<string, string> = {};
  for (const item of raw.split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z0-9._-]{1,32}):(\S{16,})$/.exec(item);
    if (!m) throw new ConfigProblem("entries must look like label:token (label 1-32 of A-Z a-z 0-9 . _ -, token at least 16 characters)");
    if (out[m[1]!] !== undefined) throw new ConfigProblem(`label "${m[1]}" appears twice`);
    out[m[1]!] = m[2]!;
  }
  return Object.freeze(out);
};
const bool: Parser<boolean> = (raw) => {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigProblem(`must be true or false, got "${raw}"`);
};

interface Spec<T, D extends string | undefined = string | undefined> {
  parse: Parser<T>;
  /** Default as the string an operator would write; undefined means "unset" (optional). */
  def: D;
  doc: string;
}
const v = <T, D extends string | undefined>(parse: Parser<T>, def: D, doc: string): Spec<T, D> => ({ parse, def, doc });

/** Every environment variable the node reads. Keep README's table in sync (a test checks it). */
export const CONFIG_SPEC = {
  PORT: v(int(0, 65535), "3000", "HTTP + websocket port (0 = any free port)."),
  HOST: v(str(), "0.0.0.0", "Interface to listen on."),
  REDIS_URL: v(redisUrl, undefined, "Redis to use. Unset: `npm start` spawns an embedded redis-server."),
  REDIS_EMBEDDED_PORT: v(int(0, 65535), "0", "Port for the embedded redis-server (0 = a free port)."),
  REDIS_DATA_DIR: v(str(), ".data/redis", "Data folder (AOF) of the embedded redis-server."),
  KEY_PREFIX: v(str(/^[A-Za-z0-9:_-]{1,32}$/, "1-32 of A-Z a-z 0-9 : _ -"), "arena:", "Prefix of every Redis key and pub/sub channel."),
  NODE_ID: v(str(/^[A-Za-z0-9._-]{1,64}$/, "1-64 of A-Z a-z 0-9 . _ -"), undefined, "This node's id (default: hostname-pid-random)."),
  LOG_LEVEL: v(oneOf("fatal", "error", "warn", "info", "debug", "trace", "silent"), "info", "pino log level."),
  SESSION_TTL_SECONDS: v(int(60, 30 * 86400), "86400", "Sliding session lifetime; refreshed on use."),
  SHUTDOWN_GRACE_MS: v(int(1000, 120_000), "10000", "Longest a graceful shutdown (SIGTERM/SIGINT) may take before the process exits anyway."),
  ADMIN_TOKEN: v(str(/^.{16,}$/, "at least 16 characters"), undefined, "Admin token (label `admin`) of /admin/api, the /admin namespace and the dashboard. Unset (and no ADMIN_TOKENS): admin disabled."),
  ADMIN_TOKENS: v(labelledTokens, undefined, "Several labelled admin tokens, `label:token,label:token`; the label is the audit log's \"who\" (ADMIN_TOKEN's label is `admin`)."),
  MAX_PAYLOAD_BYTES: v(int(256, 1_048_576), "16384", "Largest socket message or HTTP body accepted."),
  TRUST_PROXY: v(bool, "false", "Behind one load balancer: take the client IP from the right-most X-Forwarded-For entry."),
  // Matchmaking
  MATCHMAKER_INTERVAL_MS: v(int(10, 60_000), "200", "Time between matchmaker passes on each node."),
  MATCH_MIN_PLAYERS: v(int(2, 8), "2", "Smallest match."),
  MATCH_MAX_PLAYERS: v(int(2, 8), "8", "Largest match."),
  MATCH_FILL_WAIT_MS: v(int(0, 600_000), "8000", "Wait before a match may start with fewer than MATCH_MAX_PLAYERS."),
  RADIUS_STEPS_KM: v(intList, "100,500,2000,20040", "Search radius steps (km); the last is worldwide."),
  RADIUS_STEPS_MS: v(intList, "0,5000,10000,20000", "Wait (ms) at which each radius step starts."),
  SKILL_BANDS: v(intList, "100,200,400,100000", "Skill-rating band (+-) at each step."),
  TICKET_TTL_SECONDS: v(int(10, 3600), "120", "A ticket not refreshed by its player's node expires."),
  QUEUE_DISCONNECT_GRACE_MS: v(int(0, 120_000), "5000", "A disconnected player's ticket survives this long."),
  REDLOCK_URLS: v(urlList, undefined, "Comma-separated independent Redis URLs for a real Redlock quorum (default: the main Redis)."),
  // Match runtime
  TICK_HZ: v(int(1, 120), "20", "Simulation tick rate."),
  MATCH_DURATION_MS: v(int(1000, 3_600_000), "90000", "Length of a round."),
  MATCH_COUNTDOWN_MS: v(int(0, 60_000), "3000", "Countdown before a round."),
  RECONNECT_GRACE_MS: v(int(0, 600_000), "30000", "A dropped player keeps their place this long."),
  MATCH_LEASE_MS: v(int(500, 60_000), "2000", "Host lease on a match; another node takes over after it lapses."),
  CHECKPOINT_INTERVAL_MS: v(int(100, 60_000), "1000", "How often the host checkpoints match state."),
  // Nodes
  HEARTBEAT_INTERVAL_MS: v(int(100, 60_000), "1000", "Node registry heartbeat."),
  NODE_TTL_MS: v(int(500, 120_000), "5000", "A node missing heartbeats this long is dead."),
  CLUSTER_NODES: v(int(1, 64), "3", "Node processes `npm run cluster` starts (or `npm run cluster -- <n>`)."),
  // Results and boards
  RESULTS_BATCH: v(int(1, 1000), "100", "Results read from the stream (or reclaimed) per batch."),
  RESULTS_BLOCK_MS: v(int(10, 10_000), "1000", "How long one XREADGROUP blocks waiting for results."),
  RESULTS_CLAIM_IDLE_MS: v(int(50, 3_600_000), "30000", "A result pending this long (its consumer died) is reclaimed by another node."),
  RESULTS_MAX_AGE_SECONDS: v(int(60, 30 * 86400), "172800", "Results that ended longer ago are not applied; dedupe markers live this long plus a day."),
  BOARDS_DAILY_GRACE_DAYS: v(int(0, 366), "7", "Days a daily board stays readable after its day ends."),
  BOARDS_WEEKLY_GRACE_WEEKS: v(int(0, 104), "5", "Weeks a weekly board stays readable after its week ends."),
  BOARDS_CACHE_TTL_MS: v(int(0, 60_000), "1000", "Lifetime of the cached top-100 page (0 = no cache)."),
  BOARDS_PUSH_INTERVAL_MS: v(int(100, 60_000), "1000", "Least time between two top-10 pushes of one board."),
  ANALYTICS_RETENTION_DAYS: v(int(1, 3650), "90", "Days daily analytics (unique players, counters) are kept."),
  ANALYTICS_SERIES_HOURS: v(int(1, 24 * 90), "48", "Hours per-minute series (CCU, matches started, queue joins) are kept."),
  ANALYTICS_FLUSH_MS: v(int(50, 60_000), "5000", "How often a node flushes its analytics counters and CCU sample."),
  // Limits
  RATE_LIMITS: v(rateRules, "", "Overrides, e.g. `login=10/60s,queue_join=5/10s` (action=count/period)."),
  INPUT_RATE_PER_SECOND: v(int(1, 1000), "60", "Game inputs a socket may send per second (local budget)."),
  BAN_THRESHOLD: v(int(1, 100_000), "50", "Violation score that triggers a temporary ban."),
  BAN_SECONDS: v(int(1, 30 * 86400), "900", "Length of a temporary ban."),
  IP_BAN_THRESHOLD: v(int(1, 1_000_000), "200", "Violation score that bans an IP (higher: many players may share one address)."),
  VIOLATION_DECAY_SECONDS: v(int(1, 30 * 86400), "600", "Time for a score of BAN_THRESHOLD to decay to zero (linear)."),
} as const;

type Env = {
  [K in keyof typeof CONFIG_SPEC]: (typeof CONFIG_SPEC)[K] extends Spec<infer T, infer D> ? (D extends string ? T : T | undefined) : never;
};

/** The validated, frozen configuration handed to every module. */
export type Config = Readonly<Omit<Env, "NODE_ID"> & { NODE_ID: string }>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Reads and validates the environment (or the given record); throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Record<keyof typeof CONFIG_SPEC, string>> = {}): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(CONFIG_SPEC) as [string, Spec<unknown>][]) {
    const raw = overrides[name as keyof typeof CONFIG_SPEC] ?? env[name] ?? spec.def;
    if (raw === undefined || raw === "" && spec.def === undefined) {
      out[name] = undefined;
      continue;
    }
    try {
      out[name] = spec.parse(raw);
    } catch (err) {
      problems.push(`${name} ${(err as Error).message}`);
    }
  }
  const steps = [out.RADIUS_STEPS_KM, out.RADIUS_STEPS_MS, out.SKILL_BANDS] as (number[] | undefined)[];
  if (steps.every(Array.isArray) && new Set(steps.map((s) => s!.length)).size !== 1) {
    problems.push("RADIUS_STEPS_KM, RADIUS_STEPS_MS and SKILL_BANDS must have the same number of entries");
  }
  const ms = out.RADIUS_STEPS_MS as number[] | undefined;
  if (ms && ms.some((x, i) => i > 0 && x <= ms[i - 1]!)) problems.push("RADIUS_STEPS_MS must be strictly increasing");
  if (typeof out.MATCH_MIN_PLAYERS === "number" && typeof out.MATCH_MAX_PLAYERS === "number" && out.MATCH_MIN_PLAYERS > out.MATCH_MAX_PLAYERS) {
    problems.push("MATCH_MIN_PLAYERS must not exceed MATCH_MAX_PLAYERS");
  }
  if (typeof out.MATCH_LEASE_MS === "number" && typeof out.CHECKPOINT_INTERVAL_MS === "number" && out.CHECKPOINT_INTERVAL_MS >= out.MATCH_LEASE_MS * 4) {
    problems.push("CHECKPOINT_INTERVAL_MS should be well under MATCH_LEASE_MS x 4");
  }
  if (problems.length) throw new ConfigError(problems);
  out.NODE_ID ??= `${hostname().replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 40)}-${process.pid}-${randomBytes(3).toString("hex")}`;
  for (const value of Object.values(out)) if (Array.isArray(value)) Object.freeze(value);
  return Object.freeze(out) as Config;
}
