/**
 * Artillery processor of arena.yml (Artillery bundles this TypeScript file with esbuild before a run).
 * The HTTP steps (login, logout, leaderboard pages) are in the YAML, measured by Artillery itself; the
 * socket.io part of a player's life is `playSession`, written with the project's own contract
 * (shared/protocol.ts) and socket.io-client, because a whole match (inputs at ~10/s, waiting for events
 * pushed by the server, reconnects) does not fit Artillery's emit/expect steps: its built-in socketio
 * engine also connects before the first step, so a token from the scenario's own login cannot reach the
 * handshake.
 */
import { readParams } from "./lib/params.ts";
import { playSession as play } from "./lib/player-session.ts";
import { Recorder, type ArtilleryEvents } from "./lib/recorder.ts";

interface Context {
  vars: Record<string, unknown>;
}
type Next = (err?: Error | boolean) => void;

/** When this worker loaded the processor: `playSeconds` counts from here. */
const loadedAt = Date.now();

function deadline(vars: Record<string, unknown>): number {
  return loadedAt + readParams(vars).playSeconds * 1000;
}

/** beforeScenario: makes the error counter exist, so the `arena.errors == 0` gate can pass. */
export function initMetrics(_context: Context, events: ArtilleryEvents, next: Next): void {
  new Recorder(events).touch();
  next();
}

/** whileTrue of the players' and readers' loops: go on until the run's play time is over. */
export function beforeDeadline(context: Context, next: (go: boolean) => void): void {
  next(Date.now() < deadline(context.vars));
}

/** One session of a logged-in player (token and playerId captured from POST /api/sessions). */
export async function playSession(context: Context, events: ArtilleryEvents): Promise<void> {
  const rec = new Recorder(events);
  const { token, playerId, target } = context.vars;
  if (typeof token !== "string" || typeof playerId !== "string") {
    rec.error("login_failed"); // the failed response was counted by countHttpErrors
    await new Promise((r) => setTimeout(r, 1000));
    return;
  }
  await play({ target: String(target), token, playerId, params: readParams(context.vars), rec, deadline: deadline(context.vars) });
}

/** After the logout: the next login of the loop must not find this session's token. */
export function forgetSession(context: Context, _events: ArtilleryEvents, next: Next): void {
  delete context.vars.token;
  delete context.vars.playerId;
  next();
}

/** afterResponse of every YAML request: a 4xx/5xx is an error (Artillery itself only counts codes). */
export function countHttpErrors(_req: unknown, res: { statusCode: number }, _context: Context, events: ArtilleryEvents, next: Next): void {
  if (res.statusCode >= 400) new Recorder(events).error(`http_${res.statusCode}`);
  next();
}
