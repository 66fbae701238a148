/**
 * The ops dashboard in real Chromium (Debian's /usr/bin/chromium through playwright-core) against a real
 * node: sign in, see the overview, a waiting ticket on the map (with a hostile name rendered as text), a
 * live match, open it, kick a player, post an announcement that appears in a player's page.
 * Screenshots go to test-artifacts/ (looked at when changing the dashboard).
 */
import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { connectClient, login, nextEvent, redisClient, request, startTestNode, testRedis, waitFor, type ClientSocket } from "./helpers/harness.ts";
import type { RunningNode } from "../server/node.ts";
import type { MatchFound, Notice } from "../shared/protocol.ts";

const ARTIFACTS = new URL("../test-artifacts/", import.meta.url);
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const TOKEN = "night-shift-token-0123456789";
const HOSTILE = `<img src=x onerror="window.__pwned=1">`;
const shot = (name: string) => new URL(name, ARTIFACTS).pathname;

let browser: Browser;
let node: RunningNode;
const sockets: ClientSocket[] = [];
const redis = redisClient();
const errors: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  node = await startTestNode({
    ADMIN_TOKENS: `night-shift:${TOKEN}`,
    MATCHMAKER_INTERVAL_MS: "50",
    MATCH_FILL_WAIT_MS: "0",
    MATCH_COUNTDOWN_MS: "300",
    MATCH_DURATION_MS: "120000",
    RADIUS_STEPS_MS: "0,500,1500,60000",
    RATE_LIMITS: "queue_join=100/1s,login=1000/1s,admin_login=10000/60s",
  });
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await browser?.close();
  await node?.stop();
  redis.disconnect();
});

async function player(name: string) {
  const s = await login(node, name);
  const sock = await connectClient(node, s.token);
  sockets.push(sock);
  return { ...s, sock };
}

