/**
 * Abuse: offenders with their decaying scores (against the ban threshold), current bans (lift one), and
 * rate-limit refusals and violations per minute over the last half hour, and the newest refusals one by
 * one (each row: what one subject did within ~100 ms on one node). Pushed every 2 s.
 */
import { api } from "../api.ts";
import { useView } from "../live.ts";
import { Badge, ConfirmButton, Empty, Panel, html, toast } from "../ui.ts";
import { ago, duration } from "../format.ts";
import { Chart } from "./chart.ts";

function subjectLink(kind: "player" | "ip", id: string) {
  return kind === "player" ? html`<a class="mono" href=${`#/players/${encodeURIComponent(id)}`}>${id}</a>` : html`<span class="mono">${id}</span>`;
}

export function AbuseView() {
  const v = useView("abuse");
  const r = v?.refusals ?? [];
  return html`<div class="view-head"><h2>Abuse</h2></div>
    <${Chart} id="chart-refusals" title="Refusals and violations per minute (last 30 minutes)" t=${r.map((p) => p.t)} series=${[
      { label: "rate-limit refusals", color: "#ff5d6c", values: r.map((p) => p.rateLimited) },
      { label: "violations", color: "#f5b942", values: r.map((p) => p.violations) },
    ]} />
    <div class="grid two mt">
      <${Panel} title="Offenders (score decays over time)">
        ${v && v.offenders.length
          ? html`<table id="offenders">
              <thead><tr><th>Subject</th><th>Score</th><th></th><th>Last violation</th></tr></thead>
              <tbody>${v.offenders.map((o) => html`<tr key=${o.subject}>
                <td><${Badge}>${o.kind}</${Badge}> ${subjectLink(o.kind, o.id)}</td>
                <td class="num">${o.score.toFixed(1)} / ${o.threshold}</td>
                <td><div class="bar"><span class=${o.score / o.threshold > 0.8 ? "bad" : ""} style=${{ width: `${Math.min(100, (o.score / o.threshold) * 100)}%` }}></span></div></td>
                <td>${ago(o.lastViolationAt)}</td>
              </tr>`)}</tbody>
            </table>`
          : html`<${Empty}>Nobody is misbehaving.</${Empty}>`}
      </${Panel}>
      <${Panel} title="Bans">
        ${v && v.bans.length
          ? html`<table id="bans">
              <thead><tr><th>Subject</th><th>Reason</th><th class="num">Remaining</th><th></th></tr></thead>
              <tbody>${v.bans.map((b) => html`<tr key=${b.subject}>
                <td><${Badge} tone="bad">${b.kind}</${Badge}> ${subjectLink(b.kind, b.id)}</td>
                <td>${b.reason}</td>
                <td class="num">${duration(b.remainingMs)}</td>
                <td class="num"><${ConfirmButton} label="Lift" class="small ghost" onConfirm=${async () => {
                  await api("DELETE", `/bans/${b.kind}/${encodeURIComponent(b.id)}`);
                  toast(`Ban on ${b.id} lifted`);
                }} /></td>
              </tr>`)}</tbody>
            </table>`
          : html`<${Empty}>No current bans.</${Empty}>`}
      </${Panel}>
    </div>
    <${Panel} title="Recent refusals and violations" class="mt">
      ${v && v.recent.length
        ? html`<table id="refusals">
            <thead><tr><th>When</th><th>Subject</th><th>Reason</th><th>What</th><th class="num">Count</th><th class="num">Score</th><th>Node</th></tr></thead>
            <tbody>${v.recent.map((e) => html`<tr key=${e.id} data-reason=${e.reason}>
              <td>${ago(e.at)}</td>
              <td><${Badge} tone=${e.banned ? "bad" : undefined}>${e.kind}</${Badge}> ${subjectLink(e.kind, e.subject.slice(e.subject.indexOf(":") + 1))}</td>
              <td>${e.reason}${e.banned ? html` <${Badge} tone="bad">banned</${Badge}>` : ""}</td>
              <td class="mono">${e.detail || "–"}</td>
              <td class="num">${e.count}</td>
              <td class="num">${e.score.toFixed(1)}</td>
              <td class="mono muted">${e.nodeId}</td>
            </tr>`)}</tbody>
          </table>`
        : html`<${Empty}>No refusals lately.</${Empty}>`}
    </${Panel}>`;
}
