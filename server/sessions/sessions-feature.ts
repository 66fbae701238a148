/**
 * Feature "sessions": guest/device login, whoami and logout over HTTP, and token -> session resolution
 * for the socket handshake. Owns the session keys; the player behind a device comes from "players".
 *
 * Every token check goes through `authenticate(token, ip)`: the node's `beforeAuthenticate` guards may
 * refuse an address that has spent its bad-token budget before any Redis call, and each unknown token is
 * reported (`authFailed`) so the budget counts it. A token this node has seen valid recently is let
 * through all the same (Redis still decides): a NAT-mate spraying bogus tokens must not lock out the
 * players it shares an address with.
 */
import { defineFeature, type Core } from "../core/feature.ts";
import { rooms } from "../../shared/protocol.ts";
import { SessionStore, sessionIdOf, type Session } from "./session-store.ts";
import { InvalidTokenError } from "../errors.ts";
import { sessionRoutes } from "./session-routes.ts";

/** How long a logout waits for every node to list the player's sockets before closing them blindly. */
const LOGOUT_LOOKUP_TIMEOUT_MS = 2000;
/** Session ids this node saw valid, newest kept (~100 bytes each). */
const RECENT_VALID_MAX = 50_000;

export interface SessionsService {
  store: SessionStore;
  /** Resolves a token presented from `ip`, budgeted per address (use this, not the store, at the edges). */
  authenticate(token: unknown, ip: string): Promise<Session>;
}

declare module "../core/feature.ts" {
  interface Services {
    sessions: SessionsService;
  }
}

/** Closes the player's sockets of one session (null: of all), on whichever node they live. */
async function closeSessionSockets(core: Core, playerId: string, sessionId: string | null): Promise<void> {
  try {
    const sockets = await core.io.in(rooms.player(playerId)).timeout(LOGOUT_LOOKUP_TIMEOUT_MS).fetchSockets();
    for (const s of sockets) if (sessionId === null || s.data.sessionId === sessionId) s.disconnect(true);
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
    const store = new SessionStore(core.redis, core.keys, core.scripts, players.store, core.config.SESSION_TTL_SECONDS, core.now, core.config.MAX_SESSIONS_PER_DEVICE);
    const recentValid = new Set<string>();
    const authenticate = async (token: unknown, ip: string): Promise<Session> => {
      if (typeof token !== "string" || !recentValid.has(sessionIdOf(token))) core.beforeAuthenticate(ip);
      try {
        const session = await store.authenticate(token);
        recentValid.delete(session.sessionId);
        recentValid.add(session.sessionId);
        if (recentValid.size > RECENT_VALID_MAX) recentValid.delete(recentValid.values().next().value!);
        return session;
      } catch (err) {
        if (err instanceof InvalidTokenError) core.authFailed(ip);
        throw err;
      }
    };
    return {
      service: { store, authenticate },
      async registerRoutes(app) {
        await app.register(sessionRoutes, {
          sessions: store,
          authenticate,
          metrics: core.metrics,
          beforeLogin: core.beforeLogin,
          onLogout: (playerId, sessionId) => closeSessionSockets(core, playerId, sessionId),
        });
      },
    };
  },
});
