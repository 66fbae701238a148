import { describe, expect, it } from "vitest";
import { startTestNode } from "./helpers/harness.ts";

describe("health endpoints", () => {
  it("reports alive and ready, then not ready once Redis is gone", async () => {
    const node = await startTestNode();
    try {
      const live = await node.app.inject({ method: "GET", url: "/healthz" });
      expect(live.statusCode).toBe(200);
      expect(live.json()).toMatchObject({ status: "ok", nodeId: node.core.nodeId });
      const ready = await node.app.inject({ method: "GET", url: "/readyz" });
      expect(ready.statusCode).toBe(200);
      expect(ready.json().checks.scripts).toMatch(/loaded/);
      node.core.redis.disconnect();
      const notReady = await node.app.inject({ method: "GET", url: "/readyz" });
      expect(notReady.statusCode).toBe(503);
      expect(notReady.json().checks.redis).toMatch(/unreachable/);
      expect((await node.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    } finally {
      await node.stop();
    }
  });

  it("serves the client page at / and coded 404s elsewhere", async () => {
    const node = await startTestNode();
    try {
      const page = await node.app.inject({ method: "GET", url: "/" });
      expect(page.statusCode).toBe(200);
      expect(page.headers["content-type"]).toMatch(/html/);
      const missing = await node.app.inject({ method: "GET", url: "/api/nothing" });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error.code).toBe("NOT_FOUND");
      const metrics = await node.app.inject({ method: "GET", url: "/metrics" });
      expect(metrics.body).toContain("arena_sockets_connected");
    } finally {
      await node.stop();
    }
  });
});
