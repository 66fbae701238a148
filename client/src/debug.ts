/** The read-only view of the client state on `window.__arena`, for tests and the console (types only). */
import type { Notice, QueueStatus } from "../../shared/protocol.ts";
import type { MatchEnd } from "../../shared/game/types.ts";
import type { ConnectionStatus } from "./connection.ts";
import type { MatchDebug } from "./match-view.ts";

export type QueueState = "idle" | "joining" | "searching" | "found";

/** Read by tests (and handy in the console); never read by the app itself. */
export interface ClientDebug {
  screen: string;
  connection: ConnectionStatus;
  queue: QueueState;
  queueStatus: QueueStatus | null;
  notices: Notice[];
  match: MatchDebug | null;
  lastEnd: MatchEnd | null;
}

