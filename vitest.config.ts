/**
 * Test projects (see docs/testing.md):
 * - `unit`: files that touch no shared Redis (pure logic, and launchers that start their own), once, in parallel;
 * - per Redis engine (`single`, and `cluster` when TEST_ENGINES has it): every file that uses the shared
 *   test Redis (imports a harness helper), in parallel;
 * - `<engine>-serial`: the timing-sensitive files (several node processes, kill -9/SIGSTOP, host leases of
 *   ~1.5 s, a browser), one at a time, each engine after the parallel batch: on 2 shared cores, running
 *   them beside other files stalls event loops past those leases.
 * TEST_ENGINES picks the engines (default: single,cluster; e.g. TEST_ENGINES=single for a quicker local run).
 * TEST_WORKERS sets the parallel batch's worker count (default 2; vitest's own default is cores - 1).
 */
import { readdirSync, readFileSync } from "node:fs";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

/**
 * Run alone, per engine: timing-sensitive files (node processes, kill -9 / SIGSTOP, leases, a browser,
 * three matchmakers racing with bounded waits) and shared state (SCRIPT FLUSH).
 */
const SERIAL = [
  "failover", "nodes", "nodes-cluster", "match", "match-lease", "browser-match", "browser-client", "scripts", "matchmaking-claims",
  "admin-fault", "test-cluster", "listen-backlog",
];
/**
 * Alone, once (on the first engine): files that start their own Redis and kill it, run a load balancer in
 * front of node processes (deploy-lb, over the first engine's Redis), or a TCP proxy in front of one
 * redis-server (result-crash).
 */
const SERIAL_ONCE = ["sockets-outage", "redis-faults", "deploy-lb", "result-crash", "cluster-failover"];
/** Once, in parallel, on the first engine: checks of the image and packaging that need one Redis URL. */
const ONCE = ["deploy-image"];
/**
 * Files that use the harness helpers but start their own Redis (`npm start`, a private Redis Cluster whose
 * failover needs no tight timing): once, in parallel.
 */
const OWN_REDIS = ["main", "embedded-cluster", "deploy-redis"];

const dir = new URL("./test/", import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith(".test.ts"));
const name = (f: string) => f.replace(/\.test\.ts$/, "");
const usesSharedRedis = (f: string) => /from "\.\/(helpers\/(harness|test-cluster|match-client)|boards-helpers)\.ts"/.test(readFileSync(new URL(f, dir), "utf8"));
const path = (f: string) => `test/${f}`;

const serial = files.filter((f) => SERIAL.includes(name(f)));
const serialOnce = files.filter((f) => SERIAL_ONCE.includes(name(f)));
const once = files.filter((f) => ONCE.includes(name(f)));
const engineFiles = files.filter((f) => usesSharedRedis(f) && !OWN_REDIS.includes(name(f)) && !serial.includes(f) && !serialOnce.includes(f) && !once.includes(f));
const unitFiles = files.filter((f) => !engineFiles.includes(f) && !serial.includes(f) && !serialOnce.includes(f) && !once.includes(f));

const engines = (process.env.TEST_ENGINES ?? "single,cluster").split(",").map((e) => e.trim()).filter(Boolean);
for (const e of engines) if (e !== "single" && e !== "cluster") throw new Error(`TEST_ENGINES: unknown engine "${e}" (single, cluster)`);
const workers = Number(process.env.TEST_WORKERS ?? 2);

const globalSetup = ["test/helpers/global-setup.ts"];
const projects: TestProjectInlineConfiguration[] = [
  { extends: true, test: { name: "unit", include: unitFiles.map(path), globalSetup, maxWorkers: workers, sequence: { groupOrder: 0 } } },
];
engines.forEach((engine, i) => {
  const setupFiles = engine === "cluster" ? ["test/helpers/crossslot-guard.ts"] : [];
  projects.push(
    { extends: true, test: { name: engine, include: [...engineFiles, ...(i === 0 ? once : [])].map(path), globalSetup, setupFiles, maxWorkers: workers, sequence: { groupOrder: 0 } } },
    {
      extends: true,
      test: {
        name: `${engine}-serial`,
        include: [...serial, ...(i === 0 ? serialOnce : [])].map(path),
        globalSetup,
        setupFiles,
        maxWorkers: 1,
        sequence: { groupOrder: i + 1 },
      },
    },
  );
});

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    reporters: ["default"],
    projects,
  },
});