async function adminPage(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await ctx.newPage();
  page.on("pageerror", (err) => errors.push(err.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  return page;
}

/** A ticket whose name no login would accept, written straight into its queue: the page must show it as text. */
async function hostileTicket(): Promise<void> {
  const k = node.core.keys.matchmaking;
  const id = "hostile00001";
  const now = Date.now();
  await redis.hset(k.ticket("oc", id), { status: "queued", playerId: "hostile-player", name: HOSTILE, rating: "1000", joinedAt: String(now), home: "oc", lat: "-33.9", lon: "151.2", epoch: "1", node: node.core.nodeId });
  await redis.pexpire(k.ticket("oc", id), 60_000);
  await redis.geoadd(k.geo("oc"), 151.2, -33.9, id);
  await redis.zadd(k.byTime("oc"), now, id);
}

describe("ops dashboard in Chromium", () => {
  it("signs in, shows the overview, the map with waiting tickets, a live match; kicks; announces", async () => {
    // Two players matched in Europe, one waiting alone in East Asia, one hostile ticket in Oceania.
    const alice = await player("Alice");
    const bob = await player("Bob");
    const found = nextEvent<MatchFound>(alice.sock, "match:found", 10_000);
    await request(alice.sock, "queue:join", { region: "eu-west" });
    await request(bob.sock, "queue:join", { region: "eu-west" });
    const { matchId } = await found;
    const yuki = await player("Yuki");
    expect((await request(yuki.sock, "queue:join", { lat: 35.68, lon: 139.69 })).ok).toBe(true);
    await hostileTicket();

    const page = await adminPage();
    await page.goto(`${node.url}/admin`);
    await page.locator("#token").fill("wrong-token-0123456789");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator(".signin .error", { hasText: "Wrong admin token" }).waitFor({ timeout: 10_000 });
    errors.length = 0; // the refused sign-in's 403 is logged by the browser
    await page.locator("#token").fill(TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("#who").waitFor();
    expect(await page.locator("#who").textContent()).toBe("night-shift");
    expect(await page.evaluate(() => sessionStorage.getItem("arena.admin.token"))).toBe(TOKEN);
    expect(page.url()).not.toContain(TOKEN);

    // Overview: live status, this node listed, totals filled in, Redis row.
    await page.locator("#live-status.live").waitFor({ timeout: 10_000 });
    await page.locator(`#nodes tr[data-node="${node.core.nodeId}"]`).waitFor();
    await waitFor(async () => (await page.locator('[data-stat="Online"] .value').textContent()) === "3", 10_000, 200);
    // One row per server that holds data: one Redis, or each master of a cluster.
    expect(await page.locator("#redis tbody tr").count()).toBe(testRedis().engine === "cluster" ? 3 : 1);
    await page.locator("#chart-ccu canvas").first().waitFor();
    await page.screenshot({ path: shot("admin-overview.png"), fullPage: true });

    // Matchmaking: the waiting tickets, names as text, on the map.
    await page.getByRole("link", { name: "Matchmaking" }).click();
    await page.locator("#tickets td.player-name", { hasText: "Yuki" }).waitFor({ timeout: 10_000 });
    await page.locator("#tickets td.player-name", { hasText: HOSTILE }).waitFor();
    expect(await page.locator("#tickets img").count()).toBe(0);
    expect(await page.locator('#queues tr[data-queue="as-east"] td').nth(1).textContent()).toBe("1");
    // Hovering Yuki's dot shows the ticket (the map draws it where Tokyo is).
    const box = (await page.locator("#world-map").boundingBox())!;
    const spot = await page.evaluate(async () => (document.querySelector("#world-map") as HTMLCanvasElement).width, null);
    expect(spot).toBeGreaterThan(0);
    await hoverTicket(page, box, "Yuki");
    await page.screenshot({ path: shot("admin-matchmaking.png"), fullPage: true });

    // Matches: the live match, opened; the live view draws snapshots from the host.
    await page.getByRole("link", { name: "Matches" }).click();
    await page.locator(`#matches tr[data-match="${matchId}"]`).click();
    await page.locator("#roster td", { hasText: "Alice" }).waitFor();
    await page.waitForFunction(() => /live from the host/.test(document.querySelector("#match-tick")?.textContent ?? ""), null, { timeout: 10_000 });
    await page.screenshot({ path: shot("admin-match.png"), fullPage: true });

    // Kick Bob from the match view (two clicks: arm, confirm); his socket hears KICKED and closes.
    const kicked = nextEvent<Notice>(bob.sock, "server:notice", 10_000);
    const bobRow = page.locator("#roster tr", { hasText: "Bob" });
    await bobRow.getByRole("button", { name: "Kick" }).click();
    await bobRow.getByRole("button", { name: "Confirm kick" }).click();
    expect((await kicked).code).toBe("KICKED");
    await waitFor(() => !bob.sock.connected, 5000);
    await page.locator(".toast", { hasText: "Kicked Bob" }).waitFor();

    // Announce: a player's game page shows the banner.
    const gamePage = await (await browser.newContext({ viewport: { width: 1100, height: 700 } })).newPage();
    await gamePage.goto(node.url);
    await gamePage.getByLabel("Your name").fill("Watcher");
    await gamePage.getByRole("button", { name: "Play" }).click();
    await gamePage.locator("body[data-screen=queue]").waitFor({ timeout: 10_000 });
    await gamePage.waitForFunction(() => (window as unknown as { __arena: { connection: string } }).__arena.connection === "online", null, { timeout: 10_000 });
    await page.getByRole("link", { name: "Announcements" }).click();
    await page.locator("#announce-text").fill("Maintenance at 04:00 UTC: matches end early. <b>thanks</b>");
    await page.locator("#announce-send").click();
    await gamePage.locator("#announcement-text", { hasText: "Maintenance at 04:00 UTC" }).waitFor({ timeout: 10_000 });
    expect(await gamePage.locator("#announcement-text").textContent()).toContain("<b>thanks</b>");
    await page.locator("#current-announcement").waitFor();
    await page.screenshot({ path: shot("admin-announce.png"), fullPage: true });
    await gamePage.screenshot({ path: shot("admin-announce-player.png") });

    // Audit: both actions, by the token's label.
    await page.getByRole("link", { name: "Audit log" }).click();
    await page.locator('#audit tr[data-action="announce.post"]').waitFor({ timeout: 10_000 });
    await page.locator('#audit tr[data-action="player.kick"]').waitFor();
    expect(await page.locator('#audit tr[data-action="player.kick"] td').nth(1).textContent()).toBe("night-shift");
    await page.screenshot({ path: shot("admin-audit.png"), fullPage: true });

    // Players: search by prefix, open the profile, ban for an hour; the abuse view lists the ban.
    await page.getByRole("link", { name: "Players" }).click();
    await page.locator("#player-search").fill("yu");
    await page.locator("#player-results td.player-name", { hasText: "Yuki" }).click();
    await expect(page.locator("#profile-name").textContent()).resolves.toBe("Yuki");
    await page.locator("#action-reason").fill("griefing in lobby");
    await page.getByRole("button", { name: "Ban", exact: true }).click();
    await page.getByRole("button", { name: "Confirm ban" }).click();
    await page.locator(".toast", { hasText: "Banned" }).waitFor();
    await page.locator(".player-profile dd", { hasText: "griefing in lobby" }).waitFor();
    await page.screenshot({ path: shot("admin-player.png"), fullPage: true });
    await page.getByRole("link", { name: "Abuse" }).click();
    await page.locator("#bans td", { hasText: "griefing in lobby" }).waitFor({ timeout: 10_000 });
    // The refused sign-in at the start is in the refusals feed, against this address.
    await page.locator('#refusals tr[data-reason="bad_admin_token"]').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: shot("admin-abuse.png"), fullPage: true });
    await page.getByRole("link", { name: "Leaderboards" }).click();
    await page.locator("#reset-confirm").waitFor();
    await page.screenshot({ path: shot("admin-leaderboards.png"), fullPage: true });

    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(errors, errors.join("\n")).toEqual([]);
  }, 90_000);
});

/** Moves the mouse over the map until the tooltip names the player (the page owns the projection). */
async function hoverTicket(page: Page, box: { x: number; y: number; width: number; height: number }, name: string): Promise<void> {
  // Natural Earth: Tokyo sits about 89% across and 30% down the sphere's bounding box; search around it.
  for (let dx = -30; dx <= 30; dx += 3) {
    for (let dy = -30; dy <= 30; dy += 3) {
      await page.mouse.move(box.x + box.width * 0.888 + dx, box.y + box.height * 0.3 + dy);
      if (await page.locator(".map-wrap .tooltip", { hasText: name }).count()) return;
    }
  }
  throw new Error(`no tooltip for ${name} on the map`);
}
