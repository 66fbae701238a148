/**
 * What the server and the connection say, as actions. Snapshots (20 a second) skip the store and go to
 * the match on screen, which owns prediction and interpolation; they arrive encoded (base64 bytes) and are
 * decoded here, once. One that does not decode is dropped (the next one comes 50 ms later).
 */
import type { Snapshot } from "../../shared/game/types.ts";
import { decodeSnapshot } from "../../shared/game/snapshot-codec.ts";
import type { ConnectionHooks, GameSocket } from "./connection.ts";
import type { Dispatch } from "./store.ts";

export function connectionHooks(dispatch: Dispatch): ConnectionHooks {
  return {
    status: (status, detail) => dispatch({ type: "connection:status", status, detail: detail ?? "" }),
    connected: () => dispatch({ type: "connection:up" }),
    notice: (notice) => dispatch({ type: "notice", notice }),
    loggedOut: () => dispatch({ type: "session:ended", message: "Please log in again." }),
  };
}

export function bindServerEvents(s: GameSocket, dispatch: Dispatch, onSnapshot: (snap: Snapshot) => void): void {
  s.on("queue:status", (status) => dispatch({ type: "queue:status", status, now: performance.now() }));
  s.on("queue:cancelled", () => dispatch({ type: "queue:cancelled" }));
  s.on("match:found", (found) => dispatch({ type: "match:found", found }));
  s.on("match:start", (start) => dispatch({ type: "match:start", start }));
  s.on("match:snapshot", (raw) => {
    let snap: Snapshot;
    try {
      snap = decodeSnapshot(raw);
    } catch (err) {
      console.warn("unreadable snapshot dropped", err);
      return;
    }
    onSnapshot(snap);
  });
  s.on("match:end", (end) => dispatch({ type: "match:end", end }));
  s.on("match:resumed", () => dispatch({ type: "match:resumed" }));
  s.on("announce", (announcement) => dispatch({ type: "announce", announcement }));
  s.on("boards:top", (top) => dispatch({ type: "boards:top", top }));
}
