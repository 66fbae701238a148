/**
 * Overview: totals, every node (dead ones flagged), Redis health per master, and the last hour's series
 * (CCU, matches started and queue joins, queue wait p50/p99, rate-limit refusals and violations).
 * Pushed live: `overview` every second, `series` every 5 s.
 */
import type { AdminNode, RedisHealth } from "../../../../shared/admin-api.ts";
import { useView } from "../live.ts";
import { Badge, Empty, Panel, Stat, html, useNow } from "../ui.ts";
import { ago, bytes, duration, int, pct } from "../format.ts";
import { Chart } from "./chart.ts";

const LAG_WARN_MS = 50;
const LAG_BAD_MS = 200;

function lagTone(ms: number): "good" | "warn" | "bad" {
  return ms >= LAG_BAD_MS ? "bad" : ms >= LAG_WARN_MS ? "warn" : "good";
}

function NodeRow(props: { n: AdminNode; now: number }) {
  const n = props.n;
  if (!n.alive) {
    return html`<tr class="dead" data-node=${n.nodeId}>
      <td><span class="mono">${n.nodeId}</span></td>
      <td><${Badge} tone="bad">dead</${Badge}></td>
      <td class="num">–</td><td class="num">–</td><td class="num">–</td><td class="num">${bytes(n.rssBytes)}</td><td class="num">–</td>
      <td>${n.version ?? "–"}</td><td>–</td><td class="bad">${ago(n.lastSeen, props.now)}</td>
    </tr>`;
  }
  const stale = props.now - n.lastSeen > 3000;
  return html`<tr data-node=${n.nodeId}>
    <td><span class="mono">${n.nodeId}</span>${n.self ? html` <${Badge}>this node</${Badge}>` : null}</td>
    <td><${Badge} tone=${stale ? "warn" : "good"}>${stale ? "late" : "live"}</${Badge}></td>
    <td class="num">${int(n.ccu)}</td>
    <td class="num">${int(n.matches)}</td>
    <td class="num"><span class=${lagTone(n.lagMs)}>${n.lagMs.toFixed(1)} ms</span></td>
    <td class="num">${bytes(n.rssBytes)}</td>
    <td class="num">${n.cpuPercent === null ? "–" : `${n.cpuPercent.toFixed(0)}%`}</td>
    <td class="mono">${n.version ?? "–"}</td>
    <td>${duration(props.now - n.startedAt)}</td>
    <td>${ago(n.lastSeen, props.now)}</td>
  </tr>`;
}

function RedisRow(props: { r: RedisHealth }) {
  const r = props.r;
  if (r.error) return html`<tr><td class="mono">${r.address}</td><td colspan="8" class="bad">${r.error}</td></tr>`;
  const aof = !r.aof.enabled ? html`<${Badge}>off</${Badge}>` : r.aof.lastWriteOk ? html`<${Badge} tone="good">${r.aof.rewriteInProgress ? "rewriting" : "ok"}</${Badge}>` : html`<${Badge} tone="bad">write failing</${Badge}>`;
  return html`<tr>
    <td class="mono">${r.address}</td>
    <td>${r.role} ${r.version}</td>
    <td class="num">${bytes(r.usedMemoryBytes)}${r.maxMemoryBytes ? html` <span class="muted">/ ${bytes(r.maxMemoryBytes)}</span>` : null}</td>
    <td class="num">${int(r.opsPerSec)}</td>
    <td class="num">${int(r.connectedClients)}</td>
    <td class="num">${pct(r.hitRate)}</td>
    <td>${aof}</td>
    <td class="num"><span class=${r.pingMs > 20 ? "warn" : ""}>${r.pingMs.toFixed(2)} ms</span></td>
    <td>${duration(r.uptimeSeconds * 1000)}</td>
  </tr>`;
}

export function OverviewView() {
  const o = useView("overview");
  const s = useView("series");
  const now = useNow();
  const t = o?.totals;
  const m = s?.minutes ?? [];
  const ts = m.map((p) => p.t);
  const secs = (v: number) => `${(v / 1000).toFixed(1)} s`;
  return html`<div class="view-head"><h2>Overview</h2><span class="spacer"></span><span class="muted">${o ? `updated ${ago(o.at, now)}` : "loading…"}</span></div>
    <div class="grid cards">
      <${Stat} label="Online" value=${int(t?.ccu)} sub=${`${int(t?.uniquePlayersToday)} unique today`} />
      <${Stat} label="Nodes" value=${t ? `${t.liveNodes}` : "–"} tone=${t?.deadNodes ? "bad" : ""} sub=${t?.deadNodes ? `${t.deadNodes} dead` : "all live"} />
      <${Stat} label="Matches" value=${int(t?.activeMatches)} sub="active" />
      <${Stat} label="Queued" value=${int(t?.queued)} sub="waiting tickets" />
      <${Stat} label="Bans" value=${int(t?.bans)} sub=${`${int(t?.offenders)} offenders`} tone=${t?.bans ? "warn" : ""} />
    </div>
    <div class="grid mt">
      <${Panel} title="Nodes">
        ${o && o.nodes.length
          ? html`<div class="table-wrap"><table id="nodes">
              <thead><tr><th>Node</th><th>State</th><th class="num">CCU</th><th class="num">Matches</th><th class="num">Loop p99</th><th class="num">RSS</th><th class="num">CPU</th><th>Version</th><th>Uptime</th><th>Heartbeat</th></tr></thead>
              <tbody>${o.nodes.map((n) => html`<${NodeRow} key=${n.nodeId} n=${n} now=${now} />`)}</tbody>
            </table></div>`
          : html`<${Empty}>No node has reported yet.</${Empty}>`}
      </${Panel}>
      <${Panel} title="Redis">
        ${o
          ? html`<div class="table-wrap"><table id="redis">
              <thead><tr><th>Server</th><th>Role</th><th class="num">Memory</th><th class="num">Ops/s</th><th class="num">Clients</th><th class="num">Hit rate</th><th>AOF</th><th class="num">Ping</th><th>Uptime</th></tr></thead>
              <tbody>${o.redis.map((r) => html`<${RedisRow} key=${r.address} r=${r} />`)}</tbody>
            </table></div>`
          : html`<${Empty}>Loading…</${Empty}>`}
      </${Panel}>
    </div>
    <div class="grid two mt">
      <${Chart} id="chart-ccu" title="Players online (last hour)" t=${ts} series=${[{ label: "CCU", color: "#4f8cff", values: m.map((p) => p.ccu) }]} />
      <${Chart} id="chart-matches" title="Matches started and queue joins per minute" t=${ts} series=${[
        { label: "matches started", color: "#2ecc8f", values: m.map((p) => p.matchesStarted) },
        { label: "queue joins", color: "#b58cff", values: m.map((p) => p.queueJoins) },
      ]} />
      <${Chart} id="chart-wait" title="Queue wait of matches formed" emptyMax=${10_000} t=${ts} series=${[
        { label: "p50", color: "#f5b942", values: m.map((p) => p.queueWaitP50Ms), fmt: secs },
        { label: "p99", color: "#ff8a5c", values: m.map((p) => p.queueWaitP99Ms), fmt: secs },
      ]} />
      <${Chart} id="chart-abuse" title="Rate-limit refusals and violations per minute" t=${ts} series=${[
        { label: "refusals", color: "#ff5d6c", values: m.map((p) => p.rateLimited) },
        { label: "violations", color: "#f5b942", values: m.map((p) => p.violations) },
      ]} />
    </div>`;
}
