/**
 * The pure game simulation: `step(state, inputs, dtMs)` with a seeded RNG, no Redis, sockets or timers.
 * The server's match host runs it at a fixed tick; the client runs the same movement rule
 * (`advancePlayer`) to predict its own player. State is plain JSON (a checkpoint is `JSON.stringify(state)`).
 *
 * API CONTRACT (used by server/matches and client/): createMatch, step, advance, toSnapshot, standings,
 * nextRandom. Internals may change freely; these signatures may only grow.
 *
 * States are values to everyone but their owner: `step` never modifies the state it is given and returns
 * a new one (players and the orb list copied, config shared); continue from the returned one. The one
 * owner of a state (the match host) advances it in place with `advance`, which allocates nothing per tick
 * but new orbs: at 63 matches x 20 Hz, copying every player every tick was over a quarter of what a node
 * allocated (bench/capacity.ts heap profile), and the garbage collector's work with it.
 *
 * The game: players steer (WASD/arrows/pointer), collect orbs (+1, rare gold +5) and dash on a cooldown;
 * a dash that hits someone knocks them back and makes them drop points as orbs. Highest score wins.
 */
import { GAME_RULES } from "./constants.ts";
import { advancePlayer, length, type MotionState } from "./player-motion.ts";
import { draw, type RngCursor } from "./rng.ts";
import type { InputFrame, MatchPhase, Snapshot, SnapshotPlayer } from "./types.ts";

export { nextRandom } from "./rng.ts";
export { advancePlayer } from "./player-motion.ts";
export { GAME_RULES } from "./constants.ts";

export interface GameConfig {
  arenaWidth: number;
  arenaHeight: number;
  countdownMs: number;
  durationMs: number;
  /** Units per second. */
  playerSpeed: number;
  playerRadius: number;
}

export const DEFAULT_GAME_CONFIG: GameConfig = {
  arenaWidth: 1600,
  arenaHeight: 1000,
  countdownMs: 3000,
  durationMs: 90_000,
  playerSpeed: 260,
  playerRadius: 22,
};

export interface PlayerState extends MotionState {
  x: number;
  y: number;
  vx: number;
  vy: number;
  score: number;
  /** Last input sequence applied (for client reconciliation). */
  lastSeq: number;
  dashCooldownMs: number;
}

export interface OrbState {
  id: number;
  x: number;
  y: number;
  value: number;
}

export interface SimState {
  config: GameConfig;
  /** RNG state (mulberry32). */
  rng: number;
  tick: number;
  phase: MatchPhase;
  /** Milliseconds left in the current phase. */
  phaseLeftMs: number;
  players: PlayerState[];
  orbs: OrbState[];
  nextOrbId: number;
  /** Time banked towards the next orb spawn. */
  spawnMs: number;
}

/** How many orbs the field refills towards for a match of `playerCount`. */
export function orbTarget(playerCount: number): number {
  return GAME_RULES.orbBase + GAME_RULES.orbPerPlayer * playerCount;
}

interface OrbSink extends RngCursor {
  nextOrbId: number;
  orbs: OrbState[];
}

function spawnOrb(s: OrbSink, cfg: GameConfig): void {
  const m = GAME_RULES.orbMargin;
  const x = m + draw(s) * (cfg.arenaWidth - 2 * m);
  const y = m + draw(s) * (cfg.arenaHeight - 2 * m);
  const value = draw(s) < GAME_RULES.goldChance ? GAME_RULES.goldValue : GAME_RULES.orbValue;
  s.orbs.push({ id: s.nextOrbId++, x, y, value });
}

