/**
 * Parts of the page the match test does not reach, in real Chromium against a real node: the operator
 * announcement banner (beside, never instead of, a notice) and the queue wait with the server's status.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import type { ClientDebug } from "../client/src/debug.ts";
import { startTestNode } from "./helpers/harness.ts";
import type { RunningNode } from "../server/node.ts";

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let browser: Browser;
let node: RunningNode | undefined;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => {})));
  await node?.stop();
  node = undefined;
});

afterAll(async () => {
  await browser?.close();
});

const arena = (page: Page) => page.evaluate(() => (window as unknown as { __arena: ClientDebug }).__arena);

async function lobbyPage(url: string, name: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 700 } });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.on("pageerror", (err) => console.error(`[page error] ${err.message}`));
  await page.goto(url);
  await page.getByLabel("Your name").fill(name);
  await page.getByRole("button", { name: "Play" }).click();
  await page.locator("body[data-screen=queue]").waitFor({ timeout: 10_000 });
  await page.waitForFunction(() => (window as unknown as { __arena: ClientDebug }).__arena.connection === "online", null, { timeout: 10_000 });
  return page;
}

describe("browser client", () => {
  it("shows an operator announcement in its own banner, inert, next to a notice; each is dismissed on its own", async () => {
    node = await startTestNode();
    const page = await lobbyPage(node.url, "Ann");
    const message = "<b>Maintenance</b> at 02:00 UTC";
    node.io.emit("announce", { message, at: Date.now() });
    await page.locator("#announcement").waitFor({ state: "visible", timeout: 5_000 });
    await expect(page.locator("#announcement-text").textContent()).resolves.toBe(message);
    expect(await page.locator("#announcement b").count()).toBe(0);

    node.io.emit("server:notice", { code: "INPUT_FLOOD", message: "Too many inputs" });
    await page.locator("#banner").waitFor({ state: "visible", timeout: 5_000 });
    await expect(page.locator("#banner-text").textContent()).resolves.toBe("Too many inputs");
    expect(await page.locator("#announcement").isVisible()).toBe(true);

    await page.getByRole("button", { name: "Dismiss announcement" }).click();
    await page.locator("#announcement").waitFor({ state: "hidden" });
    expect(await page.locator("#banner").isVisible()).toBe(true);
    await page.locator("#banner-close").click();
    await page.locator("#banner").waitFor({ state: "hidden" });
    expect((await arena(page)).notices.map((n) => n.code)).toEqual(["INPUT_FLOOD"]);
  });

  it("a lone player waits with the server's figures counting up; cancel returns to the form", async () => {
    node = await startTestNode({ MATCHMAKER_INTERVAL_MS: "50" });
    const page = await lobbyPage(node.url, "Solo");
    await page.getByLabel("Region").selectOption("oc");
    await page.getByRole("button", { name: "Find match" }).click();
    await page.locator("#queue-searching").waitFor({ state: "visible" });
    await expect(page.locator("#queue-state").textContent()).resolves.toMatch(/^(Joining the queue|Searching in Oceania)…$/);
    // queue:status arrives about once a second: the radius and the wait come from it.
    await page.waitForFunction(() => document.getElementById("q-radius")!.textContent !== "–", null, { timeout: 5_000 });
    await page.waitForFunction(() => parseInt(document.getElementById("q-elapsed")!.textContent!, 10) >= 1, null, { timeout: 5_000 });
    const waiting = await arena(page);
    expect(waiting.queue).toBe("searching");
    expect(waiting.queueStatus?.region).toBe("oc");
    expect(await page.locator("#queue-state").textContent()).toBe("Searching in Oceania…");

    await page.getByRole("button", { name: "Cancel" }).click();
    await page.locator("#queue-setup").waitFor({ state: "visible" });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("find-match");
    expect((await arena(page)).queue).toBe("idle");
    // The choice is kept for the next visit.
    expect(await page.evaluate(() => localStorage.getItem("arena.region"))).toBe("oc");
  });
});
