/**
 * Kick: the player's sockets, wherever they are connected, get `server:notice { code: KICKED }` and are
 * closed. Per socket (as for bans): a socket's own notice and disconnect travel in order, which a room
 * broadcast followed by a room disconnect (two adapter messages) does not promise.
 */
import { ErrorCode } from "../../shared/errors.ts";
import { rooms } from "../../shared/protocol.ts";
import type { PlayerSocket } from "../../shared/admin-api.ts";
import type { AppServer } from "../sockets/types.ts";

/** How long a cross-node socket lookup may take before it fails. */
export const FETCH_SOCKETS_TIMEOUT_MS = 2000;

/** Disconnects every live socket of a player; resolves with how many there were. */
export async function kickPlayer(io: AppServer, playerId: string, reason: string | undefined): Promise<number> {
  const sockets = await io.in(rooms.player(playerId)).timeout(FETCH_SOCKETS_TIMEOUT_MS).fetchSockets();
  const message = reason ? `Disconnected by an operator: ${reason}` : "Disconnected by an operator";
  for (const s of sockets) {
    s.emit("server:notice", { code: ErrorCode.KICKED, message });
    s.disconnect(true);
  }
  return sockets.length;
}

/** A player's live sockets, on any node. */
export async function playerSockets(io: AppServer, playerId: string): Promise<PlayerSocket[]> {
  const sockets = await io.in(rooms.player(playerId)).timeout(FETCH_SOCKETS_TIMEOUT_MS).fetchSockets();
  return sockets.map((s) => ({ socketId: s.id, ip: s.data.ip, connectedAt: s.data.connectedAt }));
}
