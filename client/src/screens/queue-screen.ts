/**
 * The lobby and the queue: where from (location or region), "Find match", then the wait with what
 * `queue:status` says (elapsed, estimate, radius, players in range) and the players once found.
 */
import { REGIONS, type RegionId } from "../../../shared/regions.ts";
import { regionLocked, type AppState, type QueueState } from "../state/app-state.ts";
import { byId, clear, el } from "../dom.ts";
import type { Dispatch } from "../store.ts";
import type { ScreenView } from "./view.ts";

const dash = "–";

function estimate(ms: number | null): string {
  return ms !== null && ms > 0 ? `~${Math.max(1, Math.round(ms / 1000))} s` : dash;
}

function radius(km: number | null): string {
  if (km === null) return dash;
  return km >= 20_000 ? "Worldwide" : `${Math.round(km).toLocaleString()} km`;
}

export function mountQueueScreen(dispatch: Dispatch): ScreenView {
  const $ = {
    useLocation: byId<HTMLInputElement>("use-location"),
    locationStatus: byId("location-status"),
    region: byId<HTMLSelectElement>("region-select"),
    findMatch: byId<HTMLButtonElement>("find-match"),
    error: byId("queue-error"),
    setup: byId("queue-setup"),
    searching: byId("queue-searching"),
    headline: byId("queue-state"),
    elapsed: byId("q-elapsed"),
    estimate: byId("q-estimate"),
    radius: byId("q-radius"),
    inRange: byId("q-in-range"),
    found: byId("found-players"),
    cancel: byId<HTMLButtonElement>("cancel-queue"),
  };
  for (const [id, r] of Object.entries(REGIONS)) $.region.append(el("option", { value: id }, r.name));

  $.useLocation.addEventListener("change", () => dispatch({ type: "location:toggle", on: $.useLocation.checked }));
  $.region.addEventListener("change", () => dispatch({ type: "region:select", region: $.region.value as RegionId }));
  $.findMatch.addEventListener("click", () => dispatch({ type: "queue:find", now: performance.now() }));
  $.cancel.addEventListener("click", () => dispatch({ type: "queue:cancel" }));

  // The wait counts up once a second while queued (the state holds when it started, not the count).
  let since = 0;
  let ticker: ReturnType<typeof setInterval> | null = null;
  const showElapsed = () => ($.elapsed.textContent = `${Math.floor((performance.now() - since) / 1000)} s`);
  const stopTicker = () => {
    if (ticker) clearInterval(ticker);
    ticker = null;
  };

  function renderQueue(q: QueueState, prev: QueueState | undefined, s: AppState): void {
    $.setup.hidden = q.phase !== "idle";
    $.searching.hidden = q.phase === "idle";
    $.cancel.hidden = q.phase === "found";
    $.error.textContent = q.error;
    $.headline.textContent = q.headline;
    $.estimate.textContent = estimate(q.estimateMs);
    $.radius.textContent = radius(q.radiusKm);
    $.inRange.textContent = q.inRange === null ? dash : String(q.inRange);
    if (q.found !== prev?.found) {
      clear($.found);
      for (const name of q.found) $.found.append(el("li", {}, name));
    }
    if (q.phase === "idle") stopTicker();
    else {
      since = q.since;
      showElapsed();
      ticker ??= setInterval(showElapsed, 1000);
    }
    // Cancelled or refused while looking at it: back to the button.
    if (q.phase === "idle" && prev && prev.phase !== "idle" && s.screen === "queue") $.findMatch.focus();
  }

  return {
    render(s, prev) {
      if (s.where !== prev?.where) {
        const w = s.where;
        $.useLocation.checked = w.useLocation;
        $.useLocation.disabled = w.blocked;
        $.locationStatus.textContent = w.status;
        $.region.value = w.region;
        $.region.disabled = regionLocked(w);
      }
      if (s.queue !== prev?.queue) renderQueue(s.queue, prev?.queue, s);
    },
    focus: (s) => (s.queue.phase === "idle" ? $.findMatch : $.cancel),
  };
}
