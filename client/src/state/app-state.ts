/**
 * The client's screen state as one pure reducer: `reduce(state, action)` returns the next state, whose
 * `commands` list the I/O that transition asks for (log in, send queue:join, subscribe to the board,
 * start a timer...). The store runs them; their outcomes come back as actions. No DOM, socket or clock
 * in here, so test/client-state.test.ts drives every transition under Node.
 *
 * Screens: boot -> name -> queue (lobby and queue) -> game -> end (results) -> queue ...
 */
import { normalizeName } from "../../../shared/name-rules.ts";
import type { RegionId } from "../../../shared/regions.ts";
import * as banners from "./banners.ts";
import * as match from "./match.ts";
import * as queue from "./queue.ts";
import type { Action, AppState, Command } from "./types.ts";

export type * from "./types.ts";
export { BANNER_MS } from "./banners.ts";
export { joinRequest, regionLocked, wantsTicket } from "./queue.ts";
export { resultsOf } from "./match.ts";

type Next = [AppState, Command[]];

export function initialState(init: { name: string | null; playerId: string | null; region: RegionId }): AppState {
  return {
    screen: "boot",
    player: { name: init.name, playerId: init.playerId },
    signedIn: false,
    nameForm: { error: "", pending: false },
    connection: null,
    where: queue.initialWhere(init.region),
    queue: queue.initialQueue(),
    match: null,
    lastEnd: null,
    results: null,
    boards: match.initialBoards(),
    banner: null,
    bannerSeq: 0,
    announcement: null,
    notices: [],
    commands: [],
  };
}

const only = (s: AppState): Next => [s, []];

/** The name screen, with the remembered name prefilled and an optional message. */
function toNameScreen(s: AppState, message = ""): AppState {
  return { ...s, screen: "name", signedIn: false, nameForm: { error: message, pending: false } };
}

/** The lobby: signed in, the socket up. A found match that never started is not waited for any more. */
function toLobby(s: AppState): Next {
  const q = s.queue.phase === "found" ? queue.idle(s.queue) : s.queue;
  return [{ ...s, screen: "queue", signedIn: true, queue: q }, [{ type: "connect" }]];
}

function submitName(s: AppState, raw: string): Next {
  if (s.nameForm.pending) return only(s);
  const name = normalizeName(raw);
  if (name === null) return only({ ...s, nameForm: { error: "Use 1-20 letters, digits, spaces, _ or -.", pending: false } });
  return [{ ...s, nameForm: { error: "", pending: true } }, [{ type: "login", name }]];
}

function step(s: AppState, a: Action): Next {
  switch (a.type) {
    case "boot":
      return a.hasToken ? [s, [{ type: "probe-location" }, { type: "restore-session" }]] : [toNameScreen(s), [{ type: "probe-location" }]];
    case "session:ready":
      return toLobby({ ...s, player: { name: a.name, playerId: a.playerId }, nameForm: { error: "", pending: false } });
    case "session:ended":
      // Logged out, or the login is gone and could not be renewed. The match view goes with it.
      return only(toNameScreen({ ...s, match: null }, a.message));
    case "name:submit":
      return submitName(s, a.raw);
    case "login:failed":
      return only({ ...s, nameForm: { error: a.message, pending: false } });
    case "logout":
      // The socket stops with the session: no unsubscribe to send. The name screen follows session:ended.
      return [{ ...s, match: null, queue: queue.idle(s.queue), boards: { ...s.boards, subscribed: false } }, [{ type: "logout" }]];
    case "connection:status":
      return only({ ...s, connection: { status: a.status, detail: a.detail } });
    case "connection:up":
      // A ticket may have expired while we were away: ask again. A running match needs nothing: the
      // server sends match:start again when this socket rejoins it.
      return queue.rejoin(s);
    case "notice":
      return banners.notice(s, a.notice);
    case "banner:act":
      return banners.act(s);
    case "banner:close":
      return only({ ...s, banner: null });
    case "banner:expired":
      return only(banners.expired(s, a.id));
    case "announce":
      return only({ ...s, announcement: a.announcement });
    case "announcement:dismiss":
      return only({ ...s, announcement: null });
    case "location:permission":
      return queue.permission(s, a.permission);
    case "location:toggle":
      return queue.toggleLocation(s, a.on);
    case "location:found":
      return only(queue.located(s, a.geo));
    case "location:failed":
      return only(queue.locateFailed(s, a.message));
    case "region:select":
      return queue.selectRegion(s, a.region);
    case "queue:find":
      return queue.find(s, a.now);
    case "queue:cancel":
      return queue.cancel(s);
    case "queue:joined":
      return only(queue.joined(s, a.ack));
    case "queue:no-answer":
      return only(queue.noAnswer(s));
    case "queue:status":
      return only(queue.status(s, a.status, a.now));
    case "queue:cancelled":
      // The ticket vanished (expired, or lost with a node mid-move): the player still wants a game.
      return queue.cancelledByServer(s);
    case "match:found":
      return only(queue.found(s, a.found));
    case "match:start":
      return only(match.start(s, a.start));
    case "match:resumed":
      return banners.showBanner(s, "The match moved to another server. Play on!");
    case "match:end":
      return match.end(s, a.end);
    case "boards:loaded":
      return match.boardsLoaded(s, a.entries, a.subscribed);
    case "boards:failed":
      return only(match.boardsFailed(s));
    case "boards:top":
      return only(match.boardsTop(s, a.top));
    case "lobby":
      return toLobby(s);
    case "play-again": {
      const [lobby, cmds] = toLobby(s);
      const [searching, more] = queue.find(lobby, a.now);
      return [searching, [...cmds, ...more]];
    }
  }
}

/** The next state; its `commands` are what this action asks to run (and only this one). */
export function reduce(state: AppState, action: Action): AppState {
  const [next, commands] = match.leaveEnd(state, step(state, action));
  return { ...next, commands };
}
