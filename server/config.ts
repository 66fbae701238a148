/**
 * The only module that reads `process.env`. Every variable is declared in config-spec.ts (in sections, by
 * owner) with its default; `loadConfig` validates them all, reports every problem at once, and returns a
 * frozen object passed down as a dependency.
 */
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Spec } from "./config-parsers.ts";
import { CONFIG_SPEC, SECRET_VARIABLES } from "./config-spec.ts";

export { CONFIG_SPEC, CONFIG_SECTIONS, SECRET_VARIABLES } from "./config-spec.ts";
export type { RateRule } from "./config-parsers.ts";

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
      const message = (err as Error).message;
      // A parser quotes what it got; a bad secret must not end up in a log because it was bad.
      problems.push(`${name} ${SECRET_VARIABLES.has(name) ? message.split(raw).join("<hidden>") : message}`);
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
  if (typeof out.HTTP_HEADERS_TIMEOUT_MS === "number" && typeof out.HTTP_REQUEST_TIMEOUT_MS === "number" && out.HTTP_HEADERS_TIMEOUT_MS > out.HTTP_REQUEST_TIMEOUT_MS) {
    problems.push("HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS");
  }
  if (typeof out.METRICS_PORT === "number" && out.METRICS_PORT !== 0 && out.METRICS_PORT === out.PORT) problems.push("METRICS_PORT must differ from PORT");
  if (typeof out.MATCH_LEASE_MS === "number" && typeof out.CHECKPOINT_INTERVAL_MS === "number" && out.CHECKPOINT_INTERVAL_MS >= out.MATCH_LEASE_MS * 4) {
    problems.push("CHECKPOINT_INTERVAL_MS should be well under MATCH_LEASE_MS x 4");
  }
  if (typeof out.SHUTDOWN_DRAIN_MS === "number" && typeof out.SHUTDOWN_GRACE_MS === "number" && out.SHUTDOWN_DRAIN_MS >= out.SHUTDOWN_GRACE_MS) {
    problems.push("SHUTDOWN_DRAIN_MS must be below SHUTDOWN_GRACE_MS (the drain is part of the graceful shutdown)");
  }
  if (problems.length) throw new ConfigError(problems);
  out.NODE_ID ??= `${hostname().replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 40)}-${process.pid}-${randomBytes(3).toString("hex")}`;
  for (const value of Object.values(out)) if (Array.isArray(value)) Object.freeze(value);
  return Object.freeze(out) as Config;
}

/** The host name other machines (and operators) can reach a node by: the machine's name for a wildcard bind. */
export function advertisedHost(host: string): string {
  return host === "0.0.0.0" || host === "::" ? hostname() : host;
}
