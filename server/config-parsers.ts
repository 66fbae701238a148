/** Parsers of environment variables: each turns the raw string into a value or throws a ConfigProblem. */
import proxyaddr from "@fastify/proxy-addr";
import { parseClusterNodes } from "./redis/connection.ts";

export type Parser<T> = (raw: string) => T;

export class ConfigProblem extends Error {}

export const int = (min: number, max: number): Parser<number> => (raw) => {
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigProblem(`must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigProblem(`must be between ${min} and ${max}, got ${n}`);
  return n;
};
export const str = (re?: RegExp, hint?: string): Parser<string> => (raw) => {
  if (re && !re.test(raw)) throw new ConfigProblem(`must be ${hint ?? `like ${re}`}, got "${raw}"`);
  return raw;
};
export const oneOf = <T extends string>(...values: T[]): Parser<T> => (raw) => {
  if (!(values as string[]).includes(raw)) throw new ConfigProblem(`must be one of ${values.join(", ")}, got "${raw}"`);
  return raw as T;
};
export const redisUrl: Parser<string> = (raw) => {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    // Not quoted: a Redis URL may carry a password.
    throw new ConfigProblem("must be a redis:// or rediss:// URL (redis://[:password@]host:port[/db])");
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw new ConfigProblem(`must use redis:// or rediss://, got "${u.protocol}"`);
  return raw;
};
export const urlList: Parser<string[]> = (raw) => raw.split(",").map((s) => s.trim()).filter(Boolean).map(redisUrl);
export const intList: Parser<number[]> = (raw) => raw.split(",").map((s) => int(0, 10_000_000)(s));
/** One action's budget: `count` requests per `periodMs`, bursting up to `count`. */
export interface RateRule {
  count: number;
  periodMs: number;
}
const PERIOD_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** `action=count/period[,...]`, period like `500ms`, `10s`, `1m`, `1h` (a bare number is seconds). */
export const rateRules: Parser<Readonly<Record<string, Readonly<RateRule>>>> = (raw) => {
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
export const labelledTokens: Parser<Readonly<Record<string, string>>> = (raw) => {
  const out: Record<string, string> = {};
  for (const item of raw.split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z0-9._-]{1,32}):(\S{16,})$/.exec(item);
    if (!m) throw new ConfigProblem("entries must look like label:token (label 1-32 of A-Z a-z 0-9 . _ -, token at least 16 characters)");
    if (out[m[1]!] !== undefined) throw new ConfigProblem(`label "${m[1]}" appears twice`);
    out[m[1]!] = m[2]!;
  }
  return Object.freeze(out);
};
export const bool: Parser<boolean> = (raw) => {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigProblem(`must be true or false, got "${raw}"`);
};

export interface Spec<T, D extends string | undefined = string | undefined> {
  parse: Parser<T>;
  /** Default as the string an operator would write; undefined means "unset" (optional). */
  def: D;
  doc: string;
}
export const v = <T, D extends string | undefined>(parse: Parser<T>, def: D, doc: string): Spec<T, D> => ({ parse, def, doc });
/** `host:port,host:port` seed nodes of a Redis Cluster. */
export const hostPortList: Parser<string> = (raw) => {
  const nodes = parseClusterNodes(raw);
  if (!nodes.length) throw new ConfigProblem(`must list host:port entries, got "${raw}"`);
  for (const n of nodes) if (!n.host || !Number.isInteger(n.port) || n.port < 1 || n.port > 65535) throw new ConfigProblem(`entries must look like host:port, got "${raw}"`);
  return raw;
};
/**
 * A list of addresses and CIDRs (`10.0.0.5,10.1.0.0/16,::1`, or the names `loopback`, `linklocal`,
 * `uniquelocal`). `false` (or empty) is the empty list; `true` means `loopback` only: a proxy on this
 * host. Any other proxy must be listed: trusting every peer would let any client forge its address.
 */
export const addressList: Parser<readonly string[]> = (raw) => {
  const t = raw.trim();
  if (t === "" || /^(0|false|no|off)$/i.test(t)) return Object.freeze([]);
  if (/^(1|true|yes|on)$/i.test(t)) return Object.freeze(["loopback"]);
  const entries = t.split(",").map((s) => s.trim()).filter(Boolean);
  for (const e of entries) {
    try {
      proxyaddr.compile(e);
    } catch {
      throw new ConfigProblem(`entries must be IP addresses, CIDRs (10.0.0.0/8) or loopback/linklocal/uniquelocal, got "${e}"`);
    }
  }
  return Object.freeze(entries);
};
