/** Audit log: every admin action, newest first (live), and older pages on demand. */
import { useState } from "preact/hooks";
import type { AuditEntry, AuditPage } from "../../../../shared/admin-api.ts";
import { api, qs } from "../api.ts";
import { useView } from "../live.ts";
import { Badge, Empty, Panel, html, toastError } from "../ui.ts";
import { clock } from "../format.ts";

function Row(props: { e: AuditEntry }) {
  const e = props.e;
  const ok = e.status < 400;
  return html`<tr data-action=${e.action}>
    <td class="mono">${clock(e.at)}</td>
    <td><strong>${e.who}</strong></td>
    <td><${Badge} tone=${ok ? undefined : "bad"}>${e.action}</${Badge}></td>
    <td class="mono">${e.target}</td>
    <td class="mono muted">${e.detail === "{}" ? "" : e.detail}</td>
    <td class=${`num ${ok ? "" : "bad"}`}>${e.status}</td>
    <td class="mono muted">${e.ip}</td>
    <td class="mono muted">${e.nodeId}</td>
  </tr>`;
}

export function AuditView() {
  const live = useView("audit");
  const [older, setOlder] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const cursor = next === undefined ? live?.next ?? null : next;
  const more = () =>
    cursor &&
    api<AuditPage>("GET", `/audit${qs({ count: 100, before: cursor })}`).then((p) => {
      setOlder((o) => [...o, ...p.entries]);
      setNext(p.next);
    }, toastError);
  const entries = [...(live?.entries ?? []), ...older];
  return html`<div class="view-head"><h2>Audit log</h2><span class="muted">every admin action, newest first</span></div>
    <${Panel}>
      ${entries.length
        ? html`<div class="table-wrap"><table id="audit">
            <thead><tr><th>When</th><th>Who</th><th>Action</th><th>Target</th><th>Detail</th><th class="num">Status</th><th>From</th><th>Node</th></tr></thead>
            <tbody>${entries.map((e) => html`<${Row} key=${e.id} e=${e} />`)}</tbody>
          </table></div>
          <div class="row mt"><button type="button" class="small ghost" disabled=${!cursor} onClick=${more}>Older entries</button></div>`
        : html`<${Empty}>${live ? "No admin action yet." : "Loading…"}</${Empty}>`}
    </${Panel}>`;
}
