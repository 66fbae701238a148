/**
 * The browser client: name entry -> queue -> match -> results, over one socket that survives drops.
 * Plain DOM (no framework); every piece of server data reaches the page through textContent or canvas
 * fillText only.
 */
import { REGIONS, type RegionId } from "../../shared/regions.ts";
import { normalizeName } from "../../shared/name-rules.ts";
import type { Ack, BoardsTop, LeaderboardEntry, LeaderboardPage, MatchFound, Notice, QueueJoined, QueueStatus } from "../../shared/protocol.ts";
import type { QueueJoinRequest } from "../../shared/schemas.ts";
import type { MatchEnd, MatchStart } from "../../shared/game/types.ts";
import { ApiError, Session } from "./session.ts";
import { Connection, type ConnectionStatus } from "./connection.ts";
import { MatchView } from "./match-view.ts";
import type { ClientDebug, QueueState } from "./debug.ts";
import { byId, clear, el, showScreen } from "./dom.ts";
import { geoPermission, guessRegion, isRegionId, locate } from "./location.ts";

const debug: ClientDebug = { screen: "boot", connection: "stopped", queue: "idle", queueStatus: null, notices: [], match: null, lastEnd: null };
(window as unknown as { __arena: ClientDebug }).__arena = debug;

const session = new Session();
let conn: Connection | null = null;
let view: MatchView | null = null;
let queue: QueueState = "idle";
/** The end screen is subscribed to the all-time top 10. */
let boardsSubscribed = false;
let geo: { lat: number; lon: number } | null = null;
let queuedAt = 0;
let elapsedTimer: ReturnType<typeof setInterval> | null = null;
let bannerTimer: ReturnType<typeof setTimeout> | null = null;

const $ = {
  who: byId("who"),
  conn: byId("conn-status"),
  logout: byId<HTMLButtonElement>("logout"),
  banner: byId("banner"),
  bannerText: byId("banner-text"),
  bannerAction: byId<HTMLButtonElement>("banner-action"),
  bannerClose: byId<HTMLButtonElement>("banner-close"),
  nameForm: byId<HTMLFormElement>("name-form"),
  nameInput: byId<HTMLInputElement>("name-input"),
  nameSubmit: byId<HTMLButtonElement>("name-submit"),
  nameError: byId("name-error"),
  bootNote: byId("boot-note"),
  useLocation: byId<HTMLInputElement>("use-location"),
  locationStatus: byId("location-status"),
  region: byId<HTMLSelectElement>("region-select"),
  findMatch: byId<HTMLButtonElement>("find-match"),
  queueError: byId("queue-error"),
  queueSetup: byId("queue-setup"),
  queueSearching: byId("queue-searching"),
  queueState: byId("queue-state"),
  qElapsed: byId("q-elapsed"),
  qEstimate: byId("q-estimate"),
  qRadius: byId("q-radius"),
  qInRange: byId("q-in-range"),
  foundPlayers: byId("found-players"),
  cancelQueue: byId<HTMLButtonElement>("cancel-queue"),
  canvas: byId<HTMLCanvasElement>("game-canvas"),
  dashButton: byId<HTMLButtonElement>("dash-button"),
  hudScore: byId("hud-score"),
  hudTime: byId("hud-time"),
  hudPing: byId("hud-ping"),
  hudPlayers: byId("hud-players"),
  endTitle: byId("end-title"),
  results: byId("results"),
  playAgain: byId<HTMLButtonElement>("play-again"),
  toLobby: byId<HTMLButtonElement>("to-lobby"),
  boardsList: byId("boards-list"),
  boardsNote: byId("boards-note"),
};

function screen(id: "name" | "queue" | "game" | "end", focus?: HTMLElement): void {
  showScreen(`screen-${id}`, focus);
  debug.screen = id;
}

// ---- banner (server notices, announcements) ---------------------------------------------------------

function banner(message: string, opts: { action?: string; onAction?: () => void; sticky?: boolean } = {}): void {
  $.bannerText.textContent = message;
  $.banner.hidden = false;
  $.bannerAction.hidden = !opts.action;
  $.bannerAction.textContent = opts.action ?? "";
  $.bannerAction.onclick = opts.onAction
    ? () => {
        $.banner.hidden = true;
        opts.onAction!();
      }
    : null;
  if (bannerTimer) clearTimeout(bannerTimer);
  bannerTimer = opts.sticky ? null : setTimeout(() => ($.banner.hidden = true), 6000);
}
$.bannerClose.addEventListener("click", () => ($.banner.hidden = true));

