/**
 * Feature "sessions": guest/device login, whoami and logout over HTTP, and token -> session resolution
 * for the socket handshake. Owns the session keys; the player behind a device comes from "players".
 */
import { defineFeature, type Core } from "../core/feature.ts";
import { rooms } from "../../shared/protocol.ts";
import { SessionStore } from "./session-store.ts";
import { sessionRoutes } from "./session-routes.ts";

/** How long a logout waits for every node to list the player's sockets before closing them blindly. */
const LOGOUT_LOOKUP_TIMEOUT_MS = 2000;

export interface SessionsService {
  store: SessionStore;
}

declare module "../core/feature.ts" {
  interface Services {
    sessions: SessionsService;
  }
}

/** Closes the player's sockets of one session, on whichever node they live. */
async function closeSessionSockets(core: Core, playerId: string, sessionId: string): Promise<void> {
  try {
    const sockets = await core.io.in(rooms.player(playerId)).timeout(LOGOUT_LOOKUP_TIMEOUT_MS).fetchSockets();
    for (const s of sockets) if (s.data.sessionId === sessionId) s.disconnect(true);
  } catch (err) {
    // A stalled node must not turn a completed logout into a 500: close the player's socket blindly
    // (a player has one live socket; the token is already gone, so a reconnect is refused anyway).
    core.log.warn({ err, playerId }, "logout socket lookup timed out; disconnecting the player's sockets");
    core.io.in(rooms.player(playerId)).disconnectSockets(true);
  }
}

export const sessionsFeature = defineFeature({
  name: "sessions",
  needs: ["players"],
  create(core, { players }) {
    const store = new SessionStore(core.redis, core.keys, core.scripts, players.store, core.config.SESSION_TTL_SECONDS, core.now);
    return {
      service: { store },
      async registerRoutes(app) {
        await app.register(sessionRoutes, {
          sessions: store,
          metrics: core.metrics,
          beforeLogin: core.beforeLogin,
          onLogout: (playerId, sessionId) => closeSessionSockets(core, playerId, sessionId),
        });
      },
    };
  },
});
