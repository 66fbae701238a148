/**
 * Players: search by name prefix (the server's lexicographic index), then one player's profile, live
 * sockets, current match or ticket and ban; kick, ban for a duration, unban, remove from the boards.
 */
import { useEffect, useState } from "preact/hooks";
import type { AdminPlayer, PlayerSearch } from "../../../../shared/admin-api.ts";
import { BOARD_PERIODS } from "../../../../shared/admin-api.ts";
import { api, qs } from "../api.ts";
import { ConfirmButton, Empty, Panel, html, toast, toastError, useSession } from "../ui.ts";
import { ago, clock, duration, int } from "../format.ts";
import { go } from "../app.ts";

const BAN_LENGTHS: [string, number][] = [["15 minutes", 900], ["1 hour", 3600], ["1 day", 86_400], ["7 days", 604_800], ["30 days", 2_592_000]];

function Search(props: { selected: string | null }) {
  const [prefix, setPrefix] = useState("");
  const [found, setFound] = useState<PlayerSearch["players"] | null>(null);
  useEffect(() => {
    const p = prefix.trim();
    if (!p) return setFound(null);
    const t = setTimeout(() => void api<PlayerSearch>("GET", `/players${qs({ prefix: p, limit: 30 })}`).then((r) => setFound(r.players), toastError), 200);
    return () => clearTimeout(t);
  }, [prefix]);
  return html`<${Panel} title="Find a player">
    <input id="player-search" type="search" placeholder="Name starts with…" maxlength="20" value=${prefix} onInput=${(e: Event) => setPrefix((e.target as HTMLInputElement).value)} aria-label="Name prefix" />
    ${found === null
      ? html`<${Empty}>Type the first letters of a name (any case, any script).</${Empty}>`
      : found.length === 0
        ? html`<${Empty}>No player's name starts with that.</${Empty}>`
        : html`<table id="player-results" class="mt"><tbody>${found.map((p) => html`<tr key=${p.playerId} class=${`clickable ${p.playerId === props.selected ? "selected" : ""}`} onClick=${() => go("players", p.playerId)}>
            <td class="player-name">${p.name}</td><td class="mono muted">${p.playerId}</td></tr>`)}</tbody></table>`}
  </${Panel}>`;
}

function Profile(props: { playerId: string }) {
  const who = useSession();
  const [p, setP] = useState<AdminPlayer | null>(null);
  const [error, setError] = useState("");
  const [banFor, setBanFor] = useState(3600);
  const [reason, setReason] = useState("");
  const load = () => api<AdminPlayer>("GET", `/players/${encodeURIComponent(props.playerId)}`).then(setP, (e: Error) => setError(e.message));
  useEffect(() => {
    setP(null);
    setError("");
    void load();
  }, [props.playerId]);
  if (error) return html`<${Panel} title="Player"><${Empty}>${error}</${Empty}></${Panel}>`;
  if (!p) return html`<${Panel} title="Player"><${Empty}>Loading…</${Empty}></${Panel}>`;
  const id = encodeURIComponent(p.profile.playerId);
  const act = async (what: string, fn: () => Promise<unknown>) => {
    await fn();
    toast(what);
    await load();
  };
  const f = p.profile;
  return html`<${Panel} title="Player" class="player-profile">
    <h2 class="player-name" id="profile-name">${f.name}</h2>
    <div class="mono muted">${f.playerId}</div>
    <dl class="kv mt">
      <dt>Status</dt><dd>${p.sockets.length ? html`<span class="good">online</span> since ${ago(p.sockets[0]!.connectedAt)} from <span class="mono">${p.sockets[0]!.ip}</span>` : html`<span class="muted">offline</span>`}</dd>
      <dt>Match</dt><dd>${p.matchId ? html`<a href=${`#/matches/${encodeURIComponent(p.matchId)}`} class="mono">${p.matchId}</a>` : "–"}</dd>
      <dt>Ticket</dt><dd>${p.ticket ? html`waiting in <strong>${p.ticket.queue}</strong>` : "–"}</dd>
      <dt>Ban</dt><dd>${p.ban ? html`<span class="bad">banned ${duration(p.ban.remainingMs)} more</span> <span class="muted">(${p.ban.reason})</span>` : "–"}</dd>
      <dt>First seen / last login</dt><dd>${p.createdAt ? clock(p.createdAt) : "–"} / ${p.lastLoginAt ? clock(p.lastLoginAt) : "–"}</dd>
      <dt>Rating</dt><dd>${int(f.rating)}</dd>
      <dt>Games / wins</dt><dd>${int(f.games)} / ${int(f.wins)}</dd>
      <dt>Best / total points</dt><dd>${int(f.best)} / ${int(f.total)}</dd>
      <dt>Last match</dt><dd>${f.lastMatchAt ? clock(f.lastMatchAt) : "–"}</dd>
      <dt>Ranks</dt><dd>${BOARD_PERIODS.map((per) => html`<span key=${per}>${per}: ${f.ranks[per] ? `#${f.ranks[per]!.rank} (${f.ranks[per]!.score})` : "–"}  </span>`)}</dd>
    </dl>
    <div class="stack mt">
      <label>Reason (shown to the player, kept in the audit log)
        <input id="action-reason" maxlength="200" value=${reason} onInput=${(e: Event) => setReason((e.target as HTMLInputElement).value)} />
      </label>
      <div class="row">
        <${ConfirmButton} label="Kick" disabled=${!who.capabilities.kick || !p.sockets.length} onConfirm=${() => act("Kicked", () => api("POST", `/players/${id}/kick`, reason ? { reason } : {}))} />
        <select aria-label="Ban length" value=${banFor} onChange=${(e: Event) => setBanFor(Number((e.target as HTMLSelectElement).value))}>
          ${BAN_LENGTHS.map(([label, s]) => html`<option key=${s} value=${s}>${label}</option>`)}
        </select>
        <${ConfirmButton} label="Ban" onConfirm=${() => act("Banned", () => api("POST", "/bans", { kind: "player", id: f.playerId, seconds: banFor, ...(reason ? { reason } : {}) }))} />
        <${ConfirmButton} label="Unban" class="small ghost" disabled=${!p.ban} onConfirm=${() => act("Ban lifted", () => api("DELETE", `/bans/player/${id}`))} />
        <${ConfirmButton} label="Remove from boards" class="small ghost" onConfirm=${() =>
          act("Removed from the current boards", () => Promise.all(BOARD_PERIODS.map((per) => api("DELETE", `/leaderboards/${per}/players/${id}`).catch(() => null))))} />
      </div>
    </div>
  </${Panel}>`;
}

export function PlayersView(props: { arg: string | null }) {
  return html`<div class="view-head"><h2>Players</h2></div>
    <div class="grid two">
      <${Search} selected=${props.arg} />
      ${props.arg ? html`<${Profile} key=${props.arg} playerId=${props.arg} />` : html`<${Panel} title="Player"><${Empty}>Pick a player to see their profile and act.</${Empty}></${Panel}>`}
    </div>`;
}
