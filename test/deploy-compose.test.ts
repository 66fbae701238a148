/**
 * docker-compose.yml and deploy/compose.cluster.yml as Docker Compose resolves them (`docker-compose
 * config`, Debian's docker-compose 1.29; there is no Docker engine here), checked against the rest of the
 * deployment: Redis unpublished and password-protected, only the load balancer public, nodes configured
 * for their Redis, the proxy they trust and the ports HAProxy and Prometheus use, graceful stop timings.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { requireTool, run, yamlToData } from "./helpers/tools.ts";
import { CONFIG_SPEC, ConfigError, loadConfig } from "../server/config.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const PASSWORD = "compose-test-password-4f9a";
/**
 * Settings compose gives the nodes that the lead is adding to server/config.ts (decided names, see the
 * brief): tolerated while server/config.ts does not know or accept them yet; every other variable must
 * load as a valid node config.
 */
const PENDING_SERVER_CONFIG = ["REDIS_CLUSTER_NODES", "REDIS_PASSWORD", "METRICS_PORT", "ADMIN_TOKENS", "TRUST_PROXY"];

/** Loads a node's compose environment with the node's own config loader; returns the problems not pending. */
function nodeConfigProblems(env: Record<string, string>): string[] {
  const unknown = Object.keys(env).filter((k) => !(k in CONFIG_SPEC) && !PENDING_SERVER_CONFIG.includes(k));
  try {
    loadConfig(env);
    return unknown.map((k) => `${k} is not a node setting`);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return [...unknown.map((k) => `${k} is not a node setting`), ...err.problems.filter((p) => !PENDING_SERVER_CONFIG.some((k) => p.startsWith(`${k} `)))];
  }
}

interface Service {
  image?: string;
  profiles?: string[];
  command?: string[];
  environment?: Record<string, string>;
  ports?: Port[];
  volumes?: string[];
  networks?: Record<string, { ipv4_address?: string } | null>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  stop_grace_period?: string;
  stop_signal?: string;
}
interface Project {
  services: Record<string, Service>;
  networks: Record<string, { ipam?: { config?: { subnet: string }[] } }>;
}

let emptyEnvFile: string;

/** `docker-compose config` of the given files and profiles, with a controlled environment. */
function config(files: string[], profiles: string[], env: Record<string, string> = {}): Project {
  const args = ["--project-directory", ROOT, "--env-file", emptyEnvFile, ...files.flatMap((f) => ["-f", join(ROOT, f)]), ...profiles.flatMap((p) => ["--profile", p]), "config"];
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(REDIS_|ADMIN_|GRAFANA_|ARENA_|COMPOSE_)/.test(k))) as Record<string, string>;
  const r = run("docker-compose", args, { cwd: ROOT, env: { ...clean, ...env } });
  expect(r.status, r.output).toBe(0);
  const all = yamlToData<Project>(r.stdout);
  // docker-compose 1.29 validates every service but leaves profile filtering to `up`; apply Compose's
  // rule: a service without profiles is always on, one with profiles only when one of them is active.
  const services = Object.fromEntries(Object.entries(all.services).filter(([, s]) => !s.profiles?.length || s.profiles.some((x) => profiles.includes(x))));
  // Compose (v2) refuses a project whose enabled services depend on a disabled one.
  for (const [name, s] of Object.entries(services)) for (const dep of Object.keys(s.depends_on ?? {})) expect(services[dep], `${name} depends on ${dep}, not enabled`).toBeDefined();
  return { ...all, services };
}

const seconds = (d: string) => {
  const m = /^(\d+)(ms|s|m)$/.exec(d);
  if (!m) throw new Error(`duration ${d}`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60 }[m[2] as "ms" | "s" | "m"];
};
const inSubnet = (ip: string, cidr: string) => {
  const [base, bits] = cidr.split("/");
  const n = (a: string) => a.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  const mask = 2 ** 32 - 2 ** (32 - Number(bits));
  return (n(ip) & mask) >>> 0 === (n(base!) & mask) >>> 0;
};
type Port = string | { published?: number | string; target: number; host_ip?: string };
/** Published ports as host IP ("" = every interface) and container port, from short or long syntax. */
const published = (s: Service) =>
  (s.ports ?? []).map((p: Port) => {
    if (typeof p !== "string") return { hostIp: p.host_ip ?? "", target: String(p.target) };
    const parts = p.replace(/\/tcp$/, "").split(":");
    return { hostIp: parts.length === 3 ? parts[0]! : "", target: parts.at(-1)! };
  });

