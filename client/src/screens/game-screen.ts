/**
 * The match on screen: one MatchView per match (canvas, HUD, controls), created when the state names a
 * match, told to start over when the same match starts again (reload, drop, failover), destroyed when
 * the state drops it. Snapshots come straight here, not through the store.
 */
import type { InputFrame, MatchStart, Snapshot } from "../../../shared/game/types.ts";
import { MatchView, type MatchDebug } from "../match-view.ts";
import { byId } from "../dom.ts";
import type { ScreenView } from "./view.ts";

export interface GameScreenDeps {
  sendInput: (frame: InputFrame) => void;
  rttMs: () => number;
}

export interface GameScreen extends ScreenView {
  onSnapshot(snap: Snapshot): void;
  /** The live debug view of the match on screen (window.__arena.match). */
  matchDebug(): MatchDebug | null;
}

export function mountGameScreen(deps: GameScreenDeps): GameScreen {
  const canvas = byId<HTMLCanvasElement>("game-canvas");
  const dashButton = byId<HTMLButtonElement>("dash-button");
  const hud = { score: byId("hud-score"), time: byId("hud-time"), ping: byId("hud-ping"), players: byId("hud-players") };
  let view: MatchView | null = null;
  let shown: MatchStart | null = null;
  let online = false;

  function show(start: MatchStart | null): void {
    if (start && view && view.start.matchId === start.matchId) view.rejoin(start);
    else {
      view?.destroy();
      view = start
        ? new MatchView(start, {
            canvas,
            dashButton,
            hud,
            sendInput: deps.sendInput,
            rttMs: deps.rttMs,
            banner: () => (online ? null : "Reconnecting…"),
          })
        : null;
    }
    shown = start;
  }

  return {
    render(s) {
      online = s.connection?.status === "online";
      if (s.match !== shown) show(s.match);
    },
    focus: () => canvas,
    onSnapshot: (snap) => view?.onSnapshot(snap),
    matchDebug: () => view?.debug ?? null,
  };
}