function onNotice(n: Notice): void {
  debug.notices.push(n);
  if (n.code === "SESSION_REPLACED") {
    banner("You are playing in another tab or device.", { action: "Play here", onAction: () => conn?.connect(), sticky: true });
  } else if (n.code === "KICKED" || n.code === "BANNED") {
    banner(n.message || "Disconnected by the server.", { action: "Reconnect", onAction: () => conn?.connect(), sticky: true });
  } else {
    banner(n.message);
  }
}

// ---- connection ---------------------------------------------------------------------------------------

const STATUS_TEXT: Record<ConnectionStatus, string> = { connecting: "Connecting…", online: "Online", reconnecting: "Reconnecting…", stopped: "Offline" };

function ensureConnection(): Connection {
  if (conn) return conn;
  const c = new Connection(session, {
    status: (s, detail) => {
      debug.connection = s;
      $.conn.className = `conn ${s}`;
      $.conn.textContent = STATUS_TEXT[s];
      $.conn.title = detail ?? "";
    },
    connected: () => {
      // A ticket may have expired while we were away: ask again (ALREADY_QUEUED is fine). A running
      // match needs nothing: the server sends match:start again when this socket rejoins it.
      if (queue === "joining" || queue === "searching") void joinQueue();
    },
    notice: onNotice,
    loggedOut: () => {
      leaveMatch();
      toNameScreen("Please log in again.");
    },
  });
  const s = c.socket;
  s.on("queue:status", onQueueStatus);
  // The ticket vanished (expired, or lost with a node mid-move): the player still wants a game, so queue again.
  s.on("queue:cancelled", () => {
    if (queue === "searching") void joinQueue();
  });
  s.on("match:found", onMatchFound);
  s.on("match:start", onMatchStart);
  s.on("match:snapshot", (snap) => view?.onSnapshot(snap));
  s.on("match:end", onMatchEnd);
  s.on("match:resumed", () => banner("The match moved to another server. Play on!"));
  s.on("announce", (a) => banner(a.message, { sticky: true }));
  s.on("boards:top", (b) => {
    if (boardsSubscribed && b.period === "alltime") renderBoards(b.entries);
  });
  conn = c;
  return c;
}

// ---- name screen --------------------------------------------------------------------------------------

function toNameScreen(message = ""): void {
  $.nameInput.value = session.name ?? "";
  $.nameError.textContent = message;
  $.who.textContent = "";
  $.logout.hidden = true;
  screen("name", $.nameInput);
}

$.nameForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  const name = normalizeName($.nameInput.value);
  if (name === null) {
    $.nameError.textContent = "Use 1-20 letters, digits, spaces, _ or -.";
    $.nameInput.focus();
    return;
  }
  $.nameSubmit.disabled = true;
  $.nameError.textContent = "";
  try {
    await session.login(name);
    toLobby();
  } catch (err) {
    $.nameError.textContent = err instanceof ApiError ? err.message : "Cannot reach the server. Try again.";
  } finally {
    $.nameSubmit.disabled = false;
  }
});

$.logout.addEventListener("click", async () => {
  leaveMatch();
  setQueue("idle");
  conn?.stop("logged out");
  conn = null;
  await session.logout();
  toNameScreen();
});

// ---- lobby and queue ----------------------------------------------------------------------------------

function fillRegions(): void {
  for (const [id, r] of Object.entries(REGIONS)) $.region.append(el("option", { value: id }, r.name));
  let saved: string | null = null;
  try {
    saved = localStorage.getItem("arena.region");
  } catch {
    /* storage blocked */
  }
  $.region.value = isRegionId(saved) ? saved : guessRegion(Intl.DateTimeFormat().resolvedOptions().timeZone ?? "");
  $.region.addEventListener("change", () => {
    try {
      localStorage.setItem("arena.region", $.region.value);
    } catch {
      /* storage blocked */
    }
  });
}

async function useLocation(ask: boolean): Promise<void> {
  $.locationStatus.textContent = ask ? "Asking your browser…" : "";
  try {
    geo = await locate();
    $.useLocation.checked = true;
    $.locationStatus.textContent = `Using your location (${geo.lat.toFixed(1)}, ${geo.lon.toFixed(1)}).`;
  } catch (err) {
    geo = null;
    $.useLocation.checked = false;
    $.locationStatus.textContent = `${(err as Error).message}. Pick a region instead.`;
  }
  $.region.disabled = $.useLocation.checked;
}

$.useLocation.addEventListener("change", () => {
  if ($.useLocation.checked) void useLocation(true);
  else {
    geo = null;
    $.region.disabled = false;
    $.locationStatus.textContent = "";
  }
});