beforeAll(() => {
  console.log(`[deploy-compose] ${requireTool("docker-compose", ["version", "--short"], "docker-compose")}`);
  emptyEnvFile = join(mkdtempSync(join(tmpdir(), "arena-compose-")), "empty.env");
  writeFileSync(emptyEnvFile, "");
});
afterAll(() => rmSync(dirname(emptyEnvFile), { recursive: true, force: true }));

describe("docker-compose.yml (default stack)", () => {
  it("runs HAProxy, three nodes and Redis; Redis is not published and requires the password from REDIS_PASSWORD", () => {
    const p = config(["docker-compose.yml"], [], { REDIS_PASSWORD: PASSWORD });
    expect(Object.keys(p.services).sort()).toEqual(["lb", "node", "redis"]);
    const redis = p.services.redis!;
    expect(redis.ports ?? []).toEqual([]);
    expect(redis.image).toMatch(/^redis:7\./);
    expect(redis.command).toEqual(["redis-server", "/usr/local/etc/redis/redis.conf", "--requirepass", PASSWORD]);
    expect(redis.volumes).toContain(`${ROOT}deploy/redis/redis.conf:/usr/local/etc/redis/redis.conf:ro`);
    expect(redis.volumes!.some((v) => v.startsWith("redis-data:/data"))).toBe(true);
    expect(redis.healthcheck!.test).toEqual(["CMD", "redis-cli", "ping"]);
    expect(redis.environment!.REDISCLI_AUTH).toBe(PASSWORD);
    // The file it mounts keeps the AOF (the real redis-server reads it in test/deploy-redis.test.ts).
    expect(readFileSync(join(ROOT, "deploy/redis/redis.conf"), "utf8")).toMatch(/^appendonly yes$[\s\S]*^appendfsync everysec$/m);
  });

  it("has a clearly marked default password when none is set, and .env.example says to change it", () => {
    const p = config(["docker-compose.yml"], []);
    const pw = p.services.redis!.command!.at(-1)!;
    expect(pw).toMatch(/change-me/);
    expect(p.services.node!.environment!.REDIS_URL).toBe(`redis://:${pw}@redis:6379`);
    expect(readFileSync(join(ROOT, ".env.example"), "utf8")).toMatch(/^REDIS_PASSWORD=change-me/m);
    expect(readFileSync(join(ROOT, ".gitignore"), "utf8")).toMatch(/^\.env$/m);
  });

  it("publishes only the load balancer; stats, Prometheus and Grafana on 127.0.0.1", () => {
    const p = config(["docker-compose.yml"], ["monitoring"]);
    const open = Object.entries(p.services).flatMap(([name, s]) => published(s).filter((x) => x.hostIp !== "127.0.0.1").map((x) => `${name}:${x.target}`));
    expect(open).toEqual(["lb:8080"]);
    expect(Object.keys(p.services).sort()).toEqual(["grafana", "lb", "node", "prometheus", "redis", "redis-exporter"]);
    const cfg = readFileSync(join(ROOT, "deploy/haproxy/haproxy.cfg"), "utf8");
    expect(cfg).toContain('bind "${ARENA_LB_BIND-:8080}"');
    expect(cfg).toContain('bind "${ARENA_LB_STATS_BIND-:8404}"');
    expect(published(p.services.lb!).map((x) => x.target).sort()).toEqual(["8080", "8404"]);
  });

  it("configures nodes for their Redis, metrics port, trusted proxy and the HAProxy backend", () => {
    const p = config(["docker-compose.yml"], [], { REDIS_PASSWORD: PASSWORD, ADMIN_TOKENS: "ops:0123456789abcdef0123" });
    const node = p.services.node!;
    const env = node.environment!;
    expect(node.deploy?.replicas).toBe(3);
    expect(node.ports ?? []).toEqual([]);
    expect(env.REDIS_URL).toBe(`redis://:${PASSWORD}@redis:6379`);
    expect(env.ADMIN_TOKENS).toBe("ops:0123456789abcdef0123");
    expect(node.depends_on?.redis?.condition).toBe("service_healthy");
    expect(nodeConfigProblems(env)).toEqual([]);
    // TRUST_PROXY is exactly HAProxy's fixed address, inside the network's fixed subnet.
    const lbIp = p.services.lb!.networks!.arena!.ipv4_address!;
    const subnet = p.networks.arena!.ipam!.config![0]!.subnet;
    expect(env.TRUST_PROXY).toBe(lbIp);
    expect(inSubnet(lbIp, subnet)).toBe(true);
    // HAProxy resolves the `node` service on the node's PORT; Prometheus scrapes its METRICS_PORT.
    expect(readFileSync(join(ROOT, "deploy/haproxy/haproxy.cfg"), "utf8")).toContain(`"\${ARENA_LB_NODES-node:${env.PORT}}"`);
    const prom = yamlToData<{ scrape_configs: { job_name: string; dns_sd_configs?: { names: string[]; port: number }[] }[] }>(readFileSync(join(ROOT, "deploy/prometheus/prometheus.yml"), "utf8"));
    const sd = prom.scrape_configs.find((j) => j.job_name === "arena-nodes")!.dns_sd_configs![0]!;
    expect(sd).toMatchObject({ names: ["node"], port: Number(env.METRICS_PORT) });
  });

  it("stops gracefully: SHUTDOWN_GRACE_MS below the node's stop_grace_period, HAProxy's hard-stop-after below its own", () => {
    const p = config(["docker-compose.yml"], []);
    const node = p.services.node!;
    expect(node.stop_signal ?? "SIGTERM").toBe("SIGTERM");
    expect(Number(node.environment!.SHUTDOWN_GRACE_MS) / 1000).toBeLessThan(seconds(node.stop_grace_period!));
    const hardStop = /hard-stop-after "\$\{ARENA_LB_HARD_STOP_AFTER-(\w+)\}"/.exec(readFileSync(join(ROOT, "deploy/haproxy/haproxy.cfg"), "utf8"))![1]!;
    expect(seconds(hardStop)).toBeLessThan(seconds(p.services.lb!.stop_grace_period!));
    expect(p.services.lb!.stop_signal).toBe("SIGUSR1");
  });
});

