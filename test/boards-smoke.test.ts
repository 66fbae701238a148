import { expect, it } from "vitest";
import { startTestNode } from "./helpers/harness.ts";

it("a full node (every feature) starts and stops with the boards feature", async () => {
  const node = await startTestNode();
  expect(node.features.map((f) => f.name)).toContain("boards");
  const res = await fetch(`${node.url}/api/leaderboards/alltime`);
  expect(res.status).toBe(200);
  const t0 = Date.now();
  await node.stop();
  expect(Date.now() - t0).toBeLessThan(10_000);
});
