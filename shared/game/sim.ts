/**
 * The pure game simulation: `step(state, inputs, dtMs)` with a seeded RNG, no Redis, sockets or timers.
 * The server's match host runs it at a fixed tick; the client runs it to predict its own player.
 * State is plain JSON (a checkpoint is `JSON.stringify(state)`).
 *
 * API CONTRACT (used by server/matches and client/): createMatch, step, toSnapshot, standings.
 * Internals may change freely; these signatures may only grow.
 */
import type { InputFrame, MatchPhase, Snapshot, SnapshotPlayer } from "./types.ts";

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
  playerRadius: 18,
};

export interface PlayerState {
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
}

/** Deterministic PRNG step: returns [value in [0,1), next state]. */
export function nextRandom(rng: number): [number, number] {
  let t = (rng + 0x6d2b79f5) | 0;
  let r = Math.imul(t ^ (t >>> 15), 1 | t);
  r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
  return [((r ^ (r >>> 14)) >>> 0) / 4294967296, t];
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
    });
  }
  return { config: cfg, rng: seed | 0, tick: 0, phase: cfg.countdownMs > 0 ? "countdown" : "playing", phaseLeftMs: cfg.countdownMs > 0 ? cfg.countdownMs : cfg.durationMs, players, orbs: [], nextOrbId: 1 };
}

/**
 * Advances the match by `dtMs`. `inputs[i]` is player i's latest input (undefined: no input, stand still).
 * Returns the next state; the given state is not modified.
 */
export function step(state: SimState, inputs: readonly (InputFrame | undefined)[], dtMs: number): SimState {
  const s: SimState = structuredClone(state);
  s.tick++;
  s.phaseLeftMs -= dtMs;
  if (s.phase === "countdown" && s.phaseLeftMs <= 0) {
    s.phase = "playing";
    s.phaseLeftMs += s.config.durationMs;
  } else if (s.phase === "playing" && s.phaseLeftMs <= 0) {
    s.phase = "ended";
    s.phaseLeftMs = 0;
  }
  if (s.phase !== "playing") return s;
  const dt = dtMs / 1000;
  s.players.forEach((p, i) => {
    const input = inputs[i];
    if (input) {
      const len = Math.hypot(input.x, input.y);
      const k = len > 1 ? 1 / len : 1;
      p.vx = input.x * k * s.config.playerSpeed;
      p.vy = input.y * k * s.config.playerSpeed;
      p.lastSeq = Math.max(p.lastSeq, input.s);
    } else {
      p.vx = 0;
      p.vy = 0;
    }
    p.x = Math.min(s.config.arenaWidth, Math.max(0, p.x + p.vx * dt));
    p.y = Math.min(s.config.arenaHeight, Math.max(0, p.y + p.vy * dt));
  });
  return s;
}

/** Compact snapshot of a state for the wire. */
export function toSnapshot(state: SimState, matchId: string): Snapshot {
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    m: matchId,
    n: state.tick,
    ph: state.phase,
    t: Math.max(0, Math.round(state.phaseLeftMs)),
    p: state.players.map((p, i): SnapshotPlayer => [i, round(p.x), round(p.y), p.score, p.lastSeq, Math.round(p.dashCooldownMs), round(p.vx), round(p.vy)]),
    o: state.orbs.map((o) => [o.id, round(o.x), round(o.y), o.value]),
  };
}

/** Placements by score (ties share the better placement), player index order otherwise. */
export function standings(state: SimState): { index: number; score: number; placement: number }[] {
  const rows = state.players.map((p, index) => ({ index, score: p.score, placement: 0 }));
  rows.sort((a, b) => b.score - a.score || a.index - b.index);
  rows.forEach((r, i) => (r.placement = i > 0 && rows[i - 1]!.score === r.score ? rows[i - 1]!.placement : i + 1));
  return rows;
}
