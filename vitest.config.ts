import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/helpers/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // One file at a time: several files run multi-process clusters and time failovers (kill -9, leases of
    // 1.5 s); on a 2-core CI machine running them side by side stalls event loops past those leases.
    // Sequential costs ~2.5 min instead of ~1.5 min and makes every timing in the suite meaningful.
    fileParallelism: false,
    reporters: ["default"],
  },
});
