/** Builders for the client-state tests (client/src/state/): a state at a given point, match messages. */
import { initialState, reduce, type Action, type AppState } from "../../client/src/state/app-state.ts";
import type { MatchEnd, MatchStart } from "../../shared/game/types.ts";
import type { QueueStatus } from "../../shared/protocol.ts";

export const ME = "p-me";
export const fresh = (name: string | null = "Zoë") => initialState({ name, playerId: name ? ME : null, region: "eu-west" });
export const run = (s: AppState, ...actions: Action[]) => actions.reduce(reduce, s);
/** The command types the last transition asked for. */
export const types = (s: AppState) => s.commands.map((c) => c.type);

/** Deep-freezes a state so a reducer that mutates its input throws. */
export function frozen<T>(v: T): T {
  if (v && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) frozen(x);
  }
  return v;
}


/** Signed in, in the lobby. */
export const lobby = () => run(fresh(), { type: "boot", hasToken: true }, { type: "session:ready", name: "Zoë", playerId: ME });
/** Waiting in eu-west since t=1000. */
export const searching = () =>
  run(lobby(), { type: "queue:find", now: 1000 }, { type: "queue:joined", ack: { ok: true, data: { ticketId: "t", region: "eu-west", estimatedWaitMs: 4200 } } });

export function start(matchId = "m1"): MatchStart {
  return {
    matchId,
    seed: 1,
    you: 0,
    players: [
      { playerId: ME, name: "Zoë", index: 0 },
      { playerId: "p-bob", name: "Bob", index: 1 },
    ],
    arena: { width: 1600, height: 1000 },
    tickHz: 20,
    phase: "countdown",
    durationMs: 90_000,
  };
}

/** Two players; `mine` and `bob` are the scores (equal scores tie for first). */
export function end(matchId: string, mine: number, bob: number): MatchEnd {
  const place = (a: number, b: number) => (a >= b ? 1 : 2);
  return {
    matchId,
    endedAt: 1,
    results: [
      { playerId: "p-bob", name: "Bob", score: bob, placement: place(bob, mine) },
      { playerId: ME, name: "Zoë", score: mine, placement: place(mine, bob) },
    ],
  };
}

export const status = (elapsedMs: number, radiusKm = 500): QueueStatus => ({
  ticketId: "t",
  region: "eu-west",
  elapsedMs,
  radiusKm,
  skillBand: 100,
  playersInRange: 3,
  worldwide: false,
});

