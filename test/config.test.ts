import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { CONFIG_SPEC, ConfigError, loadConfig } from "../server/config.ts";

describe("config", () => {
  it("applies defaults and freezes the result", () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.SESSION_TTL_SECONDS).toBe(86400);
    expect(c.RADIUS_STEPS_KM).toEqual([100, 500, 2000, 20040]);
    expect(c.NODE_ID).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.RADIUS_STEPS_KM)).toBe(true);
  });

  it("lists every problem at once", () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: "70000", REDIS_URL: "http://x", LOG_LEVEL: "loud", SESSION_TTL_SECONDS: "abc", RADIUS_STEPS_MS: "0,5000" });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems.join("\n")).toMatch(/PORT must be between 0 and 65535/);
    expect(problems.join("\n")).toMatch(/REDIS_URL must use redis:\/\//);
    expect(problems.join("\n")).toMatch(/LOG_LEVEL must be one of/);
    expect(problems.join("\n")).toMatch(/SESSION_TTL_SECONDS must be an integer/);
    expect(problems.join("\n")).toMatch(/same number of entries/);
  });

  it("accepts valid overrides", () => {
    const c = loadConfig({ PORT: "0", REDIS_URL: "redis://127.0.0.1:6379/2", NODE_ID: "node-a", TRUST_PROXY: "yes" });
    expect(c.PORT).toBe(0);
    expect(c.NODE_ID).toBe("node-a");
    expect(c.TRUST_PROXY).toEqual(["loopback"]);
  });

  it("TRUST_PROXY takes a list of proxy addresses and CIDRs; true means loopback only; a bad entry stops start-up", () => {
    expect(loadConfig({ TRUST_PROXY: "10.0.0.5, 10.1.0.0/16,::1" }).TRUST_PROXY).toEqual(["10.0.0.5", "10.1.0.0/16", "::1"]);
    expect(loadConfig({ TRUST_PROXY: "true" }).TRUST_PROXY).toEqual(["loopback"]);
    expect(loadConfig({ TRUST_PROXY: "false" }).TRUST_PROXY).toEqual([]);
    expect(loadConfig({}).TRUST_PROXY).toEqual([]);
    expect(() => loadConfig({ TRUST_PROXY: "10.0.0.5,my-balancer" })).toThrow(/TRUST_PROXY entries must be IP addresses, CIDRs .* got "my-balancer"/);
  });

  it("never echoes a secret in a config error", () => {
    let caught: ConfigError | undefined;
    try {
      loadConfig({ REDIS_URL: "redis//:hunter2-secret@db:6379", ADMIN_TOKEN: "short-hunter3", METRICS_TOKEN: "hunter4", REDLOCK_URLS: "redis://:hunter5@a:1,nope:hunter6@b" });
    } catch (err) {
      caught = err as ConfigError;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(caught!.problems).toHaveLength(4);
    expect(caught!.message).not.toMatch(/hunter/);
  });

  it("is documented variable by variable in the README", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    for (const name of Object.keys(CONFIG_SPEC)) expect(readme, `README lacks ${name}`).toContain(`\`${name}\``);
  });
});
