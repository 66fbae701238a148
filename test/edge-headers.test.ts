/**
 * Security headers on every answer (page, API, error, 404), no-store on the API (the login answer carries
 * the token), no client source map unless asked for, and the real client still working under the CSP in
 * real Chromium (no violation reported, the socket connects).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { startTestNode } from "./helpers/harness.ts";
import type { RunningNode } from "../server/node.ts";
import { buildClient } from "../client/build.ts";

let node: RunningNode;
beforeAll(async () => {
  node = await startTestNode();
});
afterAll(async () => {
  await node.stop();
});

function expectSecurityHeaders(res: Response, what: string): void {
  const csp = res.headers.get("content-security-policy") ?? "";
  expect(csp, what).toContain("default-src 'self'");
  expect(csp, what).toContain("script-src 'self'");
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(csp, what).toContain("object-src 'none'");
  expect(csp, what).not.toContain("upgrade-insecure-requests");
  expect(res.headers.get("x-frame-options"), what).toBe("DENY");
  expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
  expect(res.headers.get("referrer-policy"), what).toBe("no-referrer");
  expect(res.headers.get("cross-origin-opener-policy"), what).toBe("same-origin");
}

describe("security headers", () => {
  it("are on pages, API answers, errors and 404s", async () => {
    const page = await fetch(`${node.url}/`);
    expect(page.status).toBe(200);
    expectSecurityHeaders(page, "GET /");
    expectSecurityHeaders(await fetch(`${node.url}/healthz`), "GET /healthz");
    expectSecurityHeaders(await fetch(`${node.url}/api/me`), "401 /api/me");
    expectSecurityHeaders(await fetch(`${node.url}/no/such/page`), "404");
    const bad = await fetch(`${node.url}/api/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    expect(bad.status).toBe(400);
    expectSecurityHeaders(bad, "400");
  });

  it("API answers are never stored: the login answer (it carries the token), whoami, errors", async () => {
    const res = await fetch(`${node.url}/api/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ deviceId: "headers-device-1", name: "Hdr" }) });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const { token } = (await res.json()) as { token: string };
    expect((await fetch(`${node.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).headers.get("cache-control")).toBe("no-store");
    expect((await fetch(`${node.url}/api/me`)).headers.get("cache-control")).toBe("no-store");
  });
});

describe("client source maps", () => {
  it("are not built unless asked for (a stale one is removed), and the node serves none", async () => {
    const dir = mkdtempSync(join(tmpdir(), "arena-build-"));
    try {
      await buildClient(dir, { sourcemap: true });
      expect(readdirSync(dir).filter((f) => f.endsWith(".map"))).not.toEqual([]);
      expect(readFileSync(join(dir, "main.js"), "utf8")).toContain("sourceMappingURL");
      await buildClient(dir);
      expect(readdirSync(dir).filter((f) => f.endsWith(".map"))).toEqual([]);
      expect(readFileSync(join(dir, "main.js"), "utf8")).not.toContain("sourceMappingURL");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The test run's own build (global setup) is a default one.
    expect(existsSync(new URL("../client/dist/main.js.map", import.meta.url))).toBe(false);
    expect((await fetch(`${node.url}/main.js.map`)).status).toBe(404);
  });
});

describe("the client under the policy", () => {
  let browser: Browser;
  afterAll(async () => browser?.close());

  it("loads, logs in and connects its socket in real Chromium with no CSP violation", async () => {
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(node.url);
    await page.fill("#name-input", "Csp");
    await page.click("#name-submit");
    // Logged in and connected: the status line names the connection, the queue screen shows.
    await page.waitForSelector("#screen-queue:not([hidden])", { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelector("#conn-status")?.textContent === "Online", undefined, { timeout: 10_000 });
    expect(await node.io.fetchSockets()).toHaveLength(1);
    expect(violations).toEqual([]);
  });
});