async function initLocation(): Promise<void> {
  const p = await geoPermission();
  if (p === "granted") await useLocation(false);
  else if (p === "denied" || p === "unsupported") {
    $.useLocation.disabled = true;
    $.locationStatus.textContent = p === "denied" ? "Location is blocked in this browser; pick a region." : "Pick your region.";
  }
}

function toLobby(): void {
  unsubscribeBoards();
  $.who.textContent = session.name ?? "";
  $.logout.hidden = false;
  setQueue(queue === "found" ? "idle" : queue);
  screen("queue", queue === "idle" ? $.findMatch : $.cancelQueue);
  const c = ensureConnection();
  if (!c.socket.connected) c.connect();
}

function setQueue(q: QueueState): void {
  queue = q;
  debug.queue = q;
  const searching = q !== "idle";
  $.queueSetup.hidden = searching;
  $.queueSearching.hidden = !searching;
  $.cancelQueue.hidden = q === "found";
  if (q === "idle") {
    debug.queueStatus = null;
    if (elapsedTimer) clearInterval(elapsedTimer);
    elapsedTimer = null;
  }
  if (q === "joining") {
    clear($.foundPlayers);
    $.queueState.textContent = "Joining the queue…";
    for (const d of [$.qEstimate, $.qRadius, $.qInRange]) d.textContent = "–";
  }
}

function showElapsed(): void {
  $.qElapsed.textContent = `${Math.floor((performance.now() - queuedAt) / 1000)} s`;
}

async function joinQueue(): Promise<void> {
  const c = ensureConnection();
  if (queue === "idle" || queue === "found") {
    setQueue("joining");
    queuedAt = performance.now();
    showElapsed();
    if (!elapsedTimer) elapsedTimer = setInterval(showElapsed, 1000);
  }
  $.queueError.textContent = "";
  if (!c.socket.connected) return; // sent on connect
  // The cast: the inferred schema type currently loses the region literals (shared/schemas.ts builds the
  // union from a mapped array), so it cannot name them.
  const req = ($.useLocation.checked && geo ? { lat: geo.lat, lon: geo.lon } : { region: $.region.value as RegionId }) as QueueJoinRequest;
  let ack: Ack<QueueJoined>;
  try {
    ack = (await c.socket.timeout(8000).emitWithAck("queue:join", req)) as Ack<QueueJoined>;
  } catch {
    if (c.socket.connected) queueFailed("The server did not answer. Try again.");
    return; // a drop: the connect hook asks again
  }
  if (queue !== "joining" && queue !== "searching") return;
  if (ack.ok) {
    setQueue("searching");
    $.queueState.textContent = `Searching in ${REGIONS[ack.data.region]?.name ?? ack.data.region}…`;
    $.qEstimate.textContent = ack.data.estimatedWaitMs > 0 ? `~${Math.max(1, Math.round(ack.data.estimatedWaitMs / 1000))} s` : "–";
    return;
  }
  switch (ack.error.code) {
    case "ALREADY_QUEUED":
      setQueue("searching");
      $.queueState.textContent = "Searching…";
      return;
    case "ALREADY_IN_MATCH":
      setQueue("found");
      $.queueState.textContent = "Rejoining your match…";
      return;
    case "RATE_LIMITED":
      queueFailed(`Too many tries; wait ${Math.ceil((ack.error.retryAfterMs ?? 1000) / 1000)} s.`);
      return;
    default:
      queueFailed(ack.error.message);
  }
}

function queueFailed(message: string): void {
  setQueue("idle");
  $.queueError.textContent = message;
  $.findMatch.focus();
}

$.findMatch.addEventListener("click", () => void joinQueue());
$.cancelQueue.addEventListener("click", async () => {
  setQueue("idle");
  $.findMatch.focus();
  try {
    await conn?.socket.timeout(5000).emitWithAck("queue:leave", {});
  } catch {
    /* the ticket expires on its own */
  }
});

function onQueueStatus(s: QueueStatus): void {
  debug.queueStatus = s;
  if (queue === "joining") setQueue("searching");
  if (queue !== "searching") return;
  queuedAt = performance.now() - s.elapsedMs;
  showElapsed();
  $.qRadius.textContent = s.radiusKm >= 20_000 ? "Worldwide" : `${Math.round(s.radiusKm).toLocaleString()} km`;
  $.qInRange.textContent = String(s.playersInRange);
}

function onMatchFound(m: MatchFound): void {
  setQueue("found");
  $.queueState.textContent = "Match found! Starting…";
  clear($.foundPlayers);
  for (const p of m.players) $.foundPlayers.append(el("li", {}, p.name));
  if (debug.screen !== "queue" && debug.screen !== "game") screen("queue");
}

