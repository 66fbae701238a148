/**
 * The signed-in shell: top bar (who, which node answers, live status), the view navigation (hash routes,
 * so a reload or a shared link opens the same view; ids only, never the token), and the current view.
 */
import { useEffect, useState } from "preact/hooks";
import type { WhoAmI } from "../../../shared/admin-api.ts";
import { useLiveStatus } from "./live.ts";
import { Session, Toasts, html } from "./ui.ts";
import { OverviewView } from "./views/overview.ts";
import { MatchmakingView } from "./views/matchmaking.ts";
import { MatchesView } from "./views/matches.ts";
import { PlayersView } from "./views/players.ts";
import { LeaderboardsView } from "./views/leaderboards.ts";
import { AbuseView } from "./views/abuse.ts";
import { AnnounceView } from "./views/announce.ts";
import { AuditView } from "./views/audit.ts";

const VIEWS = [
  { id: "overview", label: "Overview", view: OverviewView },
  { id: "matchmaking", label: "Matchmaking", view: MatchmakingView },
  { id: "matches", label: "Matches", view: MatchesView },
  { id: "players", label: "Players", view: PlayersView },
  { id: "leaderboards", label: "Leaderboards", view: LeaderboardsView },
  { id: "abuse", label: "Abuse", view: AbuseView },
  { id: "announce", label: "Announcements", view: AnnounceView },
  { id: "audit", label: "Audit log", view: AuditView },
] as const;

/** "#/matches/abc" -> { view: "matches", arg: "abc" }. */
function parseHash(): { view: string; arg: string | null } {
  const [, view = "overview", arg = null] = location.hash.replace(/^#\/?/, "/").split("/");
  return { view: VIEWS.some((v) => v.id === view) ? view : "overview", arg: arg ? decodeURIComponent(arg) : null };
}

/** Navigates to a view (and optionally one item in it). */
export function go(view: string, arg?: string | null): void {
  location.hash = `#/${view}${arg ? `/${encodeURIComponent(arg)}` : ""}`;
}

export function App(props: { who: WhoAmI; onSignOut: () => void }) {
  const [route, setRoute] = useState(parseHash);
  const status = useLiveStatus();
  useEffect(() => {
    const on = () => setRoute(parseHash());
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  const current = VIEWS.find((v) => v.id === route.view)!;
  const View = current.view as (p: { arg: string | null }) => ReturnType<typeof html>;
  useEffect(() => {
    document.title = `${current.label} · Arena Ops`;
  }, [current.label]);
  return html`<${Session.Provider} value=${props.who}>
    <div class="shell">
      <header class="topbar">
        <span class="brand"><span class="dot">●</span> redis-arena <span class="muted">ops</span></span>
        <span class="spacer"></span>
        <span class=${`status ${status}`} id="live-status">${status === "live" ? "Live" : status === "down" ? "Disconnected" : "Connecting…"}</span>
        <span class="muted">via <span class="mono">${props.who.nodeId}</span></span>
        <span>signed in as <strong id="who">${props.who.label}</strong></span>
        <button type="button" class="ghost small" onClick=${props.onSignOut}>Sign out</button>
      </header>
      <nav aria-label="Views">
        ${VIEWS.map((v) => html`<a key=${v.id} href=${`#/${v.id}`} aria-current=${v.id === route.view ? "page" : undefined}>${v.label}</a>`)}
      </nav>
      <main id="view" data-view=${route.view}>
        <${View} key=${route.view} arg=${route.arg} />
      </main>
    </div>
    <${Toasts} />
  </${Session.Provider}>`;
}
