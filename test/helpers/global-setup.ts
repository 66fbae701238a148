/**
 * Starts one real redis-server (through the same launcher `npm start` uses) on a free port for the whole
 * run; tests isolate themselves with unique key prefixes. REDIS_TEST_URL reuses an existing server.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedRedis } from "../../server/embedded-redis.ts";
import { buildClient } from "../../client/build.ts";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject) {
  // Browser tests load the real bundle: build it once per run (nodes serve client/dist when it exists).
  await buildClient();
  if (process.env.REDIS_TEST_URL) {
    project.provide("redisUrl", process.env.REDIS_TEST_URL);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "arena-test-redis-"));
  const redis = await startEmbeddedRedis({ port: 0, dataDir: dir, autoInstall: false, extraArgs: ["--appendonly", "no"] });
  project.provide("redisUrl", redis.url);
  return async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
