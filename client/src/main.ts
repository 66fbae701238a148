/**
 * The browser client, wired: the store (state/app-state.ts, a pure reducer), the session and the one
 * socket that survives drops, and one view per screen. Nothing runs at import time except `start()`
 * at the bottom. Plain DOM (no framework); every piece of server data reaches the page through
 * textContent or canvas fillText only.
 */
import { initialState } from "./state/app-state.ts";
import { createStore } from "./store.ts";
import { Session } from "./session.ts";
import { Connection } from "./connection.ts";
import { runCommand } from "./effects.ts";
import { bindServerEvents, connectionHooks } from "./server-events.ts";
import { loadRegion } from "./location.ts";
import { showScreen } from "./dom.ts";
import { emptyDebug, syncDebug, type ClientDebug } from "./debug.ts";
import { mountTopBar } from "./screens/top-bar.ts";
import { mountBanners } from "./screens/banners.ts";
import { mountNameScreen } from "./screens/name-screen.ts";
import { mountQueueScreen } from "./screens/queue-screen.ts";
import { mountGameScreen } from "./screens/game-screen.ts";
import { mountResultsScreen } from "./screens/results-screen.ts";
import type { ScreenView, View } from "./screens/view.ts";

export function start(): void {
  const session = new Session();
  // The hooks dispatch only once the socket connects, long after `store` exists.
  const conn = new Connection(session, connectionHooks((a) => store.dispatch(a)));
  const store = createStore(initialState({ name: session.name, playerId: session.playerId, region: loadRegion() }), (cmd) =>
    runCommand(cmd, { session, conn, dispatch: store.dispatch }),
  );
  const { dispatch } = store;

  const game = mountGameScreen({ sendInput: (f) => conn.socket.emit("match:input", f), rttMs: () => conn.rttMs });
  const screens: Record<string, ScreenView> = {
    name: mountNameScreen(dispatch),
    queue: mountQueueScreen(dispatch),
    game,
    end: mountResultsScreen(dispatch),
  };
  const views: View[] = [mountTopBar(dispatch), mountBanners(dispatch), ...Object.values(screens)];

  const debug = emptyDebug();
  (window as unknown as { __arena: ClientDebug }).__arena = debug;

  const render = (s = store.state, prev: typeof s | null = null) => {
    for (const v of views) v.render(s, prev);
    const screen = screens[s.screen]; // none for "boot": the name form stays up until the login is checked
    if (screen && s.screen !== prev?.screen) showScreen(`screen-${s.screen}`, screen.focus(s));
    syncDebug(debug, s, game.matchDebug());
  };
  store.subscribe(render);
  bindServerEvents(conn.socket, dispatch, (snap) => game.onSnapshot(snap));
  render();
  dispatch({ type: "boot", hasToken: session.token !== null });
}

start();
