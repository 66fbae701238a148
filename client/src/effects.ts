/**
 * Runs the commands the reducer asks for (HTTP, socket, geolocation, storage, timers) and dispatches
 * their outcomes. Decisions live in the reducer; this file only does the I/O and turns results and
 * failures into actions, so every promise here ends in an action or a deliberate shrug.
 */
import type { Ack, BoardsTop, LeaderboardPage, QueueJoined } from "../../shared/protocol.ts";
import type { QueueJoinRequest } from "../../shared/schemas.ts";
import type { Command } from "./state/app-state.ts";
import type { Connection } from "./connection.ts";
import { ApiError, type Session } from "./session.ts";
import { geoPermission, locate, saveRegion } from "./location.ts";
import type { Dispatch } from "./store.ts";

export interface EffectDeps {
  session: Session;
  conn: Connection;
  dispatch: Dispatch;
}

const JOIN_TIMEOUT_MS = 8000;
const LEAVE_TIMEOUT_MS = 5000;
const BOARDS_TIMEOUT_MS = 5000;

export function runCommand(cmd: Command, deps: EffectDeps): void {
  const { session, conn, dispatch } = deps;
  switch (cmd.type) {
    case "restore-session":
      void restoreSession(session).then((known) =>
        dispatch(known ? { type: "session:ready", name: session.name, playerId: session.playerId } : { type: "session:ended" }),
      );
      return;
    case "login":
      session.login(cmd.name).then(
        () => dispatch({ type: "session:ready", name: session.name, playerId: session.playerId }),
        (err) => dispatch({ type: "login:failed", message: err instanceof ApiError ? err.message : "Cannot reach the server. Try again." }),
      );
      return;
    case "logout":
      conn.stop("logged out");
      void session.logout().then(() => dispatch({ type: "session:ended" }));
      return;
    case "connect":
      if (!conn.socket.connected) conn.connect();
      return;
    case "queue:join":
      void joinQueue(conn, cmd.request, dispatch);
      return;
    case "queue:leave":
      // Best effort: a ticket nobody waits on expires by itself.
      conn.socket.timeout(LEAVE_TIMEOUT_MS).emitWithAck("queue:leave", {}).catch(() => {});
      return;
    case "boards:load":
      loadBoards(conn).then(
        ({ entries, subscribed }) => dispatch({ type: "boards:loaded", entries, subscribed }),
        () => dispatch({ type: "boards:failed" }),
      );
      return;
    case "boards:unsubscribe":
      if (conn.socket.connected) conn.socket.emit("boards:unsubscribe", { period: "alltime" }, () => {});
      return;
    case "probe-location":
      void geoPermission().then((permission) => dispatch({ type: "location:permission", permission }));
      return;
    case "locate":
      locate().then(
        (geo) => dispatch({ type: "location:found", geo }),
        (err: unknown) => dispatch({ type: "location:failed", message: (err as Error).message }),
      );
      return;
    case "save-region":
      saveRegion(cmd.region);
      return;
    case "banner-timer":
      setTimeout(() => dispatch({ type: "banner:expired", id: cmd.id }), cmd.ms);
      return;
  }
}

/** True when the stored login is usable; a stale token logs in again as the same device and name. */
async function restoreSession(session: Session): Promise<boolean> {
  if (!session.token) return false;
  try {
    if (await session.check()) return true;
    if (!session.name) return false;
    await session.relogin();
    return true;
  } catch {
    // The node or Redis is having a moment; the socket's own retries (and re-login) will sort it out.
    return session.token !== null;
  }
}

async function joinQueue(conn: Connection, request: QueueJoinRequest, dispatch: Dispatch): Promise<void> {
  const s = conn.socket;
  if (!s.connected) return; // sent on connect (connection:up)
  try {
    const ack = (await s.timeout(JOIN_TIMEOUT_MS).emitWithAck("queue:join", request)) as Ack<QueueJoined>;
    dispatch({ type: "queue:joined", ack });
  } catch {
    if (s.connected) dispatch({ type: "queue:no-answer" }); // else a drop: connection:up asks again
  }
}

/**
 * The all-time top 10: subscribed over the socket (the ack carries the board now and `boards:top` pushes
 * the update once this match's result has been applied), or one HTTP read when the socket is down.
 */
async function loadBoards(conn: Connection): Promise<{ entries: BoardsTop["entries"]; subscribed: boolean }> {
  if (conn.socket.connected) {
    const ack = (await conn.socket.timeout(BOARDS_TIMEOUT_MS).emitWithAck("boards:subscribe", { period: "alltime" })) as Ack<BoardsTop>;
    if (!ack.ok) throw new Error(ack.error.code);
    return { entries: ack.data.entries, subscribed: true };
  }
  const res = await fetch("/api/leaderboards/alltime?limit=10");
  if (!res.ok) throw new Error(String(res.status));
  const page = (await res.json()) as Partial<LeaderboardPage>;
  return { entries: Array.isArray(page.entries) ? page.entries : [], subscribed: false };
}