/** A new match for `playerCount` players, deterministic for a seed. */
export function createMatch(seed: number, playerCount: number, config: Partial<GameConfig> = {}): SimState {
  const cfg = { ...DEFAULT_GAME_CONFIG, ...config };
  const players: PlayerState[] = [];
  for (let i = 0; i < playerCount; i++) {
    const a = (i / playerCount) * Math.PI * 2;
    players.push({
      x: cfg.arenaWidth / 2 + Math.cos(a) * cfg.arenaHeight * 0.35,
      y: cfg.arenaHeight / 2 + Math.sin(a) * cfg.arenaHeight * 0.35,
      vx: 0,
      vy: 0,
      score: 0,
      lastSeq: 0,
      dashCooldownMs: 0,
      dashMs: 0,
      stunMs: 0,
      // Facing the centre, so a dash before the first move goes somewhere useful.
      fx: -Math.cos(a),
      fy: -Math.sin(a),
    });
  }
  const sink: OrbSink = { rng: seed | 0, nextOrbId: 1, orbs: [] };
  // The field starts full so the countdown already shows what there is to grab.
  for (let i = 0; i < orbTarget(playerCount); i++) spawnOrb(sink, cfg);
  const countdown = cfg.countdownMs > 0;
  return {
    config: cfg,
    rng: sink.rng,
    tick: 0,
    phase: countdown ? "countdown" : "playing",
    phaseLeftMs: countdown ? cfg.countdownMs : cfg.durationMs,
    players,
    orbs: sink.orbs,
    nextOrbId: sink.nextOrbId,
    spawnMs: 0,
  };
}

/** Knocks `victim` away from `dasher` and scatters the points it drops behind it (towards the dasher). */
function bump(dasher: PlayerState, victim: PlayerState, sink: OrbSink, cfg: GameConfig): void {
  let nx = victim.x - dasher.x;
  let ny = victim.y - dasher.y;
  let len = length(nx, ny);
  if (len < 1e-6) {
    nx = dasher.vx;
    ny = dasher.vy;
    len = length(nx, ny) || 1;
  }
  nx /= len;
  ny /= len;
  victim.vx = nx * GAME_RULES.knockbackSpeed;
  victim.vy = ny * GAME_RULES.knockbackSpeed;
  victim.stunMs = GAME_RULES.stunMs;
  victim.dashMs = 0;
  const drop = Math.min(victim.score, GAME_RULES.bumpDrop);
  victim.score -= drop;
  const back = Math.atan2(-ny, -nx);
  const r = GAME_RULES.orbRadius;
  for (let k = 0; k < drop; k++) {
    // Behind the victim, so the knockback does not carry it straight back over its own orbs.
    const a = back + (draw(sink) - 0.5) * Math.PI * 0.9;
    const d = GAME_RULES.dropDistanceMin + draw(sink) * (GAME_RULES.dropDistanceMax - GAME_RULES.dropDistanceMin);
    sink.orbs.push({
      id: sink.nextOrbId++,
      x: Math.min(cfg.arenaWidth - r, Math.max(r, victim.x + Math.cos(a) * d)),
      y: Math.min(cfg.arenaHeight - r, Math.max(r, victim.y + Math.sin(a) * d)),
      value: GAME_RULES.orbValue,
    });
  }
}

/**
 * Advances the match by `dtMs`. `inputs[i]` is player i's latest input (undefined: no input, stand still);
 * directions are clamped to [-1, 1] and to length 1, so inputs can never carry a position or extra speed.
 * Returns the next state; the given state is not modified (see the contract at the top of this file).
 */
export function step(state: SimState, inputs: readonly (InputFrame | undefined)[], dtMs: number): SimState {
  const next: SimState = { ...state, players: state.players.map((p) => ({ ...p })), orbs: state.orbs.slice() };
  advance(next, inputs, dtMs);
  return next;
}

/** Which players dashed during the current `advance` (reused: a tick allocates no array). */
const dashing: boolean[] = [];

/**
 * `step` in place, for the one owner of a state (a match host): advances `state` by `dtMs` by modifying
 * it (its players, its orb list, its counters) instead of building a new one, so a tick allocates nothing
 * but the orbs it spawns. The same rules and results as `step`, bit for bit (test/game-sim.test.ts).
 * Never use it on a state anyone else still reads as a value.
 */
