/** The read-only view of the client state on `window.__arena`, for tests and the console. */
import type { Notice, QueueStatus } from "../../shared/protocol.ts";
import type { MatchEnd } from "../../shared/game/types.ts";
import type { ConnectionStatus } from "./connection.ts";
import type { MatchDebug } from "./match-view.ts";
import type { AppState, QueuePhase } from "./state/app-state.ts";

/** Read by tests (and handy in the console); never read by the app itself. */
export interface ClientDebug {
  screen: string;
  connection: ConnectionStatus;
  queue: QueuePhase;
  queueStatus: QueueStatus | null;
  notices: Notice[];
  match: MatchDebug | null;
  lastEnd: MatchEnd | null;
}

export function emptyDebug(): ClientDebug {
  return { screen: "boot", connection: "stopped", queue: "idle", queueStatus: null, notices: [], match: null, lastEnd: null };
}

/** Copies the state into the debug view; `match` is the live object the match view updates every frame. */
export function syncDebug(d: ClientDebug, s: AppState, match: MatchDebug | null): void {
  d.screen = s.screen;
  d.connection = s.connection?.status ?? "stopped";
  d.queue = s.queue.phase;
  d.queueStatus = s.queue.status;
  d.notices = s.notices;
  d.match = match;
  d.lastEnd = s.lastEnd;
}
