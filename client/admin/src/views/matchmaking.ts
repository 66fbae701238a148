/**
 * Matchmaking: queue depth and wait percentiles per queue, the waiting tickets on the world map with
 * their current search radius, and the longest waits. Pushed live every second.
 */
import { useMemo } from "preact/hooks";
import { REGIONS } from "../../../../shared/regions.ts";
import { useView } from "../live.ts";
import { Empty, Panel, html, useNow } from "../ui.ts";
import { ago, duration, int } from "../format.ts";
import { QUEUE_COLORS, WorldMap } from "./world-map.ts";
import { go } from "../app.ts";

const LONGEST = 25;

function regionName(q: string): string {
  return q === "world" ? "Worldwide" : (REGIONS as Record<string, { name: string }>)[q]?.name ?? q;
}

export function MatchmakingView() {
  const v = useView("matchmaking");
  const now = useNow();
  const counts = useMemo(() => new Map((v?.queues ?? []).map((q) => [q.queue, q.waiting])), [v]);
  const total = v?.queues.reduce((a, q) => a + q.waiting, 0) ?? 0;
  return html`<div class="view-head"><h2>Matchmaking</h2><span class="muted">${int(total)} waiting</span><span class="spacer"></span><span class="muted">${v ? `updated ${ago(v.at, now)}` : "loading…"}</span></div>
    <${Panel} title="Waiting tickets and their search radius">
      <${WorldMap} tickets=${v?.tickets ?? []} counts=${counts} />
      <div class="legend">
        ${Object.entries(QUEUE_COLORS).map(([q, c]) => html`<span key=${q}><span class="sw" style=${{ background: c }}></span>${q}</span>`)}
        <span>○ white ring: worldwide search</span>
        ${v?.truncated ? html`<span class="warn">showing the ${int(v.tickets.length)} longest waits</span>` : null}
      </div>
    </${Panel}>
    <div class="grid two mt">
      <${Panel} title="Queues">
        <table id="queues">
          <thead><tr><th>Queue</th><th class="num">Waiting</th><th class="num">Oldest</th><th class="num">Wait p50</th><th class="num">Wait p99</th></tr></thead>
          <tbody>${(v?.queues ?? []).map((q) => html`<tr key=${q.queue} data-queue=${q.queue}>
            <td><strong>${q.queue}</strong> <span class="muted">${regionName(q.queue)}</span></td>
            <td class="num">${int(q.waiting)}</td>
            <td class="num">${duration(q.oldestWaitMs)}</td>
            <td class="num">${duration(q.p50WaitMs)}</td>
            <td class="num">${duration(q.p99WaitMs)}</td>
          </tr>`)}</tbody>
        </table>
      </${Panel}>
      <${Panel} title="Longest waits">
        ${v && v.tickets.length
          ? html`<div class="table-wrap"><table id="tickets">
              <thead><tr><th>Player</th><th>Queue</th><th class="num">Waiting</th><th class="num">Radius</th><th class="num">Rating ±band</th></tr></thead>
              <tbody>${v.tickets.slice(0, LONGEST).map((t) => html`<tr key=${t.ticketId} class="clickable" onClick=${() => go("players", t.playerId)}>
                <td class="player-name">${t.name}</td>
                <td>${t.queue}</td>
                <td class="num">${duration(t.waitMs)}</td>
                <td class="num">${t.radiusKm >= 19_000 ? "worldwide" : `${int(t.radiusKm)} km`}</td>
                <td class="num">${int(t.rating)} ±${int(t.skillBand)}</td>
              </tr>`)}</tbody>
            </table></div>`
          : html`<${Empty}>Nobody is waiting.</${Empty}>`}
      </${Panel}>
    </div>`;
}
