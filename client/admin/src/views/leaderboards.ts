/**
 * Leaderboards: browse each period's board (current or a past day/week), remove an entry, reset a board
 * after typing its name ("<period>:<instance>", which the server checks too).
 */
import { useEffect, useState } from "preact/hooks";
import type { AdminBoardPage } from "../../../../shared/admin-api.ts";
import { BOARD_PERIODS } from "../../../../shared/admin-api.ts";
import type { LeaderboardPeriod } from "../../../../shared/schemas.ts";
import { api, qs } from "../api.ts";
import { ConfirmButton, Empty, Panel, html, toast, toastError } from "../ui.ts";
import { int } from "../format.ts";
import { go } from "../app.ts";

const PAGE = 50;

export function LeaderboardsView() {
  const [period, setPeriod] = useState<LeaderboardPeriod>("weekly");
  const [date, setDate] = useState("");
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<AdminBoardPage | null>(null);
  const [typed, setTyped] = useState("");
  const [version, setVersion] = useState(0);
  useEffect(() => {
    api<AdminBoardPage>("GET", `/leaderboards/${period}${qs({ date: date || undefined, offset, limit: PAGE })}`).then(setPage, (e) => {
      setPage(null);
      toastError(e);
    });
  }, [period, date, offset, version]);
  const expected = page ? `${period}:${page.instance}` : "";
  const dateQs = qs({ date: date || undefined });
  const remove = async (playerId: string, name: string) => {
    await api("DELETE", `/leaderboards/${period}/players/${encodeURIComponent(playerId)}${dateQs}`);
    toast(`Removed ${name} from ${expected}`);
    setVersion((v) => v + 1);
  };
  const reset = async () => {
    await api("POST", `/leaderboards/${period}/reset${dateQs}`, { confirm: typed });
    toast(`Board ${expected} reset`);
    setTyped("");
    setVersion((v) => v + 1);
  };
  return html`<div class="view-head"><h2>Leaderboards</h2></div>
    <div class="row">
      ${BOARD_PERIODS.map((p) => html`<button key=${p} type="button" class=${p === period ? "small" : "small ghost"} onClick=${() => { setPeriod(p); setOffset(0); }}>${p}</button>`)}
      <label class="row">${period === "alltime" ? "" : "Day or week"}
        ${period === "alltime" ? null : html`<input type="text" placeholder=${period === "daily" ? "YYYY-MM-DD (today)" : "YYYY-Www (this week)"} value=${date} onChange=${(e: Event) => { setDate((e.target as HTMLInputElement).value.trim()); setOffset(0); }} />`}
      </label>
    </div>
    <div class="grid two mt">
      <${Panel} title=${page ? `${expected} · ${int(page.total)} players` : "Board"}>
        ${page && page.entries.length
          ? html`<table id="board">
              <thead><tr><th class="num">Rank</th><th>Player</th><th class="num">Score</th><th></th></tr></thead>
              <tbody>${page.entries.map((e) => html`<tr key=${e.playerId}>
                <td class="num">${int(e.rank)}</td>
                <td><a class="player-name" href=${`#/players/${encodeURIComponent(e.playerId)}`} onClick=${(ev: Event) => { ev.preventDefault(); go("players", e.playerId); }}>${e.name}</a></td>
                <td class="num">${int(e.score)}</td>
                <td class="num"><${ConfirmButton} label="Remove" onConfirm=${() => remove(e.playerId, e.name)} /></td>
              </tr>`)}</tbody>
            </table>
            <div class="row mt">
              <button type="button" class="small ghost" disabled=${offset === 0} onClick=${() => setOffset(Math.max(0, offset - PAGE))}>Previous</button>
              <button type="button" class="small ghost" disabled=${!page || offset + PAGE >= page.total} onClick=${() => setOffset(offset + PAGE)}>Next</button>
            </div>`
          : html`<${Empty}>This board is empty.</${Empty}>`}
      </${Panel}>
      <${Panel} title="Reset this board">
        <p class="muted">Removes every entry of <strong>${expected || "the board"}</strong>. It cannot be undone. Type <span class="mono">${expected}</span> to confirm.</p>
        <div class="row">
          <input id="reset-confirm" class="mono" value=${typed} onInput=${(e: Event) => setTyped((e.target as HTMLInputElement).value)} placeholder=${expected} aria-label="Type the board name to confirm" />
          <button type="button" class="danger" disabled=${!expected || typed !== expected} onClick=${() => void reset().catch(toastError)}>Reset board</button>
        </div>
      </${Panel}>
    </div>`;
}
