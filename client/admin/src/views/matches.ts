/**
 * Matches: the active matches (mode/queue, players, host, phase, time left), pushed every second, and
 * one match in detail: the live view, the roster with scores, end the match, hand it to another node,
 * kick a player.
 */
import { useEffect, useState } from "preact/hooks";
import type { MatchDetail, MatchRow } from "../../../../shared/admin-api.ts";
import type { Snapshot } from "../../../../shared/game/types.ts";
import { api } from "../api.ts";
import { useView } from "../live.ts";
import { Badge, ConfirmButton, Empty, Panel, html, toast, useSession } from "../ui.ts";
import { ago, duration, int } from "../format.ts";
import { go } from "../app.ts";
import { MatchLive } from "./match-live.ts";

function phaseBadge(m: MatchRow) {
  if (m.status === "created") return html`<${Badge}>starting</${Badge}>`;
  if (m.phase === "playing") return html`<${Badge} tone="good">playing</${Badge}>`;
  if (m.phase === "countdown") return html`<${Badge} tone="warn">countdown</${Badge}>`;
  return html`<${Badge}>${m.phase ?? m.status}</${Badge}>`;
}

function MatchDetailPanel(props: { matchId: string }) {
  const who = useSession();
  const [detail, setDetail] = useState<MatchDetail | null>(null);
  const [error, setError] = useState("");
  const [scores, setScores] = useState<Map<number, number>>(new Map());
  const [target, setTarget] = useState("");
  const overview = useView("overview");
  useEffect(() => {
    setDetail(null);
    setError("");
    api<MatchDetail>("GET", `/matches/${encodeURIComponent(props.matchId)}`).then(setDetail, (e: Error) => setError(e.message));
  }, [props.matchId]);
  if (error) return html`<${Panel} title="Match"><${Empty}>${error}</${Empty}></${Panel}>`;
  if (!detail) return html`<${Panel} title="Match"><${Empty}>Loading…</${Empty}></${Panel}>`;
  const onSnapshot = (s: Snapshot) => setScores(new Map(s.p.map((r) => [r[0], r[3]])));
  const others = (overview?.nodes ?? []).filter((n) => n.alive && n.nodeId !== detail.host);
  const end = async () => {
    const r = await api<{ ended: boolean }>("POST", `/matches/${encodeURIComponent(detail.matchId)}/end`, { reason: "ended from the dashboard" });
    toast(r.ended ? "Match ended; its result is applied once" : "The match had already ended");
  };
  const handOver = async () => {
    const r = await api<{ to: string }>("POST", `/matches/${encodeURIComponent(detail.matchId)}/handover`, target ? { toNodeId: target } : {});
    toast(`Match handed to ${r.to}`);
  };
  const kick = async (playerId: string, name: string) => {
    const r = await api<{ disconnected: number }>("POST", `/players/${encodeURIComponent(playerId)}/kick`, { reason: "kicked from the match view" });
    toast(r.disconnected ? `Kicked ${name}` : `${name} was not connected`);
  };
  const wired = who.capabilities.endMatch && who.capabilities.handOver;
  return html`<${Panel} title="Live match" class="match-detail">
    <div class="grid two">
      <${MatchLive} detail=${detail} onSnapshot=${onSnapshot} onGone=${() => setError("This match is over.")} />
      <div class="stack">
        <dl class="kv">
          <dt>Match</dt><dd class="mono">${detail.matchId}</dd>
          <dt>Queue</dt><dd>${detail.queue}</dd>
          <dt>Host</dt><dd class="mono">${detail.host ?? html`<span class="warn">none (takeover due)</span>`}</dd>
          <dt>Chosen host</dt><dd class="mono">${detail.chosenHost}</dd>
          <dt>Created</dt><dd>${ago(detail.createdAt)}</dd>
        </dl>
        <table id="roster">
          <thead><tr><th>Player</th><th class="num">Score</th><th></th></tr></thead>
          <tbody>${detail.roster.map((p) => html`<tr key=${p.playerId}>
            <td><a href=${`#/players/${encodeURIComponent(p.playerId)}`} class="player-name">${p.name}</a></td>
            <td class="num">${int(scores.get(p.index) ?? detail.players.find((x) => x.playerId === p.playerId)?.score ?? 0)}</td>
            <td class="num"><${ConfirmButton} label="Kick" disabled=${!who.capabilities.kick} onConfirm=${() => kick(p.playerId, p.name)} /></td>
          </tr>`)}</tbody>
        </table>
        <div class="row">
          <${ConfirmButton} label="End match" class="danger" disabled=${!who.capabilities.endMatch} title=${who.capabilities.endMatch ? "" : "Not available on this deployment yet"} onConfirm=${end} />
          <select aria-label="Hand over to" value=${target} onChange=${(e: Event) => setTarget((e.target as HTMLSelectElement).value)} disabled=${!who.capabilities.handOver}>
            <option value="">least loaded node</option>
            ${others.map((n) => html`<option key=${n.nodeId} value=${n.nodeId}>${n.nodeId}</option>`)}
          </select>
          <${ConfirmButton} label="Hand over" class="ghost" disabled=${!who.capabilities.handOver} title=${who.capabilities.handOver ? "" : "Not available on this deployment yet"} onConfirm=${handOver} />
        </div>
        ${wired ? null : html`<div class="note">Ending and handing over a match need the matches feature's control, not wired on this deployment yet.</div>`}
      </div>
    </div>
  </${Panel}>`;
}

export function MatchesView(props: { arg: string | null }) {
  const list = useView("matches");
  return html`<div class="view-head"><h2>Matches</h2><span class="muted">${list ? `${int(list.total)} active` : "loading…"}</span></div>
    ${props.arg ? html`<${MatchDetailPanel} matchId=${props.arg} />` : null}
    <${Panel} title="Active matches" class=${props.arg ? "mt" : ""}>
      ${list && list.matches.length
        ? html`<div class="table-wrap"><table id="matches">
            <thead><tr><th>Match</th><th>Queue</th><th>Phase</th><th class="num">Time left</th><th>Players</th><th>Host</th><th>Age</th></tr></thead>
            <tbody>${list.matches.map((m) => html`<tr key=${m.matchId} class=${`clickable ${m.matchId === props.arg ? "selected" : ""}`} data-match=${m.matchId} onClick=${() => go("matches", m.matchId)}>
              <td class="mono">${m.matchId}</td>
              <td>${m.queue}</td>
              <td>${phaseBadge(m)}</td>
              <td class="num">${duration(m.phaseLeftMs)}</td>
              <td>${m.players.map((p, i) => html`<span key=${p.playerId}>${i ? ", " : ""}<span class="player-name">${p.name}</span>${p.score !== null ? html` <span class="muted">${p.score}</span>` : null}</span>`)}</td>
              <td class="mono">${m.host ?? html`<span class="warn">none</span>`}</td>
              <td>${duration(list.at - m.createdAt)}</td>
            </tr>`)}</tbody>
          </table></div>`
        : html`<${Empty}>No match is running.</${Empty}>`}
    </${Panel}>`;
}
