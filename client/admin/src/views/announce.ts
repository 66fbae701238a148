/**
 * Announcements: a banner to every player on every node (and to those who connect while it lasts),
 * with a preview, and the current announcement with a button to stop it.
 */
import { useEffect, useState } from "preact/hooks";
import type { CurrentAnnouncement } from "../../../../shared/admin-api.ts";
import { ANNOUNCE_MAX_CHARS } from "../../../../shared/admin-schemas.ts";
import { api } from "../api.ts";
import { ConfirmButton, Empty, Panel, html, toast, toastError } from "../ui.ts";
import { clock, duration } from "../format.ts";

const LENGTHS: [string, number][] = [["1 minute", 60], ["5 minutes", 300], ["30 minutes", 1800], ["2 hours", 7200], ["1 day", 86_400]];

export function AnnounceView() {
  const [message, setMessage] = useState("");
  const [ttl, setTtl] = useState(300);
  const [current, setCurrent] = useState<CurrentAnnouncement["announcement"]>(null);
  const [busy, setBusy] = useState(false);
  const load = () => api<CurrentAnnouncement>("GET", "/announce").then((r) => setCurrent(r.announcement), toastError);
  useEffect(() => void load(), []);
  const post = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api("POST", "/announce", { message: message.trim(), ttlSeconds: ttl });
      toast("Announcement sent to every player");
      setMessage("");
      await load();
    } catch (err) {
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  const text = message.trim();
  return html`<div class="view-head"><h2>Announcements</h2></div>
    <div class="grid two">
      <${Panel} title="New announcement">
        <form class="stack" onSubmit=${post}>
          <label>Message (every connected player sees it as a banner)
            <textarea id="announce-text" maxlength=${ANNOUNCE_MAX_CHARS} value=${message} onInput=${(e: Event) => setMessage((e.target as HTMLTextAreaElement).value)}></textarea>
          </label>
          <div class="row"><span class="muted">${message.length} / ${ANNOUNCE_MAX_CHARS}</span><span class="spacer"></span>
            <label class="row">Also show to players who connect within
              <select value=${ttl} onChange=${(e: Event) => setTtl(Number((e.target as HTMLSelectElement).value))}>${LENGTHS.map(([l, s]) => html`<option key=${s} value=${s}>${l}</option>`)}</select>
            </label>
          </div>
          ${text ? html`<div class="preview" aria-label="Preview">${text}</div>` : null}
          <div class="row"><button type="submit" id="announce-send" disabled=${busy || !text}>Send to everyone</button></div>
        </form>
      </${Panel}>
      <${Panel} title="Current announcement">
        ${current
          ? html`<div class="stack" id="current-announcement">
              <div class="preview">${current.message}</div>
              <div class="muted">by <strong>${current.by}</strong> at ${clock(current.at)} · shown to new players for ${duration(Math.max(0, current.expiresAt - Date.now()))} more</div>
              <div><${ConfirmButton} label="Stop showing it" class="small ghost" onConfirm=${async () => {
                await api("DELETE", "/announce");
                toast("Announcement cleared");
                await load();
              }} /></div>
            </div>`
          : html`<${Empty}>None. Players connecting now see no banner.</${Empty}>`}
      </${Panel}>
    </div>`;
}