export function advance(state: SimState, inputs: readonly (InputFrame | undefined)[], dtMs: number): void {
  const cfg = state.config;
  const dt = Number.isFinite(dtMs) && dtMs > 0 ? dtMs : 0;
  let phase = state.phase;
  let phaseLeftMs = state.phaseLeftMs - dt;
  if (phase === "countdown" && phaseLeftMs <= 0) {
    phase = "playing";
    phaseLeftMs += cfg.durationMs;
  } else if (phase === "playing" && phaseLeftMs <= 0) {
    phase = "ended";
    phaseLeftMs = 0;
  } else if (phase === "ended") {
    phaseLeftMs = 0;
  }
  const tick = state.tick;
  state.tick = tick + 1;
  state.phase = phase;
  state.phaseLeftMs = phaseLeftMs;
  // Nothing moves outside play.
  if (phase !== "playing") return;

  const players = state.players;
  const n = players.length;
  dashing.length = n;
  for (let i = 0; i < n; i++) dashing[i] = advancePlayer(players[i]!, inputs[i], dt, cfg);

  // The state is its own orb sink: its RNG, orb ids and orb list.
  const reach = 2 * cfg.playerRadius * GAME_RULES.bumpReach;
  for (let i = 0; i < n; i++) {
    if (!dashing[i]) continue;
    const a = players[i]!;
    for (let j = 0; j < n; j++) {
      const v = players[j]!;
      // A dash makes its owner unbumpable, and a stunned player cannot be hit again until it recovers.
      if (j === i || dashing[j] || v.dashMs > 0 || v.stunMs > 0) continue;
      const dx = v.x - a.x;
      const dy = v.y - a.y;
      if (dx * dx + dy * dy <= reach * reach) bump(a, v, state, cfg);
    }
  }

  // Who picks first rotates with the tick, so two players on one orb do not always resolve the same way.
  const pick = cfg.playerRadius + GAME_RULES.orbRadius;
  const orbs = state.orbs;
  for (let k = 0; k < n; k++) {
    const p = players[(k + tick) % n]!;
    for (let j = orbs.length - 1; j >= 0; j--) {
      const o = orbs[j]!;
      const dx = o.x - p.x;
      const dy = o.y - p.y;
      if (dx * dx + dy * dy <= pick * pick) {
        p.score += o.value;
        orbs.splice(j, 1);
      }
    }
  }

  let spawnMs = state.spawnMs + dt;
  const target = orbTarget(n);
  while (spawnMs >= GAME_RULES.orbSpawnEveryMs) {
    spawnMs -= GAME_RULES.orbSpawnEveryMs;
    if (orbs.length < target) spawnOrb(state, cfg);
  }
  state.spawnMs = spawnMs;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** Compact snapshot of a state for the wire (positions to 0.1 unit, times to 1 ms). */
export function toSnapshot(state: SimState, matchId: string): Snapshot {
  return {
    m: matchId,
    n: state.tick,
    ph: state.phase,
    t: Math.max(0, Math.round(state.phaseLeftMs)),
    p: state.players.map((p, i): SnapshotPlayer => [
      i,
      round1(p.x),
      round1(p.y),
      p.score,
      p.lastSeq,
      Math.round(p.dashCooldownMs),
      round1(p.vx),
      round1(p.vy),
      Math.round(p.dashMs),
      Math.round(p.stunMs),
    ]),
    o: state.orbs.map((o) => [o.id, round1(o.x), round1(o.y), o.value]),
  };
}

/** Placements by score (ties share the better placement), player index order otherwise. */
export function standings(state: SimState): { index: number; score: number; placement: number }[] {
  const rows = state.players.map((p, index) => ({ index, score: p.score, placement: 0 }));
  rows.sort((a, b) => b.score - a.score || a.index - b.index);
  rows.forEach((r, i) => (r.placement = i > 0 && rows[i - 1]!.score === r.score ? rows[i - 1]!.placement : i + 1));
  return rows;
}