// ---- match --------------------------------------------------------------------------------------------

function onMatchStart(m: MatchStart): void {
  setQueue("idle");
  if (view && view.start.matchId === m.matchId) view.rejoin(m);
  else {
    view?.destroy();
    view = new MatchView(m, {
      canvas: $.canvas,
      dashButton: $.dashButton,
      hud: { score: $.hudScore, time: $.hudTime, ping: $.hudPing, players: $.hudPlayers },
      sendInput: (f) => conn?.socket.emit("match:input", f),
      rttMs: () => conn?.rttMs ?? 100,
      banner: () => (conn?.socket.connected ? null : "Reconnecting…"),
    });
  }
  debug.match = view.debug;
  if (debug.screen !== "game") screen("game", $.canvas);
}

function leaveMatch(): void {
  view?.destroy();
  view = null;
}

function onMatchEnd(e: MatchEnd): void {
  debug.lastEnd = e;
  if (view && view.start.matchId !== e.matchId) return;
  leaveMatch();
  clear($.results);
  const mine = e.results.find((r) => r.playerId === session.playerId);
  const shared = mine ? e.results.filter((r) => r.placement === mine.placement).length > 1 : false;
  $.endTitle.textContent = !mine ? "Match over" : mine.placement === 1 ? (shared ? "A tie for first!" : "You win!") : `You placed #${mine.placement}${shared ? " (tied)" : ""}`;
  for (const r of [...e.results].sort((a, b) => a.placement - b.placement)) {
    $.results.append(
      el("li", { class: r.playerId === session.playerId ? "me" : "" }, [
        el("span", { class: "place" }, `#${r.placement}`),
        el("span", { class: "name" }, r.playerId === session.playerId ? `${r.name} (you)` : r.name),
        el("span", { class: "score" }, String(r.score)),
      ]),
    );
  }
  screen("end", $.playAgain);
  void loadBoards();
}

/** Shows the all-time top 10 on the end screen. */
function renderBoards(entries: readonly LeaderboardEntry[]): void {
  clear($.boardsList);
  for (const en of entries.slice(0, 10)) {
    const li = el("li", { class: en.playerId === session.playerId ? "me" : "" }, [el("span", {}, String(en.name)), el("span", {}, String(en.score))]);
    li.value = en.rank;
    $.boardsList.append(li);
  }
  $.boardsNote.textContent = entries.length ? "" : "No scores yet.";
}

/**
 * Subscribes to the all-time top 10 while the end screen is up: the ack carries the board now and
 * `boards:top` pushes the update once this match's result has been applied (a second or so later).
 * Falls back to one HTTP read when the socket is down.
 */
async function loadBoards(): Promise<void> {
  $.boardsNote.textContent = "Loading…";
  try {
    if (conn?.socket.connected) {
      const ack = (await conn.socket.timeout(5000).emitWithAck("boards:subscribe", { period: "alltime" })) as Ack<BoardsTop>;
      if (!ack.ok) throw new Error(ack.error.code);
      boardsSubscribed = true;
      renderBoards(ack.data.entries);
      return;
    }
    const res = await fetch("/api/leaderboards/alltime?limit=10");
    if (!res.ok) throw new Error(String(res.status));
    const page = (await res.json()) as Partial<LeaderboardPage>;
    renderBoards(Array.isArray(page.entries) ? page.entries : []);
  } catch {
    $.boardsNote.textContent = "The leaderboard is not available right now.";
  }
}

/** Stops the end screen's board pushes. */
function unsubscribeBoards(): void {
  if (!boardsSubscribed) return;
  boardsSubscribed = false;
  if (conn?.socket.connected) conn.socket.emit("boards:unsubscribe", { period: "alltime" }, () => {});
}

$.playAgain.addEventListener("click", () => {
  toLobby();
  void joinQueue();
});
$.toLobby.addEventListener("click", () => toLobby());

// ---- boot ---------------------------------------------------------------------------------------------

async function boot(): Promise<void> {
  $.bootNote.hidden = true;
  fillRegions();
  void initLocation();
  if (!session.token) return toNameScreen();
  let known: boolean;
  try {
    known = await session.check();
    // The stored token expired or was revoked: log in again as the same device and name.
    if (!known && session.name) {
      await session.relogin();
      known = true;
    }
  } catch {
    // The node or Redis is having a moment; the socket's own retries (and re-login) will sort it out.
    known = session.token !== null;
  }
  if (known) toLobby();
  else toNameScreen();
}

void boot();