describe("deploy/compose.cluster.yml (Redis Cluster)", () => {
  it("adds six cluster nodes and the init job, and switches every game node to cluster mode", () => {
    const p = config(["docker-compose.yml", "deploy/compose.cluster.yml"], ["monitoring"], { REDIS_PASSWORD: PASSWORD });
    const cluster = Object.keys(p.services).filter((n) => /^redis-c\d$/.test(n)).sort();
    expect(cluster).toEqual(["redis-c1", "redis-c2", "redis-c3", "redis-c4", "redis-c5", "redis-c6"]);
    const subnet = p.networks.arena!.ipam!.config![0]!.subnet;
    const ips = new Set<string>();
    for (const name of cluster) {
      const s = p.services[name]!;
      expect(s.ports ?? []).toEqual([]);
      expect(s.command).toEqual(["redis-server", "/usr/local/etc/redis/cluster.conf", "--requirepass", PASSWORD, "--masterauth", PASSWORD]);
      expect(s.volumes!.some((v) => v.startsWith(`${name}:/data`))).toBe(true);
      const ip = s.networks!.arena!.ipv4_address!;
      expect(inSubnet(ip, subnet)).toBe(true);
      ips.add(ip);
    }
    ips.add(p.services.lb!.networks!.arena!.ipv4_address!);
    expect(ips.size).toBe(7);

    const env = p.services.node!.environment!;
    expect(env.REDIS_URL).toBe("");
    expect(env.REDIS_PASSWORD).toBe(PASSWORD);
    expect(env.REDIS_CLUSTER_NODES!.split(",")).toEqual(cluster.map((n) => `${n}:6379`));
    expect(p.services.node!.depends_on!["redis-cluster-init"]!.condition).toBe("service_completed_successfully");
    expect(nodeConfigProblems(env)).toEqual([]);

    const init = p.services["redis-cluster-init"]!;
    expect(init.environment).toMatchObject({ REDIS_CLUSTER_NODES: env.REDIS_CLUSTER_NODES, REDIS_PASSWORD: PASSWORD });
    for (const name of cluster) expect(init.depends_on![name]!.condition).toBe("service_healthy");
    // Prometheus scrapes every cluster node through redis_exporter.
    expect(p.services.prometheus!.volumes).toContain(`${ROOT}deploy/prometheus/targets/redis-cluster.yml:/etc/prometheus/targets/redis.yml:ro`);
    const targets = yamlToData<{ targets: string[] }[]>(readFileSync(join(ROOT, "deploy/prometheus/targets/redis-cluster.yml"), "utf8"));
    expect(targets[0]!.targets).toEqual(cluster.map((n) => `redis://${n}:6379`));
  });
});
